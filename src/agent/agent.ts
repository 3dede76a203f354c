/**
 * The device agent's life on the relay: one outbound socket.io connection to the agent namespace
 * (the agent never listens on a port), reconnected with backoff whenever it drops; reports while
 * connected; and hosts started and stopped when the relay asks, nothing before.
 *
 * Everything the relay sends is checked against the contract before it is acted on: the relay is
 * trusted for what it says, not for the shape of its messages.
 */
import { randomUUID } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import type { z } from 'zod';
import {
  AGENT_NAMESPACE,
  relayToAgentEvents,
  type AgentHandshake,
  type AgentReport,
  type AgentToRelayEvents,
  type RelayToAgentEvents,
} from '../shared/agent-protocol.js';
import { readConnectRefusal } from '../shared/protocol.js';
import { onCheckedEvent } from '../shared/checked-events.js';
import { describeConnectionFailure } from '../shared/relay-certificate.js';
import type { HostLauncher } from './launcher/launcher.js';
import type { VerificationPolicy } from '../shared/verification-policy.js';
import { AgentTools } from './agent-tools.js';
import { backoffDelay } from './backoff.js';
import type { ToolBackends } from '../platform/tools/index.js';
import { chooseHostTarget } from './host-target.js';
import { startReporting } from './reporting.js';

type AgentSocket = Socket<RelayToAgentEvents, AgentToRelayEvents>;
type StartHost = z.infer<(typeof relayToAgentEvents)['agent:start-host']>;

export interface AgentOptions {
  relayUrl: string;
  agentToken: string;
  /** The device as it is now: host name, OS, version, user sessions. */
  readReport(): Promise<AgentReport>;
  launcher: HostLauncher;
  /** The device's own setting for the verification words (its configuration file), for every host it starts. */
  verification: VerificationPolicy;
  /** Where a host goes when no user session has a display (DISPLAY of the agent itself). */
  ownDisplay?: string;
  /** The Flexxible Tools' backends (src/platform/tools/); without them tool requests are refused as unsupported. */
  tools?: ToolBackends;
  /** The relay refused the credential: retrying cannot help, someone must enrol the device again. */
  onRefused(reason: string): void;
  log: (line: string) => void;
}

export class Agent {
  /** This run of the agent, in every handshake: the relay keeps its assistances across reconnections, not restarts. */
  readonly instanceId = randomUUID();
  private socket: AgentSocket | null = null;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private stopReporting: (() => void) | null = null;
  private latest: AgentReport | null = null;
  private readonly tools: AgentTools | null;

  constructor(private readonly opts: AgentOptions) {
    this.tools = opts.tools
      ? new AgentTools({
          backends: opts.tools,
          send: (sessionId, event) => this.socket?.emit('tool:event', { sessionId, event }),
          log: opts.log,
        })
      : null;
  }

  start(): void {
    const socket: AgentSocket = io(new URL(AGENT_NAMESPACE, this.opts.relayUrl).href, {
      auth: { role: 'agent', agentToken: this.opts.agentToken, instanceId: this.instanceId } satisfies AgentHandshake,
      transports: ['websocket'],
      // Reconnection is this class's own (backoff.ts): socket.io's gives up on handshake refusals.
      reconnection: false,
      autoConnect: false,
    });
    this.socket = socket;
    socket.on('connect', () => this.opts.log(`connected to ${this.opts.relayUrl}`));
    socket.on('connect_error', (err) => {
      // Only the relay's own refusal of the credential is final; "unavailable" and network errors are retried.
      const refusal = readConnectRefusal(err);
      if (refusal?.code === 'unauthorized') return this.opts.onRefused(refusal.message);
      // A certificate problem is said as one (and retried: its administrator may be renewing it).
      this.opts.log(`cannot reach the relay: ${refusal?.message ?? describeConnectionFailure(err)}`);
      this.retry();
    });
    socket.on('disconnect', (reason) => {
      this.stopReporting?.();
      this.stopReporting = null;
      this.opts.log(`disconnected from the relay (${reason})`);
      // Our own disconnect() means stop; anything else, including the relay closing us, is retried.
      if (reason !== 'io client disconnect') this.retry();
    });
    const on = <E extends keyof typeof relayToAgentEvents>(
      event: E,
      handler: (payload: z.infer<(typeof relayToAgentEvents)[E]>) => void,
    ) => onCheckedEvent(socket, relayToAgentEvents, event, this.opts.log, handler);
    on('agent:ready', (ready) => this.onReady(ready));
    on('agent:start-host', (request) => void this.onStartHost(request));
    on('agent:stop-host', ({ sessionId }) => {
      void this.tools?.ended(sessionId);
      void this.opts.launcher.stop(sessionId);
    });
    on('tool:request', ({ sessionId, request }) => {
      if (this.tools) return this.tools.request(sessionId, request);
      const message = 'This agent was started without the admin tools.';
      this.socket?.emit('tool:event', {
        sessionId,
        event: { type: 'tool.refused', toolId: request.toolId, code: 'not-supported', message },
      });
    });
    on('tool:close', ({ sessionId, toolId, reason }) => this.tools?.close(sessionId, toolId, reason));
    on('relay:error', ({ code, message, event }) =>
      this.opts.log(`the relay refused ${event ?? 'a message'}: ${code}: ${message}`),
    );
    socket.connect();
  }

  /** Disconnects for good and stops every host it started. */
  async stop(): Promise<void> {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.stopReporting?.();
    this.socket?.removeAllListeners();
    this.socket?.disconnect();
    this.socket = null;
    await Promise.all([this.tools?.endAll(), this.opts.launcher.stopAll()]);
  }

  private onReady({ deviceId, heartbeatMs }: z.infer<(typeof relayToAgentEvents)['agent:ready']>): void {
    this.attempt = 0;
    this.opts.log(`ready as device ${deviceId}; reporting every ${heartbeatMs} ms and on change`);
    this.stopReporting?.();
    this.stopReporting = startReporting({
      read: async () => (this.latest = await this.opts.readReport()),
      send: (report) => this.socket?.emit('agent:report', report),
      heartbeatMs,
      log: this.opts.log,
    });
  }

  private async onStartHost(request: z.infer<(typeof relayToAgentEvents)['agent:start-host']>): Promise<void> {
    const { sessionId } = request;
    try {
      const target = await this.target(request);
      const host = await this.opts.launcher.start({
        ...request,
        ...target,
        relayUrl: this.opts.relayUrl,
        // The device's, never the relay's: the relay's message has no say in it.
        verification: this.opts.verification,
      });
      this.opts.log(
        `started the host for session ${sessionId} (pid ${host.pid}${target.display ? ` on ${target.display}` : ''})`,
      );
      this.socket?.emit('agent:host-started', { sessionId });
      // However it ends, the relay hears of it (after a stop it asked for, it has nothing left to do).
      void host.exited.then(() => {
        // The assistance is over with its host: its tools end now, not when the relay says so.
        void this.tools?.ended(sessionId);
        this.socket?.emit('agent:host-exited', { sessionId });
      });
    } catch (err) {
      const message = (err as Error).message.slice(0, 500);
      this.opts.log(`cannot start the host for session ${sessionId}: ${message}`);
      this.socket?.emit('agent:host-failed', { sessionId, message });
    }
  }

  /** From the sessions as they are now: the last report may be seconds old. */
  private async target(request: StartHost) {
    const report = await this.opts.readReport().catch(() => this.latest);
    const choice = chooseHostTarget(report?.userSessions ?? [], request.userSessionId, this.opts.ownDisplay);
    if (!choice.ok) throw new Error(choice.message);
    return choice.target;
  }

  private retry(): void {
    if (!this.socket || this.retryTimer) return;
    const delay = backoffDelay(this.attempt++);
    this.opts.log(`reconnecting in ${(delay / 1000).toFixed(1)} s`);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.socket?.connect();
    }, delay);
  }
}
