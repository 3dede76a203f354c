/**
 * What the agent hub (hub.ts) keeps: per assistance whose host an agent started, which agent
 * connection it belongs to and whether its host is in; per device whose agent is away, what it
 * waits for and for how long (awayGraceMs: the hub's opening comment says why); and what the
 * hub is built with (AgentHubDeps) and the agents' socket types.
 */
import type { Namespace, Socket } from 'socket.io';
import type { z } from 'zod';
import { agentEvents, type AgentToRelayEvents, type RelayToAgentEvents } from '../../shared/agent-protocol.js';
import { MAX_NESTING, nestedTooDeep, summarizeIssues } from '../validate.js';
import type { ToolEvent } from '../../shared/tools-protocol.js';
import type { DeviceRegistry } from '../devices.js';
import type { ClientGuard } from '../limits/connections.js';
import type { RelayLogger } from '../log.js';
import type { ConnId, Outgoing } from '../messages.js';
import type { HostTokens } from './host-tokens.js';
import type { AgentRegistry } from './registry.js';
import type { EndReason, SessionId } from '../../shared/protocol.js';
import type { SecureDesktopUpdate } from '../secure-desktop/secure-desktop-stream.js';

/**
 * Why the assistances of an agent that is gone end: its own restart, or, after the relay's
 * restart, its not coming back (no agent restart: the relay's, as the audit says).
 */
export type AgentGoneReason = Extract<EndReason, 'agent-restarted' | 'relay-restarted'>;

/** An assistance whose host an agent was asked to start. */
export interface AgentAssistance {
  deviceId: string;
  agentConn: ConnId;
  /** Set once the host is in. */
  hostConn: ConnId | null;
  /** Until the host is in (or could not start). */
  pending: { resolve(): void; reject(err: Error): void; timer: NodeJS.Timeout } | null;
}

/** After a relay restart the instance an agent had is not known: whichever comes back for the device is taken. */
export const ANY_INSTANCE = '*';

/** A device whose agent's connection closed while its assistances ran; at most one per device. */
export interface AwayAgent {
  /** The instance whose return keeps the assistances; ANY_INSTANCE after a relay restart. */
  instanceId: string;
  /** The closed connection its running assistances are still bound to. */
  conn: ConnId;
  timer: NodeJS.Timeout;
  /** Assistances that ended meanwhile: the agent is told to stop their hosts when it is back. */
  stops: SessionId[];
}

/**
 * How long running assistances wait for their agent after its connection closed for `reason`
 * (socket.io's disconnect reason): 0 to end them now. The hub's opening comment says why.
 */
export function awayGraceMs(reason: string, grace: { agentGraceMs: number; closedGraceMs: number }): number {
  switch (reason) {
    case 'client namespace disconnect': // the agent left on purpose
    case 'server namespace disconnect': // the hub closed it, having dealt with what it started
    case 'server shutting down':
      return 0;
    case 'transport close':
      return Math.min(grace.closedGraceMs, grace.agentGraceMs);
    default: // 'ping timeout', 'transport error': the network, not the agent
      return grace.agentGraceMs;
  }
}

export interface AgentData {
  deviceId: string;
  /** New at each start of the agent process: a different one on reconnection means it restarted. */
  instanceId: string;
}
export type AgentNamespace = Namespace<AgentToRelayEvents, RelayToAgentEvents, Record<string, never>, AgentData>;
export type AgentSocket = Socket<AgentToRelayEvents, RelayToAgentEvents, Record<string, never>, AgentData>;

export interface AgentHubDeps {
  registry: AgentRegistry;
  devices: DeviceRegistry;
  hostTokens: HostTokens;
  logger: RelayLogger;
  /** The event rate and what waits for agents not reading (limits/connections.ts), as on the default namespace. */
  guard: ClientGuard;
  /** How often agents report when nothing changes (agent:ready tells them). */
  heartbeatMs: number;
  /** How long an agent has to get its host connected. */
  hostStartTimeoutMs: number;
  /** How long the assistances of an agent whose connection broke wait for the same agent instance. */
  agentGraceMs: number;
  /** The same after its side closed the connection ('transport close'): a dead agent or a reconnecting one. */
  closedGraceMs: number;
  /** Ends assistances whose agent is gone: the messages to deliver (session:ended to both sides). */
  endAssistances: (sessionIds: SessionId[], reason: AgentGoneReason) => Outgoing[];
  deliver: (out: Outgoing[]) => void;
  /** The host of an assistance ended (its process exited): the assistance is over (host-closed). */
  hostExited: (sessionId: SessionId, deviceId: string) => Outgoing[];
  /** Closes a host's connection on the default namespace. */
  disconnectHost: (conn: ConnId) => void;
  /** The running assistances of an agent whose connection dropped (false) or that came back (true). */
  agentPresence: (sessionIds: SessionId[], present: boolean) => void;
  /** Whether the device was removed since the agent's handshake (then revoked: its event is not acted on). */
  deviceGone: (deviceId: string) => boolean;
  /** What an assistance's tool answered (src/relay/tools/): the messages for its operator and host. */
  toolEvent: (sessionId: SessionId, event: ToolEvent) => Outgoing[];
  /** The agent (or its helper) could not act on secure-desktop input: its operator is told why. */
  secureDesktopRefused: (sessionId: SessionId, refusal: { code: string; message: string }) => Outgoing[];
  /** The secure desktop's state (to operator and host) or a frame (to the admitted operator only). */
  secureDesktopStream: (sessionId: SessionId, update: SecureDesktopUpdate) => Outgoing[];
  /** An assistance is over: the agent closes its tools with its host (agent:stop-host), the relay forgets them. */
  toolsEnded: (sessionId: SessionId) => void;
}

type AgentEventName = keyof typeof agentEvents;
/** An agent's event, checked against its schema. */
export type AgentCommand = {
  [E in AgentEventName]: { event: E; payload: z.output<(typeof agentEvents)[E]> };
}[AgentEventName];

/** An agent's event checked (known, not nested too deep, its schema), or why not; `shown`: its name as logged. */
export function parseAgentCommand(
  event: string,
  payload: unknown,
  shown: string,
): { command: AgentCommand } | { refused: { code: string; message: string } } {
  if (!Object.hasOwn(agentEvents, event))
    return { refused: { code: 'unknown-event', message: `unknown event "${shown}"` } };
  if (nestedTooDeep(payload))
    return {
      refused: { code: 'bad-payload', message: `invalid ${shown} payload: nested more than ${MAX_NESTING} deep` },
    };
  const parsed = agentEvents[event as AgentEventName].safeParse(payload);
  if (!parsed.success)
    return { refused: { code: 'bad-payload', message: `invalid ${shown} payload: ${summarizeIssues(parsed.error)}` } };
  return { command: { event, payload: parsed.data } as AgentCommand };
}
