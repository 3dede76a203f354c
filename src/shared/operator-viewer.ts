/**
 * The viewer toolbar's requests on the session's relay connection, for the app's main process
 * (src/main/operator/operator-viewer.ts) and the operator in the browser: "Request control" (the
 * relay carries it to the host, whose indicator asks the user) and the ticket number and notes the
 * operator attaches to the assistance (the relay keeps them in the audit trail and says so,
 * session:notes-saved, which goes to the page); the secure desktop's state, frames and helper to
 * the page and its input back. Only while a session is active. No Node here: what differs (the
 * keys' scan codes, bytes to base64) is given.
 */
import type { Socket } from 'socket.io-client';
import type { EventPayloads, OperatorState } from './ipc.js';
import { relayEvents, type AssistanceNotes, type RelayEventPayload, type SessionId } from './protocol.js';
import type { SecureDesktopInput } from './secure-desktop-input.js';
import type { RelaySocket } from './relay-socket.js';

export type ViewerEmit = <E extends 'operator:notes-saved' | 'operator:secure-desktop'>(
  channel: E,
  payload: EventPayloads[E],
) => void;

/** Sent, or why not: the toolbar shows the sentence. */
export type ViewerSend = { sent: true } | { sent: false; message: string };

/** What the viewer's keeper gives: a key's Windows scan code (E0-prefixed: extended), and bytes as base64. */
export interface ViewerPlatform {
  scanCode: (code: string) => number | undefined;
  base64: (bytes: Uint8Array) => string;
}

export class OperatorViewerCore {
  private socket: Socket | null = null;
  private active: SessionId | null = null;
  /**
   * What the relay last said of one assistance's secure desktop: whether the SYSTEM helper is
   * attached and whether a secure desktop is up. Told on admission, which may come before this
   * app's own state is active: kept, and given to the page once that assistance is active.
   */
  private told: { sessionId: SessionId; helper?: boolean; up?: boolean } | null = null;

  constructor(
    private readonly emit: ViewerEmit,
    private readonly log: (line: string) => void,
    private readonly platform: ViewerPlatform,
  ) {}

  attach(relaySocket: RelaySocket): void {
    const socket = relaySocket as unknown as Socket;
    this.socket = socket;
    socket.on('session:notes-saved', (raw: unknown) => {
      if (socket !== this.socket) return;
      const parsed = relayEvents['session:notes-saved'].safeParse(raw);
      if (!parsed.success) return this.log('[operator] a malformed session:notes-saved was dropped');
      if (parsed.data.sessionId === this.active) this.emit('operator:notes-saved', parsed.data.notes);
    });
    // The device's secure desktop (UAC prompt, Ctrl+Alt+Del, logon screen), from its agent through
    // the relay: the viewer draws its frames instead of the host's video while it is up.
    const secure = <E extends 'secure-desktop:state' | 'secure-desktop:frame' | 'secure-desktop:refused'>(
      event: E,
      toPage: (payload: RelayEventPayload<E>) => EventPayloads['operator:secure-desktop'],
    ) => {
      const name: string = event;
      socket.on(name, (raw: unknown) => {
        if (socket !== this.socket) return;
        const parsed = relayEvents[event].safeParse(raw);
        if (!parsed.success) return this.log(`[operator] a malformed ${event} was dropped`);
        const payload = parsed.data as RelayEventPayload<E>;
        if (payload.sessionId === this.active) this.emit('operator:secure-desktop', toPage(payload));
      });
    };
    secure('secure-desktop:frame', ({ frame: { data, ...frame } }) => ({
      frame: {
        ...frame,
        base64: this.platform.base64(data instanceof ArrayBuffer ? new Uint8Array(data) : data),
      },
    }));
    secure('secure-desktop:refused', ({ code, message }) => ({ refused: message, code }));
    // Kept as well as passed on (told), so that what came before this app's state was active is not lost.
    const told = <E extends 'secure-desktop:helper' | 'secure-desktop:state'>(
      event: E,
      fact: (payload: RelayEventPayload<E>) => { helper: boolean } | { up: boolean },
    ) => {
      const name: string = event;
      socket.on(name, (raw: unknown) => {
        if (socket !== this.socket) return;
        const parsed = relayEvents[event].safeParse(raw);
        if (!parsed.success) return this.log(`[operator] a malformed ${event} was dropped`);
        const { sessionId } = parsed.data;
        if (this.active !== null && sessionId !== this.active) return;
        const said = fact(parsed.data as RelayEventPayload<E>);
        this.told = { ...(this.told?.sessionId === sessionId ? this.told : {}), sessionId, ...said };
        if (sessionId === this.active) this.emit('operator:secure-desktop', said);
      });
    };
    told('secure-desktop:helper', ({ attached }) => ({ helper: attached }));
    told('secure-desktop:state', ({ up }) => ({ up }));
  }

  onState(state: OperatorState): void {
    const active = state.status === 'active' ? state.sessionId : null;
    if (active === this.active) return;
    this.active = active;
    if (active === null) this.told = null;
    else if (this.told?.sessionId === active) {
      const { helper, up } = this.told;
      if (helper !== undefined) this.emit('operator:secure-desktop', { helper });
      if (up !== undefined) this.emit('operator:secure-desktop', { up });
    }
  }

  requestControl(): ViewerSend {
    return this.send((sessionId, socket) => socket.emit('session:request-control', { sessionId }));
  }

  /** Input for the device's secure desktop: the relay checks it (control, running) and hands it to the agent. */
  secureDesktopInput(input: SecureDesktopInput): ViewerSend {
    return this.send((sessionId, socket) => socket.emit('secure-desktop:input', { sessionId, input }));
  }

  /** A key on the secure desktop, by KeyboardEvent.code: its Windows scan code (E0-prefixed: extended). */
  secureDesktopKey(code: string, down: boolean): ViewerSend {
    const scan = this.platform.scanCode(code);
    if (scan === undefined) return { sent: false, message: 'That key cannot be sent to the secure screen.' };
    return this.secureDesktopInput({
      kind: 'key',
      vk: 0,
      scan: scan & 0xff,
      down,
      ...(scan > 0xff ? { extended: true } : {}),
    });
  }

  saveNotes(notes: AssistanceNotes): ViewerSend {
    return this.send((sessionId, socket) => socket.emit('session:notes', { sessionId, notes }));
  }

  private send(emit: (sessionId: SessionId, socket: Socket) => void): ViewerSend {
    if (this.active === null) return { sent: false, message: 'No assistance is active.' };
    if (!this.socket?.connected)
      return { sent: false, message: 'The relay connection is down: try again once it is back.' };
    emit(this.active, this.socket);
    return { sent: true };
  }
}
