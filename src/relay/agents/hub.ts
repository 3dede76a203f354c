/**
 * The relay's side of the device agents: the /agent namespace (handshake with the agent token:
 * agent-handshake.ts; every event checked against the contract, refusals as relay:error), the reports feeding the
 * registry, and the hosts agents start for assistances (AgentHosts, used by the assistance layer).
 *
 * An agent's connection can close because the agent is gone (it stopped, restarted, died) or
 * because only the connection is (Wi-Fi change, a dropped TCP connection). The first must end
 * the assistances whose hosts it started, the second must not. The handshake's `instanceId`
 * (random, new at each start of the agent process) tells them apart once the device's agent
 * connects again: the same instance gets its assistances back, re-bound to its new connection
 * (stop-host and the rest reach it there), untouched on the operator's and the user's side; a
 * different instance means the agent restarted, and its predecessor's assistances end at once.
 *
 * Until then the agent is "away", and how long its running assistances wait (pending hosts fail
 * at once, as before) depends on why socket.io says the connection closed:
 * - 'client namespace disconnect': the agent left on purpose (agent.stop()): they end now.
 * - 'transport close': the agent's side closed the TCP connection. Either its process exited
 *   (the kernel closes its sockets) or the agent dropped the connection and reconnects within
 *   about a second (src/agent/backoff.ts). A short window (closedGraceMs, 5 s) covers the second
 *   and still tells the operator and the user of a dead agent within seconds.
 * - 'ping timeout', 'transport error' (and anything else): the network failed, not the agent; the
 *   full grace (agentGraceMs, 60 s, as for hosts) gives a device changing networks time to return.
 * Ended, whether by a restart or by the grace running out, they end as an agent leaving always
 * did: the operator and the host are told `agent-restarted` and the host's connection is closed.
 * Assistances that end otherwise while their agent is away are stopped once it is back.
 */
import type { Namespace } from 'socket.io';
import type { SessionId } from '../../shared/protocol.js';
import type { AgentDeviceState, AgentHostRequest, AgentHosts } from '../assistances/agent-hosts.js';
import type { ConnId } from '../messages.js';
import type { ToolRelayDeps } from '../tools/tool-relay.js';
import { shownEventName } from '../validate.js';
import type { HostBinding } from './host-tokens.js';
import { checkAgentHandshakes } from './agent-handshake.js';
import { handleAgentEvent } from './agent-commands.js';
import {
  ANY_INSTANCE,
  awayGraceMs,
  type AgentAssistance,
  type AgentData,
  type AgentGoneReason,
  type AgentHubDeps,
  type AgentNamespace,
  type AgentSocket,
  type AwayAgent,
} from './hub-model.js';
import type { SecureDesktopRelayDeps } from '../secure-desktop/secure-desktop-relay.js';

export { awayGraceMs, type AgentHubDeps } from './hub-model.js';

export class AgentHub implements AgentHosts {
  private nsp: AgentNamespace | null = null;
  private readonly assistances = new Map<SessionId, AgentAssistance>();
  /** By device id. */
  private readonly away = new Map<string, AwayAgent>();
  /** Set by close(): the relay is stopping. */
  private closed = false;

  constructor(private readonly deps: AgentHubDeps) {}

  /** Serves the agent namespace (socket.io types every namespace of a server alike, hence the loose parameter). */
  attach(namespace: Namespace): void {
    const nsp = namespace as unknown as AgentNamespace;
    this.nsp = nsp;
    checkAgentHandshakes(nsp, this.deps);
    nsp.on('connection', (socket) => this.connected(socket));
  }

  /**
   * An assistance carried over a relay restart (assistances/restart.ts) whose host this device's
   * agent started: its agent is away until it reconnects, for the full grace; then what it
   * started is its own again (agent:stop-host when the assistance ends). An agent connected
   * already (a node taking over a dead node's assistance) has it at once.
   */
  carriedOver(sessionId: SessionId, deviceId: string): void {
    // Taken over from a relay node that died (assistances/takeover.ts), its agent already here.
    const live = this.deps.registry.connection(deviceId);
    if (live !== null) {
      this.assistances.set(sessionId, { deviceId, agentConn: live, hostConn: null, pending: null });
      return;
    }
    const conn = `carried-over:${deviceId}`;
    this.assistances.set(sessionId, { deviceId, agentConn: conn, hostConn: null, pending: null });
    if (this.away.has(deviceId)) return;
    const timer = setTimeout(() => {
      this.away.delete(deviceId);
      const why = 'assistances ended: their agent did not come back after the relay restarted';
      this.agentGone(conn, why, 'relay-restarted');
    }, this.deps.agentGraceMs);
    timer.unref();
    this.away.set(deviceId, { instanceId: ANY_INSTANCE, conn, timer, stops: [] });
  }

  /** The relay is stopping: no grace runs on, nothing an agent's leaving does is acted on any more. */
  close(): void {
    this.closed = true;
    for (const away of this.away.values()) clearTimeout(away.timer);
    this.away.clear();
    for (const assistance of this.assistances.values()) if (assistance.pending) clearTimeout(assistance.pending.timer);
  }

  // --- AgentHosts, for the assistance layer ---

  device(deviceId: string): AgentDeviceState | null {
    const device = this.deps.registry.get(deviceId);
    return device && { online: device.online, userSessions: device.userSessions, name: device.hostname };
  }

  startHost(deviceId: string, request: AgentHostRequest): Promise<void> {
    const agentConn = this.deps.registry.connection(deviceId);
    if (!agentConn) return Promise.reject(new Error("the device's agent is not connected"));
    const { sessionId, mode, operator, deviceName, userSessionId } = request;
    const hostToken = this.deps.hostTokens.issue({ sessionId, deviceId, deviceName });
    return new Promise<void>((resolve, reject) => {
      const limit = this.deps.hostStartTimeoutMs;
      const seconds = (limit / 1000).toFixed(limit % 1000 === 0 ? 0 : 1);
      const timer = setTimeout(
        () => this.fail(sessionId, `its agent did not get the host connected within ${seconds} s`),
        limit,
      );
      this.assistances.set(sessionId, { deviceId, agentConn, hostConn: null, pending: { resolve, reject, timer } });
      this.agent(agentConn)?.emit('agent:start-host', {
        sessionId,
        mode,
        hostToken,
        operator,
        ...(userSessionId ? { userSessionId } : {}),
      });
      this.deps.logger.info('agent asked to start a host', { device: deviceId, session: sessionId, mode });
    });
  }

  arrived(sessionId: SessionId, conn: ConnId): void {
    const assistance = this.assistances.get(sessionId);
    if (!assistance?.pending) return;
    clearTimeout(assistance.pending.timer);
    assistance.pending.resolve();
    assistance.pending = null;
    assistance.hostConn = conn;
  }

  ended(sessionId: SessionId): void {
    const assistance = this.assistances.get(sessionId);
    if (!assistance) return;
    this.fail(sessionId, 'the assistance ended');
    this.assistances.delete(sessionId);
    this.deps.toolsEnded(sessionId);
    // Whether the host is still running or not: the agent stops what it started, now or once back.
    const agent = this.agent(assistance.agentConn);
    if (agent) agent.emit('agent:stop-host', { sessionId });
    else {
      const away = this.away.get(assistance.deviceId);
      if (away?.conn === assistance.agentConn) away.stops.push(sessionId);
    }
  }

  /** A tool message for the agent of a running assistance, over its own connection; false when it is not connected. */
  sendTool: ToolRelayDeps['toAgent'] = (sessionId, message) => {
    const agent = this.runningAgent(sessionId);
    if (!agent) return false;
    if (message.event === 'tool:request') agent.emit('tool:request', message.payload);
    else agent.emit('tool:close', message.payload);
    return true;
  };

  /** Secure-desktop input for the agent of a running assistance, over its own connection; false when not connected. */
  sendSecureDesktopInput: SecureDesktopRelayDeps['toAgent'] = (sessionId, payload) => {
    const agent = this.runningAgent(sessionId);
    if (!agent) return false;
    agent.emit('secure-desktop:input', payload);
    return true;
  };

  /** Whether an operator is watching the assistance, for the agent's secure-desktop capture. */
  sendWatched(sessionId: SessionId, watched: boolean): void {
    this.runningAgent(sessionId)?.emit('agent:watched', { sessionId, watched });
  }

  /** For the handshake of a host the agent started: the assistance its token was issued for, once. */
  redeemHostToken(token: string): HostBinding | null {
    const binding = this.deps.hostTokens.redeem(token);
    return binding && this.assistances.get(binding.sessionId)?.pending ? binding : null;
  }

  /** A host token's MAC, to ask the other nodes about it (cluster.ts). */
  hostTokenMac(token: string): string {
    return this.deps.hostTokens.hash(token);
  }

  /** Whether a host this node's agent is starting holds the token of that MAC (cluster.ts). */
  holdsHostToken(mac: string): boolean {
    return this.deps.hostTokens.holds(mac);
  }

  // --- the agent namespace ---

  private connected(socket: AgentSocket): void {
    const { registry, logger } = this.deps;
    const { deviceId, instanceId } = socket.data;
    const previous = registry.agentConnected(deviceId, socket.id);
    logger.info('agent connected', { socket: socket.id, device: deviceId, instance: instanceId });
    const stops: SessionId[] = [];
    const away = this.away.get(deviceId);
    if (away) {
      clearTimeout(away.timer);
      this.away.delete(deviceId);
      const running = this.runningIdsOn(away.conn);
      if (this.takeOver(away.conn, away.instanceId, socket)) {
        stops.push(...away.stops);
        this.deps.agentPresence(running, true);
      }
    }
    const old = previous === null ? undefined : this.agent(previous);
    if (previous !== null) {
      // A half-open connection the relay has not seen close yet: the same agent on a new one, or its successor.
      this.takeOver(previous, old?.data.instanceId ?? null, socket);
      old?.disconnect(true);
    }
    socket.emit('agent:ready', { deviceId, heartbeatMs: this.deps.heartbeatMs });
    for (const sessionId of stops) socket.emit('agent:stop-host', { sessionId });
    const refuseRate = (event: string, message: string, _retryAfterMs: number, close: boolean) => {
      socket.emit('relay:error', { code: 'rate-limited', message, event });
      if (close) socket.disconnect(true);
    };
    const gate = this.deps.guard.eventGate(socket, refuseRate);
    const toolGate = this.deps.guard.eventGate(socket, refuseRate, 'tools');
    socket.onAny((name: unknown, payload: unknown) => {
      const event = String(name);
      if (!(event === 'tool:event' ? toolGate : gate)(shownEventName(event))) return;
      try {
        this.handle(socket, event, payload);
      } catch (err) {
        logger.error('agent handler failed', {
          socket: socket.id,
          event: shownEventName(event),
          error: err instanceof Error ? err.message : String(err),
        });
      }
    });
    socket.on('disconnect', (reason) => {
      // The relay is stopping: what agents started carries over to its next run (assistances/restart.ts).
      if (this.closed) return;
      logger.info('agent disconnected', { socket: socket.id, device: deviceId, reason });
      registry.agentDisconnected(deviceId, socket.id);
      this.agentLeft(socket.data, socket.id, reason);
    });
  }

  /**
   * A new connection for the device replaces `conn`: the same instance gets the running assistances
   * bound to it (true), a different one (the agent restarted) ends them, as it fails pending hosts.
   */
  private takeOver(conn: ConnId, instanceId: string | null, socket: AgentSocket): boolean {
    if (instanceId !== ANY_INSTANCE && instanceId !== socket.data.instanceId) {
      this.agentGone(conn, 'assistances ended: their agent restarted');
      return false;
    }
    const running = this.runningOn(conn);
    for (const assistance of running) assistance.agentConn = socket.id;
    const count = running.length;
    if (count > 0) this.deps.logger.info('agent back: its assistances go on', { device: socket.data.deviceId, count });
    return true;
  }

  /** The agent's connection closed: its pending hosts fail; its running assistances end now or wait for it. */
  private agentLeft({ deviceId, instanceId }: AgentData, conn: ConnId, reason: string): void {
    this.failPending(conn);
    const count = this.runningOn(conn).length;
    if (count === 0) return;
    const graceMs = awayGraceMs(reason, this.deps);
    if (graceMs === 0) return this.agentGone(conn, "assistances ended by their agent's disconnection");
    const timer = setTimeout(() => {
      this.away.delete(deviceId);
      this.agentGone(conn, 'assistances ended: their agent did not come back in time');
    }, graceMs);
    // The relay's server keeps the process alive; a grace alone must not.
    timer.unref();
    this.away.set(deviceId, { instanceId, conn, timer, stops: [] });
    this.deps.agentPresence(this.runningIdsOn(conn), false);
    this.deps.logger.info('agent away: its assistances wait for it', { device: deviceId, count, reason, graceMs });
  }

  private handle(socket: AgentSocket, event: string, payload: unknown): void {
    handleAgentEvent(
      { deps: this.deps, assistances: this.assistances, fail: (id, why) => this.fail(id, why) },
      socket,
      event,
      payload,
    );
  }

  /** The agent of that connection is gone: its pending hosts fail, its running ones' assistances end. */
  private agentGone(agentConn: ConnId, why: string, reason: AgentGoneReason = 'agent-restarted'): void {
    // Taken before the pending ones fail (failing clears their pending state).
    const started = [...this.assistances].filter(([, a]) => a.agentConn === agentConn && a.pending === null);
    this.failPending(agentConn);
    const running = started.map(([sessionId]) => sessionId);
    // Carried over a relay restart, a host may not have come back yet: nothing to disconnect then.
    const hosts = started.flatMap(([, a]) => (a.hostConn === null ? [] : [a.hostConn]));
    if (running.length === 0) return;
    this.deps.logger.info(why, { count: running.length });
    this.deps.deliver(this.deps.endAssistances(running, reason));
    // Told why; its one-time token is spent, so its connection has nothing left to do.
    for (const conn of hosts) this.deps.disconnectHost(conn);
  }

  private failPending(agentConn: ConnId): void {
    for (const [sessionId, assistance] of this.assistances) {
      if (assistance.agentConn === agentConn && assistance.pending)
        this.fail(sessionId, "the device's agent disconnected before its host was in");
    }
  }

  /** The assistances the agent of that connection started whose host is in (not starting any more). */
  private runningOn(conn: ConnId): AgentAssistance[] {
    // Running: its host is in (or, carried over a relay restart, coming back with its resume token).
    return [...this.assistances.values()].filter((a) => a.agentConn === conn && a.pending === null);
  }

  private runningIdsOn(conn: ConnId): SessionId[] {
    return [...this.assistances].filter(([, a]) => a.agentConn === conn && a.pending === null).map(([id]) => id);
  }

  private fail(sessionId: SessionId, message: string): void {
    const assistance = this.assistances.get(sessionId);
    this.deps.hostTokens.revoke(sessionId);
    if (!assistance?.pending) return;
    clearTimeout(assistance.pending.timer);
    assistance.pending.reject(new Error(message));
    assistance.pending = null;
  }

  private agent(conn: ConnId): AgentSocket | undefined {
    return this.nsp?.sockets.get(conn);
  }

  /** The connected agent of an assistance whose host is in; undefined while it starts or the agent is away. */
  private runningAgent(sessionId: SessionId): AgentSocket | undefined {
    const assistance = this.assistances.get(sessionId);
    return assistance && assistance.pending === null ? this.agent(assistance.agentConn) : undefined;
  }
}
