/**
 * The chat and the relay's clipboard and chat decisions as a window's keeper holds them (either
 * app's main, or the operator in the browser): the `session:features` and `chat:message` /
 * `chat:refused` of the active session, read off the relay connection each against its schema,
 * kept for the session's life and pushed to the window as one AssistView at each change. The
 * operator's app (operator-controller), the host (host-assist.ts) and the browser's operator each
 * hold one.
 */
import { CHAT_SEND_EVENT, NO_ASSIST, type AssistView, ChatText, type SessionFeatures } from './assist-protocol.js';
import type { SessionId } from './protocol.js';
import { onRelayEvent, type RelaySocket } from './relay-socket.js';

/** Kept of a session's conversation in the window (the audit trail keeps all of it). */
const MAX_KEPT = 500;

export type ChatSend = { sent: true } | { sent: false; message: string };

export class AssistChat {
  private socket: RelaySocket | null = null;
  private current: AssistView = NO_ASSIST;
  /** The relay's decisions for a session not active here yet: they may come a moment before its state. */
  private early: SessionFeatures | null = null;

  constructor(
    private readonly show: (view: AssistView) => void,
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  get view(): AssistView {
    return this.current;
  }

  /** The session's relay connection (each new connection replaces the last). */
  attach(socket: RelaySocket): void {
    this.socket = socket;
    onRelayEvent(socket, 'session:features', this.log, (features) => {
      if (socket !== this.socket) return;
      if (features.sessionId === this.current.sessionId) this.set({ features });
      else this.early = features;
    });
    onRelayEvent(socket, 'chat:message', this.log, (message) => {
      if (socket !== this.socket || message.sessionId !== this.current.sessionId) return;
      if (this.current.messages.some((m) => m.id === message.id)) return;
      const { chatProblem: _, ...rest } = this.current;
      this.current = rest;
      this.set({ messages: [...this.current.messages, message].slice(-MAX_KEPT) });
    });
    onRelayEvent(socket, 'chat:refused', this.log, ({ sessionId, message }) => {
      if (socket === this.socket && sessionId === this.current.sessionId) this.set({ chatProblem: message });
    });
  }

  /** Follows the window's session: a new active session starts an empty conversation; none clears it. */
  onSession(active: SessionId | null): void {
    if (active === this.current.sessionId) return;
    const features = this.early?.sessionId === active ? this.early : null;
    this.early = null;
    this.current = active === null ? NO_ASSIST : { ...NO_ASSIST, sessionId: active, features };
    this.show(this.current);
  }

  set(change: Partial<AssistView>): void {
    this.current = { ...this.current, ...change };
    this.show(this.current);
  }

  send(text: string): ChatSend {
    const sessionId = this.current.sessionId;
    if (sessionId === null) return { sent: false, message: 'No assistance is active: the chat opens once it is.' };
    const checked = ChatText.safeParse(text);
    if (!checked.success) return { sent: false, message: checked.error.issues[0]?.message ?? 'not a message' };
    if (this.current.features?.chat.allowed === false)
      return { sent: false, message: this.current.features.chat.reason };
    if (!this.socket?.connected)
      return { sent: false, message: 'The relay connection is down: send again once it is back.' };
    this.socket.emit(CHAT_SEND_EVENT, { sessionId, text: checked.data });
    return { sent: true };
  }
}
