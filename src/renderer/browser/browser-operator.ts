/**
 * The operator in the browser: what the app's main process does for the operator window, done in
 * the page the relay serves (/console/operator/), behind the same typed API (`createApi`, so the
 * viewer's code is the app's, src/renderer/operator/). The session's logic is the shared one
 * (src/shared/operator-session.ts, assist-chat.ts, operator-tools.ts); what differs is the
 * credential: a one-time ticket the console session asks for at each (re)connection
 * (relay-tickets.ts), instead of an app token. What needs the desktop (files, a save dialog, the
 * secure screen's keys, which need the platform's scan codes) says so instead.
 */
import type { Transport } from '../../shared/api';
import { AssistChat } from '../../shared/assist-chat';
import type { BrowserAssistance } from '../../shared/browser-operator';
import type { EventChannel, EventPayloads, InvokeChannel, InvokePayload, OperatorState } from '../../shared/ipc';
import { OperatorSessionCore } from '../../shared/operator-session';
import { OperatorTools } from '../../shared/operator-tools';
import { OperatorViewerCore } from '../../shared/operator-viewer';
import { BrowserRecording } from './browser-recording';
import { connectWithTickets } from './relay-tickets';

const NOT_HERE = 'This is not available in the browser: use the flxra app for it.';
const NO_ASSISTANCE =
  'No assistance to open: in the console, open a device, request an assistance and press “Connect in the browser”.';
const REFUSED =
  'The relay did not accept this browser’s sign-in: sign in to the console again, then connect from it once more.';

type Listener = (payload: unknown) => void;

export class BrowserOperator {
  private readonly listeners = new Map<EventChannel, Set<Listener>>();
  private readonly session: OperatorSessionCore;
  private readonly tools: OperatorTools;
  private readonly assist: AssistChat;
  private readonly viewer: OperatorViewerCore;
  private readonly recording = new BrowserRecording();

  constructor(
    origin: string,
    private readonly assistance: BrowserAssistance | null,
  ) {
    const log = () => undefined; // nothing logs in the page: the states say what happened
    this.tools = new OperatorTools((channel, payload) => this.emit(channel, payload), log);
    this.assist = new AssistChat((view) => this.emit('operator:assist', view), log);
    // The secure screen's keys need the platform's scan-code table, which the page does not have.
    this.viewer = new OperatorViewerCore((channel, payload) => this.emit(channel, payload), log, {
      scanCode: () => undefined,
      base64: (bytes) => btoa(Array.from(bytes, (b) => String.fromCharCode(b)).join('')),
    });
    this.session = new OperatorSessionCore({
      relayUrl: origin,
      ...(assistance ? {} : { cannotConnect: NO_ASSISTANCE }),
      connect: () => connectWithTickets(origin),
      refusedMessage: () => REFUSED,
      emit: (channel, payload) => this.fromSession(channel, payload),
      log,
      onSocket: (socket) => {
        this.tools.attach(socket);
        this.assist.attach(socket);
        this.viewer.attach(socket);
      },
    });
  }

  /** Connects, then opens the console's assistance (unattended: the relay asks for the password first). */
  async start(): Promise<void> {
    await this.session.start();
    const a = this.assistance;
    if (!a || this.session.state.status !== 'idle') return;
    await this.session.openAssistance(a.activation, a.sessionId, a.mode, {
      expiresAt: a.expiresAt,
      ...(a.deviceName ? { deviceName: a.deviceName } : {}),
    });
  }

  /** The API's transport: each channel answered here as main's handler table answers it in the app. */
  transport(): Transport {
    return {
      invoke: (channel, payload) => Promise.resolve().then(() => this.invoke(channel, payload) as never),
      subscribe: (channel, listener) => {
        const set = this.listeners.get(channel) ?? new Set<Listener>();
        this.listeners.set(channel, set);
        const l = listener as Listener;
        set.add(l);
        return () => set.delete(l);
      },
    };
  }

  private invoke<C extends InvokeChannel>(channel: C, payload: InvokePayload<C>): unknown {
    // The channel says what the payload is (the switch cannot narrow a generic's payload by itself).
    const p = <K extends InvokeChannel>() => payload as unknown as InvokePayload<K>;
    switch (channel) {
      case 'operator:get-state':
        return this.session.state;
      case 'operator:join':
        // The relay answers in words: in the browser, assistances are opened from the console.
        return this.session.join(p<'operator:join'>().sessionId);
      case 'operator:open-console':
        window.open('/console/', '_blank', 'noopener');
        return undefined;
      case 'operator:leave':
        return this.session.leave();
      case 'operator:signal':
        return this.session.sendSignal(p<'operator:signal'>().signal);
      case 'operator:password':
        return this.session.submitPassword(p<'operator:password'>().password);
      case 'operator:tool-request':
        return this.tools.send(p<'operator:tool-request'>().request);
      case 'operator:tools-available':
        return this.tools.available;
      case 'operator:chat-send':
        return this.assist.send(p<'operator:chat-send'>().text);
      case 'operator:assist':
        return this.assist.view;
      case 'operator:clipboard-write':
        return navigator.clipboard.writeText(p<'operator:clipboard-write'>().text);
      case 'operator:clipboard-read':
        return navigator.clipboard.readText();
      case 'operator:save-export':
        return { saved: null, message: NOT_HERE };
      case 'operator:request-control':
        return this.viewer.requestControl();
      case 'operator:save-notes':
        return this.viewer.saveNotes(p<'operator:save-notes'>());
      case 'operator:recording-chunk':
        return this.recording.upload(p<'operator:recording-chunk'>());
      case 'operator:secure-desktop-input':
        return this.viewer.secureDesktopInput(p<'operator:secure-desktop-input'>().input);
      case 'operator:secure-desktop-key':
        return this.viewer.secureDesktopKey(
          p<'operator:secure-desktop-key'>().code,
          p<'operator:secure-desktop-key'>().down,
        );
      default:
        throw new Error(NOT_HERE);
    }
  }

  private fromSession<E extends 'operator:state' | 'operator:signal'>(channel: E, payload: EventPayloads[E]): void {
    if (channel === 'operator:state') {
      const s = payload as OperatorState;
      this.tools.onState(s);
      this.viewer.onState(s);
      this.recording.onState(s);
      this.assist.onSession(s.status === 'active' ? s.sessionId : null);
    }
    this.emit(channel, payload);
  }

  private emit<E extends EventChannel>(channel: E, payload: EventPayloads[E]): void {
    for (const listener of this.listeners.get(channel) ?? []) listener(payload);
  }
}
