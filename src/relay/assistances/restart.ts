/**
 * What a relay restart carries on. Support desks restart their relay for updates, and it may
 * crash: the assistances running then are not over. Their WebRTC media and input never passed
 * through the relay and flow on meanwhile; each side reconnects by itself and comes back with
 * its own resume token (the host with assistance:prepared's, the admitted operator with
 * session:admitted's), and the sessions are set up again here, as they were, both sides away.
 *
 * The grace periods count from when the relay went down, as its last heartbeat (the sweep's,
 * every few seconds) tells: the host's (hostGraceMs) and the operator's (graceMs). An
 * assistance whose host never came in is over (its agent's request died with the relay); so
 * is one whose operator has been removed meanwhile.
 */
import type { EndReason, OperatorIdentity, SessionId } from '../../shared/protocol.js';
import { RELAY_ACTOR, type AuditActor } from '../audit/audit-trail.js';
import type { Clock } from '../clock.js';
import type { RelayLogger } from '../log.js';
import type { SessionTable } from '../sessions.js';
import type { AssistanceRecord, RelayStore } from '../store/store.js';
import type { AgentHosts } from './agent-hosts.js';
import type { Side } from './lifecycle.js';
import type { AssistanceLifecycles } from './lifecycles.js';
import type { AssistanceSettings } from './settings.js';

export interface CarryOverDeps {
  store: RelayStore;
  clock: Clock;
  logger: RelayLogger;
  settings: Pick<AssistanceSettings, 'hostGraceMs' | 'graceMs'>;
  sessions: SessionTable;
  agentHosts: Pick<AgentHosts, 'device' | 'carriedOver'>;
  lifecycles: AssistanceLifecycles;
  finish: (sessionId: SessionId, reason: EndReason, actor: AuditActor) => unknown;
}

/** Sets up again the sessions of the assistances the last run left running; how many. */
export function carryOverRunning(deps: CarryOverDeps): number {
  const { store, clock, logger } = deps;
  const downSince = Math.min(store.lastAlive() ?? clock.now(), clock.now());
  let carried = 0;
  for (const record of store.runningAssistances()) if (carryOver(deps, record, downSince)) carried++;
  if (carried > 0) logger.info('assistances carried over the restart', { count: carried, downSince });
  return carried;
}

/**
 * Sets up one assistance again, its sides cut off since `downSince` (a restart, or a node that
 * died and whose assistance this node took over: takeover.ts); false when it ended instead.
 */
export function carryOver(deps: CarryOverDeps, record: AssistanceRecord, downSince: number): boolean {
  const { store, settings, sessions, agentHosts, lifecycles, finish } = deps;
  const { sessionId } = record;
  if (!record.hostResumeHash || record.deviceName === null) {
    // Its agent's request to start the host died with the last run: the restart ended it.
    finish(sessionId, 'relay-restarted', RELAY_ACTOR);
    return false;
  }
  const admitted = record.resumeHash !== null && record.accessMode !== null;
  const operator = admitted ? identity(store, record.operatorId) : null;
  if (admitted && !operator) {
    finish(sessionId, 'operator-revoked', RELAY_ACTOR);
    return false;
  }
  sessions.restore({
    sessionId,
    mode: record.mode,
    deviceName: record.deviceName,
    operator: operator && { identity: operator, mode: record.accessMode! },
  });
  const device = agentHosts.device(record.deviceId);
  if (device) agentHosts.carriedOver(sessionId, record.deviceId);
  // Every side was cut off with the relay: each is away until it is back (an agent connected here already is back).
  const agent = device !== null && !device.online;
  const away = lifecycles.state(sessionId)?.away ?? [];
  const cutOff: Side[] = ['host', ...(admitted ? (['operator'] as const) : []), ...(agent ? (['agent'] as const) : [])];
  for (const side of cutOff) if (!away.includes(side)) lifecycles.report(sessionId, { type: 'away', side });
  store.updateAssistance(sessionId, {
    hostAwayUntil: record.hostAwayUntil ?? downSince + settings.hostGraceMs,
    // An admitted operator is away too; one not in yet keeps the deadline it had.
    ...(admitted ? { expiresAt: record.expiresAt ?? downSince + settings.graceMs } : {}),
  });
  return true;
}

function identity(store: RelayStore, operatorId: string): OperatorIdentity | null {
  const record = store.getOperator(operatorId);
  return record && { id: record.id, name: record.name, organisation: record.organisation };
}
