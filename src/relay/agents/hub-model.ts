/**
 * What the agent hub (hub.ts) keeps: per assistance whose host an agent started, which agent
 * connection it belongs to and whether its host is in; per device whose agent is away, what it
 * waits for and for how long (awayGraceMs: the hub's opening comment says why).
 */
import type { ConnId } from '../messages.js';
import type { EndReason, SessionId } from '../../shared/protocol.js';

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
