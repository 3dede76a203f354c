/**
 * The reasons an assistance ends besides the host closing on purpose, each handed to the
 * service's finish(), the one way an assistance ends: its time running out (the sweep, and
 * lazily whenever one is touched), its host away too long, its agent gone, the policy or the
 * operator's revocation forbidding it. Also the operator's release, which starts the grace
 * period whose end expires it.
 */
import type { EndReason, SessionId } from '../../shared/protocol.js';
import { RELAY_ACTOR, type AuditActor } from '../audit/audit-trail.js';
import type { Clock } from '../clock.js';
import type { Outgoing } from '../messages.js';
import type { PolicyGate } from '../policy/gate.js';
import type { AssistanceRecord, RelayStore } from '../store/store.js';
import type { AssistanceLifecycles } from './lifecycles.js';
import type { AssistanceSettings } from './settings.js';

/** The service's finish(): ends the assistance everywhere; the messages to deliver. */
export type Finish = (
  sessionId: SessionId,
  reason: EndReason,
  actor: AuditActor,
  detail?: Record<string, string>,
) => Outgoing[];

export interface EndingDeps {
  store: RelayStore;
  clock: Clock;
  settings: Pick<AssistanceSettings, 'graceMs'>;
  policy: PolicyGate;
  /** Which assistances run (starting ones included), and the operator's leaving as it moves them. */
  lifecycles: AssistanceLifecycles;
  finish: Finish;
}

export class Endings {
  constructor(private readonly deps: EndingDeps) {}

  /** Expires every assistance whose time is up and forgets those nothing can present any more. */
  sweep(): Outgoing[] {
    const { store, clock, finish } = this.deps;
    const now = clock.now();
    const out = store.dueAssistances(now).flatMap((sessionId) => this.expire(sessionId));
    for (const sessionId of store.hostsAwayTooLong(now)) out.push(...finish(sessionId, 'host-lost', RELAY_ACTOR));
    store.purgeAssistances(now);
    // After a crash, the next run counts its assistances' grace periods from here (restart.ts).
    store.markAlive(now);
    return out;
  }

  /**
   * The device's agent disconnected (or, after a relay restart, never came back): these
   * assistances end, and both sides are told why.
   */
  endForAgent(sessionIds: SessionId[], reason: EndReason = 'agent-restarted'): Outgoing[] {
    return sessionIds.flatMap((sessionId) => this.deps.finish(sessionId, reason, RELAY_ACTOR));
  }

  /**
   * The policy changed: assistances on devices where it now allows no assistance at all end at
   * once, whether an operator is in yet or not (their files are dead, even if the policy is
   * switched back on), and both sides are told why. Opening checks the policy again for an
   * assistance that races this.
   */
  endWherePolicyForbids(changedBy: AuditActor): Outgoing[] {
    const gate = this.deps.policy;
    return this.endRunning(changedBy, (record) => {
      const refusal = gate.noneAllowed(record.deviceId);
      return refusal ? { reason: 'policy-changed', detail: { policy: refusal } } : null;
    });
  }

  /**
   * The device was removed from the relay, or enrolled again (`agent-restarted`: its agent is a
   * new one, with a new credential): its assistances end now.
   */
  endForRemovedDevice(
    deviceId: string,
    removedBy: AuditActor,
    reason: Extract<EndReason, 'device-removed' | 'agent-restarted'> = 'device-removed',
  ): Outgoing[] {
    return this.endRunning(removedBy, (record) => (record.deviceId === deviceId ? { reason, detail: {} } : null));
  }

  /** The operator's access was revoked (their console account removed): what was issued to them ends now. */
  endForRevokedOperator(operatorId: string, revokedBy: AuditActor): Outgoing[] {
    return this.endRunning(revokedBy, (record) =>
      record.operatorId === operatorId ? { reason: 'operator-revoked', detail: {} } : null,
    );
  }

  /**
   * The operator's connection ended: the grace period starts (if not already running). Dropped,
   * it is away and may resume; ended on purpose, nobody comes in any more.
   */
  released(sessionId: SessionId, resumable: boolean): void {
    const { store, clock, settings, lifecycles } = this.deps;
    const record = store.getAssistance(sessionId);
    if (!record) return;
    lifecycles.report(sessionId, resumable ? { type: 'away', side: 'operator' } : { type: 'released' });
    store.updateAssistance(sessionId, {
      expiresAt: record.expiresAt ?? clock.now() + settings.graceMs,
      ...(resumable ? {} : { resumeHash: null }),
    });
  }

  /** Expires it now if its deadline has passed; the messages that causes, or null. */
  expireIfDue(record: AssistanceRecord): Outgoing[] | null {
    const due = record.endedAt === null && record.expiresAt !== null && record.expiresAt <= this.deps.clock.now();
    return due ? this.expire(record.sessionId) : null;
  }

  private expire(sessionId: SessionId): Outgoing[] {
    return this.deps.finish(sessionId, 'expired', RELAY_ACTOR);
  }

  /** Ends the running (or starting) assistances `why` names a reason for, audited as `actor`'s doing. */
  private endRunning(
    actor: AuditActor,
    why: (record: AssistanceRecord) => { reason: EndReason; detail: Record<string, string> } | null,
  ): Outgoing[] {
    const { store, lifecycles, finish } = this.deps;
    return lifecycles.runningIds().flatMap((sessionId) => {
      const record = store.getAssistance(sessionId);
      if (!record) return [];
      const ending = why(record);
      return ending ? finish(sessionId, ending.reason, actor, ending.detail) : [];
    });
  }
}
