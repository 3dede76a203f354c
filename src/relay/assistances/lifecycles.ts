/**
 * The one owner of every assistance's lifecycle state (lifecycle.ts computes the transitions):
 * the running ones in memory, each written to its store record as it changes, so that a relay
 * restart carries on from where each stood and the console reads what the relay acts on. The
 * assistance layer moves it (created, host asked for and in, ended: finish), the session table
 * tells it of consent and connections through sessionObserver(), the agent hub of its agent
 * going away and coming back. Nothing else keeps an assistance's phase.
 *
 * An event the lifecycle refuses where a follower reports it (the table, the hub) means the
 * relay's parts disagree: it is logged, not acted on. Where the assistance layer asks first
 * (check), the refusal becomes the operator's answer.
 */
import type { SessionId } from '../../shared/protocol.js';
import type { RelayLogger } from '../log.js';
import type { SessionObserver } from '../session-model.js';
import type { AssistanceChanges, AssistanceRecord, RelayStore } from '../store/store.js';
import type { AgentHostRequest } from './agent-hosts.js';
import {
  INITIAL_STATE,
  isOver,
  stateName,
  step,
  type LifecycleEvent,
  type LifecycleState,
  type Side,
  type StepResult,
} from './lifecycle.js';

export interface LifecyclesDeps {
  store: Pick<RelayStore, 'getAssistance' | 'updateAssistance' | 'endAssistance' | 'runningAssistances'>;
  logger: RelayLogger;
}

interface Running {
  state: LifecycleState;
  /** While its host starts (host-starting): what the host is moved into once it is in. */
  hostRequest: AgentHostRequest | null;
}

export class AssistanceLifecycles {
  private readonly running = new Map<SessionId, Running>();
  private readonly listeners: Array<(sessionId: SessionId, state: LifecycleState) => void> = [];

  /** Takes up the running assistances the store holds (what the last run left: restart.ts). */
  constructor(private readonly deps: LifecyclesDeps) {
    for (const record of deps.store.runningAssistances())
      if (!isOver(record.lifecycle)) this.running.set(record.sessionId, { state: record.lifecycle, hostRequest: null });
  }

  /** A running assistance this node took over from a node that died (takeover.ts): its state as stored. */
  adopt(record: AssistanceRecord): void {
    if (!isOver(record.lifecycle) && !this.running.has(record.sessionId))
      this.running.set(record.sessionId, { state: record.lifecycle, hostRequest: null });
  }

  /** Told of every move, once written down (the tools close when their operator is no longer in). */
  onChange(listener: (sessionId: SessionId, state: LifecycleState) => void): void {
    this.listeners.push(listener);
  }

  /** A new assistance, just stored with INITIAL_STATE. */
  begin(sessionId: SessionId): void {
    this.running.set(sessionId, { state: INITIAL_STATE, hostRequest: null });
  }

  /** Its state: a running one's, or as the store last had it; null when the relay knows none. */
  state(sessionId: SessionId): LifecycleState | null {
    return this.running.get(sessionId)?.state ?? this.deps.store.getAssistance(sessionId)?.lifecycle ?? null;
  }

  /** The assistances not over yet, starting ones included. */
  runningIds(): SessionId[] {
    return [...this.running.keys()];
  }

  /** Where `event` would take it, without moving it. */
  check(sessionId: SessionId, event: LifecycleEvent): StepResult {
    const current = this.state(sessionId);
    return current ? step(current, event) : { ok: false, refused: { code: 'over', message: 'no such assistance' } };
  }

  /**
   * Moves it and writes it down, with `changes` that go with the move in the same write (an
   * end's time and reason: never one without the other); the refusal when the event does not apply.
   */
  apply(sessionId: SessionId, event: LifecycleEvent, changes: AssistanceChanges = {}): StepResult {
    const entry = this.running.get(sessionId);
    if (!entry) return { ok: false, refused: { code: 'over', message: 'this assistance is over' } };
    const result = step(entry.state, event);
    if (!result.ok) return result;
    const from = entry.state;
    entry.state = result.state;
    if (result.state.phase !== 'host-starting') entry.hostRequest = null;
    if (isOver(result.state)) this.running.delete(sessionId);
    if (event.type === 'finish' && changes.endedAt != null) {
      // The end is one conditional statement: of two relays ending it on one database, one does
      // (one end, one audit row); the other is told it is over already.
      const end = { at: changes.endedAt, reason: event.reason, lifecycle: result.state };
      if (!this.deps.store.endAssistance(sessionId, end)) {
        this.deps.logger.warn('assistance ended elsewhere first', { session: sessionId, reason: event.reason });
        return { ok: false, refused: { code: 'over', message: 'this assistance is over' } };
      }
    } else this.deps.store.updateAssistance(sessionId, { ...changes, lifecycle: result.state });
    this.deps.logger.debug('assistance state', {
      session: sessionId,
      event: event.type,
      from: stateName(from),
      to: stateName(result.state),
    });
    for (const listener of this.listeners) listener(sessionId, result.state);
    return result;
  }

  /** The agent was asked to start its host for `request`. */
  hostRequested(sessionId: SessionId, request: AgentHostRequest): StepResult {
    const result = this.apply(sessionId, { type: 'host-requested' });
    const entry = this.running.get(sessionId);
    if (result.ok && entry) entry.hostRequest = request;
    return result;
  }

  /** What its host is moved into, while the agent is starting it; null otherwise. */
  awaitedHost(sessionId: SessionId): AgentHostRequest | null {
    return this.running.get(sessionId)?.hostRequest ?? null;
  }

  /** A side's connection dropped (away) or came back, as the table or the hub saw it. */
  side(sessionIds: SessionId[], side: Side, present: boolean): void {
    for (const sessionId of sessionIds) this.report(sessionId, { type: present ? 'back' : 'away', side });
  }

  /** What the session table tells of consent and operator connections, as lifecycle events. */
  sessionObserver(): SessionObserver {
    return {
      asked: (sessionId) => this.report(sessionId, { type: 'consent-asked' }),
      decided: (sessionId, result) => {
        if (result === 'declined' || result === 'timeout')
          this.report(sessionId, { type: 'consent-refused', by: result });
      },
      connected: (sessionId, _parties, { how }) => {
        if (how !== 'reconnect') return this.report(sessionId, { type: 'admitted' });
        // The same operator again from a new connection: back if it was away, otherwise a swap.
        if (this.state(sessionId)?.away.includes('operator'))
          this.report(sessionId, { type: 'back', side: 'operator' });
      },
      // The operator's leaving comes with the assistance layer's released(): away or released there.
      left: () => undefined,
      withdrawn: (sessionId) => this.report(sessionId, { type: 'consent-refused', by: 'withdrawn' }),
      gone: () => undefined,
    };
  }

  /**
   * What a part that follows the assistance saw (the table, the hub, the ends): applied, or
   * logged when the parts disagree. Sessions that are no running assistance are not ours.
   */
  report(sessionId: SessionId, event: LifecycleEvent): void {
    if (!this.running.has(sessionId)) return;
    const result = this.apply(sessionId, event);
    if (!result.ok)
      this.deps.logger.warn('assistance event out of place', {
        session: sessionId,
        event: event.type,
        code: result.refused.code,
        message: result.refused.message,
      });
  }
}
