/**
 * One of several relay nodes died mid-assistance (cluster.ts): its host and operator reconnect,
 * through the proxy, to another node, which takes the assistance over and carries it on as a
 * restart does (restart.ts), so that both resume with their tokens and nobody is asked again.
 *
 * The store says who owns each running assistance (its owner_node) and when each node last said
 * it was running (its heartbeat, every NODE_HEARTBEAT_MS). A node asked about an assistance it
 * does not hold takes it over only when its owner has been silent for NODE_STALE_MS, with one
 * conditional statement (compare and set on the owner), so that of nodes racing for it exactly
 * one wins; while the owner's heartbeat is fresh the assistance stays the owner's, and the
 * client is sent to reconnect until it reaches it (or until the owner is found dead). The sweep
 * of each live node also takes over what silent nodes left (adoptOrphans), so that an assistance
 * nobody resumes ends by its grace periods as on one relay.
 */
import type { SessionId } from '../../shared/protocol.js';
import { RELAY_ACTOR, type AuditTrail } from '../audit/audit-trail.js';
import type { Clock } from '../clock.js';
import type { AssistanceLifecycles } from './lifecycles.js';
import { carryOver, type CarryOverDeps } from './restart.js';

/** How often a node of several writes its heartbeat row. */
export const NODE_HEARTBEAT_MS = 2_000;
/** A node silent this long is taken for dead: its assistances go to whichever node is asked first. */
export const NODE_STALE_MS = 6_000;

/**
 * Where an assistance lives, for a command or a host arriving at this node: `here` (held here,
 * now or after taking it over), `elsewhere` (a live node owns it: reach it there), `unknown` (no
 * running assistance: the usual answers apply).
 */
export type Ownership = 'here' | 'elsewhere' | 'unknown';

export interface TakeOverDeps extends CarryOverDeps {
  /** This node's name (--node). */
  node: string;
  audit: AuditTrail;
  clock: Clock;
  lifecycles: AssistanceLifecycles;
}

/**
 * The sweep's part: every running assistance of a silent node is taken over here (one node wins
 * each), so that one nobody comes back to still ends, by its grace periods, with its audit row.
 */
export function adoptOrphans(deps: TakeOverDeps): number {
  const staleBefore = deps.clock.now() - NODE_STALE_MS;
  let adopted = 0;
  for (const sessionId of deps.store.orphanedAssistances(staleBefore))
    if (ownership(deps, sessionId) === 'here') adopted++;
  return adopted;
}

export function ownership(deps: TakeOverDeps, sessionId: SessionId): Ownership {
  const { store, clock, logger, sessions, lifecycles, audit, node } = deps;
  if (sessions.session(sessionId)) return 'here';
  const owner = store.assistanceOwner(sessionId);
  if (!owner) return 'unknown';
  if (owner.node === node) return 'here';
  const now = clock.now();
  const staleBefore = now - NODE_STALE_MS;
  if (owner.aliveAt !== null && owner.aliveAt >= staleBefore) return 'elsewhere';
  // Its owner is silent: the first node to change the owner in the store has it; the others forward to it.
  if (!store.takeOverAssistance(sessionId, owner.node, staleBefore)) return 'elsewhere';
  const record = store.getAssistance(sessionId);
  if (!record) return 'unknown';
  const downSince = Math.min(owner.aliveAt ?? now, now);
  lifecycles.adopt(record);
  const carried = carryOver(deps, record, downSince);
  logger.info('assistance taken over from a silent node', { session: sessionId, from: owner.node ?? 'none', carried });
  audit.record({
    actor: RELAY_ACTOR,
    action: 'assistance.taken-over',
    deviceId: record.deviceId,
    sessionId,
    result: 'ok',
    detail: { from: owner.node ?? 'unknown', to: node, silentSince: new Date(downSince).toISOString() },
  });
  return carried ? 'here' : 'unknown';
}
