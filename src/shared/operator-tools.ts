/**
 * The operator's Flexxible Tools on the operator's relay connection, for the app's main process
 * (src/main/operator/operator-tools.ts) and the operator in the browser: carries the panel's tool
 * requests to the relay, and the relay's tool events and the list of tools this operator may use
 * back to the page, each checked against its schema first. Flow control stays end to end: the page
 * grants credit (`stream.credit`) as it renders, so nothing queues here. Only while an assistance
 * is active; its end forgets the list. On the wire each carries its assistance (`{sessionId,
 * request}` up, `{sessionId, event}` and the list's `sessionId` down, protocol.ts): what is not for
 * the active assistance is dropped.
 */
import type { Socket } from 'socket.io-client';
import type { EventPayloads, OperatorState } from './ipc.js';
import { relayEvents, type ClientEventPayload, type SessionId } from './protocol.js';
import { TOOL_EVENT, TOOL_REQUEST_EVENT, TOOLS_AVAILABLE_EVENT, type ToolRequest } from './tools-protocol.js';
import type { ToolsAvailable } from './tools-protocol.js';
import type { RelaySocket } from './relay-socket.js';

export type ToolEmit = <E extends 'operator:tool-event' | 'operator:tools-available'>(
  channel: E,
  payload: EventPayloads[E],
) => void;

/** Sent, or why not: the panel shows the sentence. */
export type ToolSend = { sent: true } | { sent: false; message: string };

export class OperatorTools {
  private socket: Socket | null = null;
  /** The active assistance; null while none is. */
  private active: SessionId | null = null;
  private list: ToolsAvailable | null = null;

  constructor(
    private readonly emit: ToolEmit,
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  /** The tools this operator may use in the active assistance, as the relay said; null before it said. */
  get available(): ToolsAvailable | null {
    return this.active !== null && this.list?.sessionId === this.active ? this.list : null;
  }

  /** The session's relay connection (each new connection replaces the last). */
  attach(relaySocket: RelaySocket): void {
    // The tool events are not session events: they are read here, each against its own schema.
    const socket = relaySocket as unknown as Socket;
    this.socket = socket;
    socket.on(TOOL_EVENT, (raw: unknown) => {
      if (socket !== this.socket || this.active === null) return;
      const parsed = relayEvents[TOOL_EVENT].safeParse(raw);
      if (!parsed.success) return this.log(`[operator] a malformed ${TOOL_EVENT} was dropped`);
      if (parsed.data.sessionId === this.active) this.emit('operator:tool-event', parsed.data.event);
    });
    socket.on(TOOLS_AVAILABLE_EVENT, (raw: unknown) => {
      if (socket !== this.socket) return;
      const parsed = relayEvents[TOOLS_AVAILABLE_EVENT].safeParse(raw);
      if (!parsed.success) return this.log(`[operator] a malformed ${TOOLS_AVAILABLE_EVENT} was dropped`);
      // It may come before or after the admission it belongs to: kept, and shown once that assistance is active;
      // while one is active, another's is not this one's.
      if (this.active !== null && parsed.data.sessionId !== this.active) return;
      this.list = parsed.data;
      if (this.active === parsed.data.sessionId) this.emit('operator:tools-available', parsed.data);
    });
  }

  /** Follows the session: the list holds for an active assistance only. */
  onState(state: OperatorState): void {
    const active = state.status === 'active' ? state.sessionId : null;
    if (active === this.active) return;
    const was = this.active;
    this.active = active;
    if (active !== null && this.list?.sessionId === active) this.emit('operator:tools-available', this.list);
    if (active === null) {
      this.list = null;
      if (was !== null) this.emit('operator:tools-available', null);
    }
  }

  send(request: ToolRequest): ToolSend {
    if (this.active === null) return { sent: false, message: 'No assistance is active: the tools are closed.' };
    if (!this.socket?.connected)
      return { sent: false, message: 'The relay connection is down: try again once it is back.' };
    const payload: ClientEventPayload<typeof TOOL_REQUEST_EVENT> = { sessionId: this.active, request };
    this.socket.emit(TOOL_REQUEST_EVENT, payload);
    return { sent: true };
  }
}
