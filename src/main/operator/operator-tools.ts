/**
 * The operator's Flexxible Tools in the main process: carries the panel's tool requests (validated against the
 * contract in src/shared/tools-protocol.ts by the IPC table) to the relay over this app's own relay connection, and
 * the relay's tool events and the list of tools this operator may use back to the page, each checked against its
 * schema first. Flow control stays end to end: the page grants credit (`stream.credit`) as it renders, so nothing
 * queues here. Only while an assistance is active; its end forgets the list. A `.reg` export is saved through the
 * desktop's save dialog, the path never coming from the page.
 */
import type { Socket } from 'socket.io-client';
import type { EventPayloads, OperatorState } from '../../shared/ipc.js';
import {
  TOOL_EVENT,
  TOOL_REQUEST_EVENT,
  TOOLS_AVAILABLE_EVENT,
  ToolEvent,
  ToolsAvailable,
  type ToolRequest,
} from '../../shared/tools-protocol.js';
import type { RelaySocket } from '../relay-client.js';

export type ToolEmit = <E extends 'operator:tool-event' | 'operator:tools-available'>(
  channel: E,
  payload: EventPayloads[E],
) => void;

/** Sent, or why not: the panel shows the sentence. */
export type ToolSend = { sent: true } | { sent: false; message: string };

export interface SaveDialog {
  /** The path the operator chose in the system's "save" dialog for `name`, or null when they cancelled. */
  saveTextFile(suggestedName: string, text: string): Promise<string | null>;
}

/** A file name for a key's export: its last part, letters, digits, `-` and `_` only. */
export function exportFileName(key: string): string {
  const last = key.split('\\').filter(Boolean).pop() ?? 'registry';
  return `${last.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 80) || 'registry'}.reg`;
}

export class OperatorTools {
  private socket: Socket | null = null;
  private active = false;
  private list: ToolsAvailable | null = null;

  constructor(
    private readonly emit: ToolEmit,
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  /** The tools this operator may use in the active assistance, as the relay said; null before it said. */
  get available(): ToolsAvailable | null {
    return this.active ? this.list : null;
  }

  /** The session's relay connection (each new connection replaces the last). */
  attach(relaySocket: RelaySocket): void {
    // The tool events are not session events: they are read here, each against its own schema.
    const socket = relaySocket as unknown as Socket;
    this.socket = socket;
    socket.on(TOOL_EVENT, (raw: unknown) => {
      if (socket !== this.socket || !this.active) return;
      const parsed = ToolEvent.safeParse(raw);
      if (!parsed.success) return this.log(`[operator] a malformed ${TOOL_EVENT} was dropped`);
      this.emit('operator:tool-event', parsed.data);
    });
    socket.on(TOOLS_AVAILABLE_EVENT, (raw: unknown) => {
      if (socket !== this.socket) return;
      const parsed = ToolsAvailable.safeParse(raw);
      if (!parsed.success) return this.log(`[operator] a malformed ${TOOLS_AVAILABLE_EVENT} was dropped`);
      this.list = parsed.data;
      if (this.active) this.emit('operator:tools-available', parsed.data);
    });
  }

  /** Follows the session: the list holds for an active assistance only. */
  onState(state: OperatorState): void {
    const active = state.status === 'active';
    if (active === this.active) return;
    this.active = active;
    if (active && this.list) this.emit('operator:tools-available', this.list);
    if (!active) {
      this.list = null;
      this.emit('operator:tools-available', null);
    }
  }

  send(request: ToolRequest): ToolSend {
    if (!this.active) return { sent: false, message: 'No assistance is active: the tools are closed.' };
    if (!this.socket?.connected)
      return { sent: false, message: 'The relay connection is down: try again once it is back.' };
    this.socket.emit(TOOL_REQUEST_EVENT, request);
    return { sent: true };
  }
}

/** Saves a key's export where the operator chooses; the answer says where, or that they cancelled. */
export async function saveRegistryExport(
  dialog: SaveDialog | undefined,
  key: string,
  text: string,
): Promise<{ saved: string | null; message: string }> {
  if (!dialog) return { saved: null, message: 'This app cannot save files here.' };
  const saved = await dialog.saveTextFile(exportFileName(key), text);
  return { saved, message: saved ? `Saved to ${saved}.` : 'Not saved.' };
}
