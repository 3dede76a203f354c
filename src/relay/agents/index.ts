/**
 * The relay's agent side in one piece, for the server to wire: the agents' tables, enrolment
 * tokens, the registry of what devices report, POST /api/v1/enrol, and the hub serving the
 * /agent namespace and starting hosts for assistances.
 */
import type { Clock } from '../clock.js';
import type { TokenMac } from '../credentials/token-mac.js';
import type { DeviceRegistry } from '../devices.js';
import type { ClientGuard } from '../limits/connections.js';
import type { RelayLogger } from '../log.js';
import type { ConnId, Outgoing } from '../messages.js';
import type { SessionId } from '../../shared/protocol.js';
import { enrolAgent, type EnrolDeps, type EnrolResult } from './enrol.js';
import { EnrolmentTokens } from './enrolment-tokens.js';
import { HostTokens } from './host-tokens.js';
import { AgentHub, type AgentHubDeps } from './hub.js';
import { AgentRegistry } from './registry.js';
import type { AgentStore } from './agent-store.js';

export const DEFAULT_AGENT_HEARTBEAT_MS = 15_000;
/** Electron starting on a busy machine takes seconds, not half a minute. */
export const DEFAULT_HOST_START_TIMEOUT_MS = 30_000;
/** How long assistances wait for an agent whose connection broke (as the host grace). */
export const DEFAULT_AGENT_GRACE_MS = 60_000;
/** The same when the agent's side closed the connection: its backoff brings it back within ~1 s, a dead one never. */
export const DEFAULT_AGENT_CLOSED_GRACE_MS = 5_000;

export interface AgentsOptions {
  /** The relay store's agent tables. */
  store: AgentStore;
  /** How enrolment and host tokens are kept (their MAC under the token pepper). */
  tokenMac: TokenMac;
  devices: DeviceRegistry;
  clock: Clock;
  logger: RelayLogger;
  guard: ClientGuard;
  heartbeatMs?: number;
  hostStartTimeoutMs?: number;
  agentGraceMs?: number;
  agentClosedGraceMs?: number;
  endAssistances: AgentHubDeps['endAssistances'];
  deliver: (out: Outgoing[]) => void;
  disconnectHost: (conn: ConnId) => void;
  hostExited: (sessionId: SessionId, deviceId: string) => Outgoing[];
  agentPresence: (sessionIds: SessionId[], present: boolean) => void;
  deviceGone: (deviceId: string) => boolean;
  credentialReplaced: EnrolDeps['credentialReplaced'];
  toolEvent: AgentHubDeps['toolEvent'];
  secureDesktopRefused: AgentHubDeps['secureDesktopRefused'];
  secureDesktopStream: AgentHubDeps['secureDesktopStream'];
  toolsEnded: AgentHubDeps['toolsEnded'];
  onEnrolled?: EnrolDeps['onEnrolled'];
}

export interface Agents {
  enrolment: EnrolmentTokens;
  registry: AgentRegistry;
  hub: AgentHub;
  enrol: (body: unknown) => Promise<EnrolResult>;
}

export function openAgents(opts: AgentsOptions): Agents {
  const { devices, clock, logger } = opts;
  const { store, tokenMac } = opts;
  const enrolment = new EnrolmentTokens(store, tokenMac, clock);
  const registry = new AgentRegistry(store, clock);
  const hub = new AgentHub({
    registry,
    devices,
    hostTokens: new HostTokens(tokenMac),
    logger,
    guard: opts.guard,
    heartbeatMs: opts.heartbeatMs ?? DEFAULT_AGENT_HEARTBEAT_MS,
    hostStartTimeoutMs: opts.hostStartTimeoutMs ?? DEFAULT_HOST_START_TIMEOUT_MS,
    agentGraceMs: opts.agentGraceMs ?? DEFAULT_AGENT_GRACE_MS,
    closedGraceMs: opts.agentClosedGraceMs ?? DEFAULT_AGENT_CLOSED_GRACE_MS,
    endAssistances: opts.endAssistances,
    deliver: opts.deliver,
    disconnectHost: opts.disconnectHost,
    hostExited: opts.hostExited,
    agentPresence: opts.agentPresence,
    deviceGone: opts.deviceGone,
    toolEvent: opts.toolEvent,
    secureDesktopRefused: opts.secureDesktopRefused,
    secureDesktopStream: opts.secureDesktopStream,
    toolsEnded: opts.toolsEnded,
  });
  return {
    enrolment,
    registry,
    hub,
    enrol: (body) =>
      enrolAgent(
        {
          tokens: enrolment,
          devices,
          registry,
          clock,
          logger,
          credentialReplaced: opts.credentialReplaced,
          ...(opts.onEnrolled ? { onEnrolled: opts.onEnrolled } : {}),
        },
        body,
      ),
  };
}
