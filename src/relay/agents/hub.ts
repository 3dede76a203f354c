/**
 * The relay's side of the device agents: the /agent namespace (handshake with the agent token,
 * every event checked against the contract, refusals as relay:error), the reports feeding the
 * registry, and the hosts agents start for assistances (AgentHosts, used by the assistance layer).
 *
 * An agent that disconnects ends the assistances whose hosts it started, at once: the operator
 * and the host are told `agent-restarted` and the host's connection is closed, rather than
 * leaving a session whose device side nobody manages any more.
 */
import type { Namespace, Socket } from 'socket.io';
import type { z } from 'zod';
import {
  AgentHandshake,
  agentEvents,
  type AgentToRelayEvents,
  type RelayToAgentEvents,
} from '../../shared/agent-protocol.js';
import { connectRefusalError, type SessionId } from '../../shared/protocol.js';
import type { AgentDeviceState, AgentHostRequest, AgentHosts } from '../assistances/agent-hosts.js';
import type { DeviceRegistry } from '../devices.js';
import type { RelayLogger } from '../log.js';
import type { ConnId, Outgoing } from '../messages.js';
import { shownEventName, summarizeIssues } from '../validate.js';
import type { HostBinding, HostTokens } from './host-tokens.js';
import type { AgentRegistry } from './registry.js';

interface AgentData {
  deviceId: string;
}
type AgentNamespace = Namespace<AgentToRelayEvents, RelayToAgentEvents, Record<string, never>, AgentData>;
type AgentSocket = Socket<AgentToRelayEvents, RelayToAgentEvents, Record<string, never>, AgentData>;

export interface AgentHubDeps {
  registry: AgentRegistry;
  devices: DeviceRegistry;
  hostTokens: HostTokens;
  logger: RelayLogger;
  /** How often agents report when nothing changes (agent:ready tells them). */
  heartbeatMs: number;
  /** How long an agent has to get its host connected. */
  hostStartTimeoutMs: number;
  /** Ends assistances whose agent is gone: the messages to deliver (session:ended to both sides). */
  endAssistances: (sessionIds: SessionId[]) => Outgoing[];
  deliver: (out: Outgoing[]) => void;
  /** Closes a host's connection on the default namespace. */
  disconnectHost: (conn: ConnId) => void;
}

/** An assistance whose host an agent was asked to start. */
interface AgentAssistance {
  deviceId: string;
  agentConn: ConnId;
  /** Set once the host is in. */
  hostConn: ConnId | null;
  /** Until the host is in (or could not start). */
  pending: { resolve(): void; reject(err: Error): void; timer: NodeJS.Timeout } | null;
}

export class AgentHub implements AgentHosts {
  private nsp: AgentNamespace | null = null;
  private readonly assistances = new Map<SessionId, AgentAssistance>();

  constructor(private readonly deps: AgentHubDeps) {}

  /** Serves the agent namespace (socket.io types every namespace of a server alike, hence the loose parameter). */
  attach(namespace: Namespace): void {
    const nsp = namespace as unknown as AgentNamespace;
    this.nsp = nsp;
    const { logger } = this.deps;
    nsp.use((socket, next) => {
      this.authenticate(socket.handshake.auth).then(
        (deviceId) => {
          if (deviceId === null) {
            logger.warn('agent handshake refused', { socket: socket.id });
            // Final for the agent (src/agent/agent.ts): someone must enrol the device again.
            return next(connectRefusalError('unauthorized', 'invalid or revoked agent token'));
          }
          socket.data = { deviceId };
          next();
        },
        (err: unknown) => {
          logger.error('agent handshake failed', {
            socket: socket.id,
            error: err instanceof Error ? err.message : String(err),
          });
          next(connectRefusalError('unavailable', 'the relay could not check the credentials'));
        },
      );
    });
    nsp.on('connection', (socket) => this.connected(socket));
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
    // Whether the host is still running or not: the agent stops what it started.
    this.agent(assistance.agentConn)?.emit('agent:stop-host', { sessionId });
  }

  /** For the handshake of a host the agent started: the assistance its token was issued for, once. */
  redeemHostToken(token: string): HostBinding | null {
    const binding = this.deps.hostTokens.redeem(token);
    return binding && this.assistances.get(binding.sessionId)?.pending ? binding : null;
  }

  // --- the agent namespace ---

  private async authenticate(auth: unknown): Promise<string | null> {
    const parsed = AgentHandshake.safeParse(auth);
    if (!parsed.success) return null;
    const device = await this.deps.devices.verify(parsed.data.agentToken);
    // A device token of a host-only device (relay device add) is not an agent's.
    return device && this.deps.registry.has(device.id) ? device.id : null;
  }

  private connected(socket: AgentSocket): void {
    const { registry, logger } = this.deps;
    const { deviceId } = socket.data;
    const previous = registry.agentConnected(deviceId, socket.id);
    logger.info('agent connected', { socket: socket.id, device: deviceId });
    if (previous) {
      // A half-open connection from before the agent restarted: what it started is over.
      this.agentGone(previous);
      this.agent(previous)?.disconnect(true);
    }
    socket.emit('agent:ready', { deviceId, heartbeatMs: this.deps.heartbeatMs });
    socket.onAny((event: string, payload: unknown) => {
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
      logger.info('agent disconnected', { socket: socket.id, device: deviceId, reason });
      registry.agentDisconnected(deviceId, socket.id);
      this.agentGone(socket.id);
    });
  }

  private handle(socket: AgentSocket, event: string, payload: unknown): void {
    const { deviceId } = socket.data;
    const shown = shownEventName(event);
    const refuse = (code: string, message: string) => {
      this.deps.logger.warn('agent refused', { socket: socket.id, event: shown, code, message });
      socket.emit('relay:error', { code, message, event: shown });
    };
    const invalid = (error: z.ZodError) => refuse('bad-payload', `invalid ${shown} payload: ${summarizeIssues(error)}`);
    // An agent speaks only of the assistances it was asked to start.
    const ours = (sessionId: SessionId): boolean => {
      if (this.assistances.get(sessionId)?.agentConn === socket.id) return true;
      refuse('not-in-session', `session ${sessionId} is not one this agent was asked to start`);
      return false;
    };
    switch (event) {
      case 'agent:report': {
        const parsed = agentEvents[event].safeParse(payload);
        if (!parsed.success) return invalid(parsed.error);
        return this.deps.registry.report(deviceId, socket.id, parsed.data);
      }
      case 'agent:host-started': {
        const parsed = agentEvents[event].safeParse(payload);
        if (!parsed.success) return invalid(parsed.error);
        if (!ours(parsed.data.sessionId)) return;
        return this.deps.logger.info('agent started a host', { device: deviceId, session: parsed.data.sessionId });
      }
      case 'agent:host-failed': {
        const parsed = agentEvents[event].safeParse(payload);
        if (!parsed.success) return invalid(parsed.error);
        const { sessionId, message } = parsed.data;
        if (!ours(sessionId)) return;
        this.deps.logger.warn('agent could not start a host', { device: deviceId, session: sessionId, message });
        return this.fail(sessionId, message);
      }
      default:
        return refuse('unknown-event', `unknown event "${shown}"`);
    }
  }

  /** The agent's connection is gone: its pending hosts fail, its running ones' assistances end. */
  private agentGone(agentConn: ConnId): void {
    const running: SessionId[] = [];
    const hosts: ConnId[] = [];
    for (const [sessionId, assistance] of this.assistances) {
      if (assistance.agentConn !== agentConn) continue;
      if (assistance.pending) this.fail(sessionId, "the device's agent disconnected before its host was in");
      else {
        running.push(sessionId);
        if (assistance.hostConn) hosts.push(assistance.hostConn);
      }
    }
    if (running.length === 0) return;
    this.deps.logger.info("assistances ended by their agent's disconnection", { count: running.length });
    this.deps.deliver(this.deps.endAssistances(running));
    // Told why; its one-time token is spent, so its connection has nothing left to do.
    for (const conn of hosts) this.deps.disconnectHost(conn);
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
}
