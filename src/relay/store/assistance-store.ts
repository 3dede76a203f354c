/**
 * The assistances' persistent truth as an asynchronous interface, so that it can live in a
 * database several relay nodes share (PostgreSQL, pg-assistances.ts) as well as in the embedded
 * SQLite of one node (sqliteAssistanceStore below wraps the synchronous RelayStore's statements).
 * The same tests hold both (test/relay/store-assistances.test.ts). The relay's callers still use
 * the synchronous RelayStore; this is the seam they move to, table by table (docs/deployment.md
 * says what runs on which engine today).
 *
 * The operations two nodes may race are single conditional statements: the first admission
 * (claimActivation), a wrong password counted with its lock (recordPasswordFailure), the end
 * (endAssistance), a silent node's assistance taken over (takeOver). Exactly one caller wins
 * each, whatever the timing.
 */
import type { RelayStore } from './store.js';
import type { ActivationClaim, AssistanceChanges, AssistanceEnd, AssistanceRecord, PasswordFailure } from './store.js';

export interface AssistanceStore {
  insert(record: AssistanceRecord): Promise<void>;
  get(sessionId: string): Promise<AssistanceRecord | null>;
  update(sessionId: string, changes: AssistanceChanges): Promise<void>;
  /** True for exactly one caller: the file (and an unattended one's password) is used up by it. */
  claimActivation(sessionId: string, nonce: string, claim: ActivationClaim): Promise<boolean>;
  /** One wrong password counted, locked at `maxFailures`; null when it was not open to attempts. */
  recordPasswordFailure(
    sessionId: string,
    nonce: string,
    at: number,
    maxFailures: number,
  ): Promise<PasswordFailure | null>;
  /** Over for good: true for exactly one caller (one expiry, one end, one audit row after it). */
  endAssistance(sessionId: string, end: AssistanceEnd): Promise<boolean>;
  due(now: number): Promise<string[]>;
  hostsAwayTooLong(now: number): Promise<string[]>;
  running(): Promise<AssistanceRecord[]>;
  recent(limit: number): Promise<AssistanceRecord[]>;
  markAlive(at: number): Promise<void>;
  lastAlive(): Promise<number | null>;
  /** This node's own heartbeat (RelayStore.markNodeAlive); nothing for one relay. */
  markNodeAlive(at: number): Promise<void>;
  owner(sessionId: string): Promise<{ node: string | null; aliveAt: number | null } | null>;
  /** True for exactly one node: the running assistance is this node's now, `from` silent since `staleBefore`. */
  takeOver(sessionId: string, from: string | null, staleBefore: number): Promise<boolean>;
  purge(now: number): Promise<number>;
  close(): Promise<void>;
}

/** The one-node store's assistances behind the asynchronous interface (same database, same statements). */
export function sqliteAssistanceStore(store: RelayStore): AssistanceStore {
  const run = <T>(work: () => T): Promise<T> => {
    try {
      return Promise.resolve(work());
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  };
  return {
    insert: (record) => run(() => store.insertAssistance(record)),
    get: (sessionId) => run(() => store.getAssistance(sessionId)),
    update: (sessionId, changes) => run(() => store.updateAssistance(sessionId, changes)),
    claimActivation: (sessionId, nonce, claim) => run(() => store.claimActivation(sessionId, nonce, claim)),
    recordPasswordFailure: (sessionId, nonce, at, max) =>
      run(() => store.recordPasswordFailure(sessionId, nonce, at, max)),
    endAssistance: (sessionId, end) => run(() => store.endAssistance(sessionId, end)),
    due: (now) => run(() => store.dueAssistances(now)),
    hostsAwayTooLong: (now) => run(() => store.hostsAwayTooLong(now)),
    running: () => run(() => store.runningAssistances()),
    recent: (limit) => run(() => store.recentAssistances(limit)),
    markAlive: (at) => run(() => store.markAlive(at)),
    lastAlive: () => run(() => store.lastAlive()),
    markNodeAlive: (at) => run(() => store.markNodeAlive(at)),
    owner: (sessionId) => run(() => store.assistanceOwner(sessionId)),
    takeOver: (sessionId, from, staleBefore) => run(() => store.takeOverAssistance(sessionId, from, staleBefore)),
    purge: (now) => run(() => store.purgeAssistances(now)),
    close: () => run(() => store.close()),
  };
}
