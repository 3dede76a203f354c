/**
 * The device agent's life on the relay: one outbound socket.io connection to the agent namespace
 * (the agent never listens on a port), reconnected with backoff whenever it drops; reports while
 * connected; and hosts started and stopped when the relay asks, nothing before.
 *
 * Everything the relay sends is checked against the contract before it is acted on: the relay is
 * trusted for what it says, not for the shape of its messages.
 */
import { randomUUID } from 'node:crypto';
import type { Agent as HttpAgent } from 'node:http';
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
import type { HostHandle, HostLauncher } from './launcher/launcher.js';
import type { VerificationPolicy } from '../shared/verification-policy.js';
import { AgentTools } from './agent-tools.js';
import { AgentSecureDesktop } from './agent-secure-desktop.js';
import type { HelperClient } from '../platform/secure-desktop/pipe-client.js';
import { backoffDelay } from './backoff.js';
import type { ToolBackends } from '../platform/tools/index.js';
import { chooseHostTarget } from './host-target.js';
import { startReporting } from './reporting.js';
import { HelperSupervisor, type HelperStatus, type HelperSupervisorOptions } from './helper/helper-supervisor.js';
import { takeLogonScreenPlace, type LogonScreenPlace } from './logon-screen.js';
import { isSecureDesktop } from './agent-secure-desktop-stream.js';

type AgentSocket = Socket<RelayToAgentEvents, AgentToRelayEvents>;
type StartHost = z.infer<(typeof relayToAgentEvents)['agent:start-host']>;
/** An unattended assistance served at the logon screen, and whether a host has taken it over since a sign-in. */
interface LogonAssistance {
  place: LogonScreenPlace;
  request: StartHost;
  handover: 'none' | 'waiting' | 'started';
}

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
  /** The proxy's tunnel to the relay (relay-route.ts); absent: direct. */
  proxyAgent?: HttpAgent;
  /** Asked before each reconnection: the way to the relay may have changed (a proxy gone, another network). */
  reroute?: () => Promise<HttpAgent | undefined>;
  /**
   * The secure-desktop helper's platform (helper/helper-platform.ts) and, for tests, how its pipe is
   * reached: with it the agent starts and keeps a helper for each assistance (helper-supervisor.ts),
   * and serves the logon screen to an unattended assistance when nobody is signed in (logon-screen.ts).
   */
  secureDesktopHelper?: Pick<HelperSupervisorOptions, 'platform' | 'connect' | 'backoff' | 'followMs'>;
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
  /** Secure-desktop input: to the assistance's SYSTEM helper, or refused with a reason. */
  private readonly secureDesktop: AgentSecureDesktop;
  private readonly helpers: HelperSupervisor | null;
  /** Unattended assistances served at the logon screen (nobody signed in), by the agent's own place on the relay. */
  private readonly logonPlaces = new Map<string, LogonAssistance>();

  constructor(private readonly opts: AgentOptions) {
    this.tools = opts.tools
      ? new AgentTools({
          backends: opts.tools,
          send: (sessionId, event) => this.socket?.emit('tool:event', { sessionId, event }),
          log: opts.log,
        })
      : null;
    this.secureDesktop = new AgentSecureDesktop({
      // A platform that runs helpers is Windows' (on Linux only a test's stand-in plays one).
      ...(opts.secureDesktopHelper?.platform.available ? { platform: 'win32' as const } : {}),
      refuse: (sessionId, refusal) => this.socket?.emit('secure-desktop:refused', { sessionId, ...refusal }),
      log: opts.log,
      send: {
        state: (sessionId, up) => this.socket?.emit('secure-desktop:state', { sessionId, up }),
        frame: (sessionId, frame) => this.socket?.emit('secure-desktop:frame', { sessionId, frame }),
        helper: (sessionId, attached) => this.socket?.emit('secure-desktop:helper', { sessionId, attached }),
      },
    });
    this.helpers = opts.secureDesktopHelper
      ? new HelperSupervisor({
          ...opts.secureDesktopHelper,
          attach: (sessionId, helper) => this.attachSecureDesktopHelper(sessionId, helper),
          desktop: (sessionId, desktop) => {
            this.secureDesktopChanged(sessionId, desktop);
            if (!isSecureDesktop(desktop)) void this.signedIn(sessionId);
          },
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
      // Node only: the websocket is opened through this agent (a CONNECT tunnel); engine.io's typing says string.
      ...(this.opts.proxyAgent ? { agent: this.opts.proxyAgent as unknown as string } : {}),
      // A connection of its own: never multiplexed onto another client's of this process (socket.io
      // shares one per relay across namespaces), whose end or refusal would be the agent's too.
      forceNew: true,
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
      void this.helpers?.stop(sessionId);
      this.logonPlaces.get(sessionId)?.place.close();
      this.secureDesktop.ended(sessionId);
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
    on('secure-desktop:input', ({ sessionId, input }) => this.secureDesktop.input(sessionId, input));
    on('agent:watched', ({ sessionId, watched }) => this.secureDesktop.watching(sessionId, watched));
    on('relay:error', ({ code, message, event }) =>
      this.opts.log(`the relay refused ${event ?? 'a message'}: ${code}: ${message}`),
    );
    socket.connect();
  }

  /**
   * The assistance's secure-desktop helper, connected (connectHelper); its `onDesktop` events go
   * to secureDesktopChanged; helper/helper-supervisor.ts starts it and calls both (tests may call them too).
   */
  attachSecureDesktopHelper(sessionId: string, helper: HelperClient): void {
    this.secureDesktop.attach(sessionId, helper);
  }

  secureDesktopChanged(sessionId: string, desktop: string): void {
    this.secureDesktop.desktop(sessionId, desktop);
  }

  /** The assistance's helper as the supervisor keeps it (null: none started for it). */
  secureDesktopHelperStatus(sessionId: string): HelperStatus | null {
    return this.helpers?.status(sessionId) ?? null;
  }

  /** Disconnects for good and stops every host it started. */
  async stop(): Promise<void> {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.stopReporting?.();
    this.secureDesktop.endAll();
    this.socket?.removeAllListeners();
    this.socket?.disconnect();
    this.socket = null;
    for (const { place } of this.logonPlaces.values()) place.close();
    await Promise.all([this.tools?.endAll(), this.opts.launcher.stopAll(), this.helpers?.stopAll()]);
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
      if (this.nobodySignedIn(target)) return await this.serveLogonScreen(request);
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
      // The assistance's secure desktop (UAC prompts, Ctrl+Alt+Del) is served by its helper, in the host's session.
      this.startHelper(sessionId, target.userSessionId);
      this.watchHost(sessionId, host);
    } catch (err) {
      const message = (err as Error).message.slice(0, 500);
      this.opts.log(`cannot start the host for session ${sessionId}: ${message}`);
      this.socket?.emit('agent:host-failed', { sessionId, message });
    }
  }

  /** However the host ends, the relay hears of it (after a stop it asked for, it has nothing left to do). */
  private watchHost(sessionId: string, host: HostHandle): void {
    void host.exited.then(() => {
      // The assistance is over with its host: its tools end now, not when the relay says so.
      void this.tools?.ended(sessionId);
      void this.helpers?.stop(sessionId);
      this.socket?.emit('agent:host-exited', { sessionId });
    });
  }

  /** No user session to start a host in, and no display of the agent's own: the device shows its logon screen. */
  private nobodySignedIn(target: { userSessionId?: string; display?: string }): boolean {
    return this.helpers?.available === true && target.userSessionId === undefined && target.display === undefined;
  }

  private startHelper(sessionId: string, userSessionId: string | undefined): void {
    // No helper on this device (not Windows, not installed): said once at start, not per assistance.
    if (!this.helpers?.available) return;
    const wts = userSessionId !== undefined && /^\d{1,10}$/.test(userSessionId) ? Number(userSessionId) : undefined;
    const answer = this.helpers.start(sessionId, wts);
    if (!answer.ok) this.opts.log(`no secure-desktop helper for assistance ${sessionId}: ${answer.message}`);
  }

  /**
   * Nobody is signed in: no host (there is no user to run it as). An unattended assistance is
   * served the logon screen by the helper, started once the operator is in; an attended one has
   * nobody to ask, and fails saying so.
   */
  private async serveLogonScreen(request: StartHost): Promise<void> {
    const { sessionId } = request;
    if (request.mode !== 'unattended')
      throw new Error(
        'nobody is signed in to this device, so nobody can consent: ask for an unattended assistance to reach its logon screen',
      );
    const place = await takeLogonScreenPlace({
      relayUrl: this.opts.relayUrl,
      sessionId,
      hostToken: request.hostToken,
      ...(this.opts.proxyAgent ? { proxyAgent: this.opts.proxyAgent } : {}),
      admitted: () => this.startHelper(sessionId, undefined),
      log: this.opts.log,
    });
    const logon: LogonAssistance = { place, request, handover: 'none' };
    this.logonPlaces.set(sessionId, logon);
    this.opts.log(
      `nobody is signed in: assistance ${sessionId} waits for its operator at the logon screen (no host started)`,
    );
    this.socket?.emit('agent:host-started', { sessionId });
    void place.exited.then(() => {
      this.logonPlaces.delete(sessionId);
      // The host started after a sign-in took the place over (the relay closed this connection): it goes on.
      if (logon.handover === 'started') return;
      void this.helpers?.stop(sessionId);
      this.secureDesktop.ended(sessionId);
      this.socket?.emit('agent:host-exited', { sessionId });
    });
  }

  /**
   * The user's desktop has the input again during a logon-screen assistance: someone signed in.
   * Once the new session is reported (Windows reports it a moment after the switch), the host
   * starts there and takes the assistance over with its resume token (host-takeover-env.ts); the
   * viewer then shows its video again. The helper stays, for the new session's UAC prompts.
   */
  private async signedIn(sessionId: string): Promise<void> {
    const logon = this.logonPlaces.get(sessionId);
    const resumeToken = logon?.place.resumeToken();
    if (!logon || logon.handover !== 'none' || !resumeToken) return;
    logon.handover = 'waiting';
    for (let i = 0; i < 30 && this.logonPlaces.get(sessionId) === logon; i++) {
      const target = await this.target(logon.request).catch(() => null);
      if (target && !this.nobodySignedIn(target)) {
        try {
          const host = await this.opts.launcher.start({
            ...logon.request,
            ...target,
            relayUrl: this.opts.relayUrl,
            verification: this.opts.verification,
            takeOver: { sessionId, resumeToken, operator: logon.request.operator },
          });
          logon.handover = 'started';
          this.opts.log(
            `signed in (session ${target.userSessionId ?? '?'}): the host (pid ${host.pid}) takes assistance ${sessionId} over`,
          );
          return this.watchHost(sessionId, host);
        } catch (err) {
          logon.handover = 'none';
          return this.opts.log(`cannot start the host after the sign-in: ${(err as Error).message}`);
        }
      }
      await new Promise((r) => setTimeout(r, 1_000));
    }
    if (logon.handover === 'waiting') logon.handover = 'none';
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
      void this.reconnect();
    }, delay);
  }

  private async reconnect(): Promise<void> {
    if (this.opts.reroute) {
      const agent = await this.opts.reroute();
      if (!this.socket) return;
      // socket.io's manager opens each new engine with these options: the next attempt takes the new way.
      (this.socket.io.opts as { agent?: unknown }).agent = agent ?? false;
    }
    this.socket?.connect();
  }
}
