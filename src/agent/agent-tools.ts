/**
 * The Flexxible Tools of every assistance on this device, in the agent (the service's account):
 * one ToolHost (src/platform/tools/tool-host.ts) per assistance, made at its first tool request,
 * fed the requests the relay checked and forwarded over the agent's own connection, its events
 * sent back the same way. Whenever the assistance ends (the relay's agent:stop-host, its host's
 * process exiting, the agent stopping) every shell and process tree started for it is ended
 * within 2 s, whether or not the host's own connection to the relay is up.
 */
import type { ToolBackends } from '../platform/tools/index.js';
import { createToolHost, type ToolHost } from '../platform/tools/tool-host.js';
import type { ToolCloseReason, ToolEvent, ToolId, ToolRequest } from '../shared/tools-protocol.js';

export interface AgentToolsOptions {
  backends: ToolBackends;
  /** Sends one tool event of an assistance to the relay (dropped while the agent is disconnected). */
  send: (sessionId: string, event: ToolEvent) => void;
  log: (line: string) => void;
}

export class AgentTools {
  private readonly hosts = new Map<string, ToolHost>();

  constructor(private readonly opts: AgentToolsOptions) {}

  request(sessionId: string, request: ToolRequest): void {
    let host = this.hosts.get(sessionId);
    if (!host) {
      host = createToolHost({ backends: this.opts.backends, send: (event) => this.opts.send(sessionId, event) });
      this.hosts.set(sessionId, host);
    }
    host.handle(request).catch((err: unknown) => this.opts.log(`tool request failed: ${(err as Error).message}`));
  }

  /** Closes one tool of an assistance for a reason other than its operator's (the user, the policy). */
  close(sessionId: string, toolId: ToolId, reason: ToolCloseReason): void {
    void this.hosts.get(sessionId)?.close(toolId, reason);
  }

  /** The assistance is over: every tool closes, each shell's tree gone within 2 s. */
  async ended(sessionId: string): Promise<void> {
    const host = this.hosts.get(sessionId);
    if (!host) return;
    this.hosts.delete(sessionId);
    const pids = await host.closeAll('assistance-ended');
    if (pids.length > 0) this.opts.log(`session ${sessionId}: its tools ended ${pids.length} processes`);
  }

  async endAll(): Promise<void> {
    await Promise.all([...this.hosts.keys()].map((id) => this.ended(id)));
  }
}
