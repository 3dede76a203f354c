/** The assistances table's statements (see sqlite-store.ts for its schema). */
import type Database from 'better-sqlite3';
import { LIFECYCLE_STATE, type LifecycleState } from '../assistances/lifecycle.js';
import { changes, column, group, json, nullable, saltedHashFields, sqliteTable, type Fields } from './sqlite-table.js';
import type { AssistanceChanges, AssistanceRecord, RelayStore } from './store.js';

type AssistanceStatements = Pick<
  RelayStore,
  | 'insertAssistance'
  | 'getAssistance'
  | 'updateAssistance'
  | 'claimActivation'
  | 'recordPasswordFailure'
  | 'endAssistance'
  | 'dueAssistances'
  | 'hostsAwayTooLong'
  | 'runningAssistances'
  | 'recentAssistances'
  | 'markAlive'
  | 'lastAlive'
  | 'markNodeAlive'
  | 'assistanceOwner'
  | 'takeOverAssistance'
  | 'orphanedAssistances'
  | 'purgeAssistances'
>;

/** The assistances table's columns, declared once for both engines (pg-assistances.ts). */
export const ASSISTANCE_FIELDS: Fields<AssistanceRecord> = {
  sessionId: column(),
  deviceId: column(),
  operatorId: column(),
  mode: column(),
  nonce: column(),
  // Attended assistances have none: all five columns null.
  password: nullable(group(saltedHashFields('password_'))),
  createdAt: column(),
  activationExpiresAt: column(),
  expiresAt: column(),
  nonceUsedAt: column(),
  resumeHash: column(),
  failures: column(),
  lastFailureAt: column(),
  lockedAt: column(),
  endedAt: column(),
  endReason: column(),
  hostResumeHash: column(),
  hostAwayUntil: column(),
  deviceName: column(),
  accessMode: column(),
  lifecycle: json<LifecycleState>((value) => LIFECYCLE_STATE.parse(value)),
};

/**
 * The conditions under which an assistance is still open to its activation file: the truth two
 * relays racing are held to, in the statement itself rather than in a read before it.
 */
export const OPEN_TO_ACTIVATION = 'nonce_used_at IS NULL AND locked_at IS NULL AND ended_at IS NULL';

/** `node`: the relay node that owns what it inserts and runs what it owns; null: one relay, which runs everything. */
export function assistanceStatements(db: Database.Database, node: string | null = null): AssistanceStatements {
  const assistances = sqliteTable<AssistanceRecord>(db, 'assistances', ASSISTANCE_FIELDS);
  const insert = assistances.insert();
  const updates = new Map<string, (values: Pick<AssistanceRecord, keyof AssistanceChanges | 'sessionId'>) => void>();
  const due = db.prepare(
    'SELECT session_id FROM assistances WHERE ended_at IS NULL AND expires_at <= ? ORDER BY expires_at',
  );
  const awayTooLong = db.prepare(
    'SELECT session_id FROM assistances WHERE ended_at IS NULL AND host_away_until <= ? ORDER BY host_away_until',
  );
  const running =
    node === null
      ? assistances.all('SELECT * FROM assistances WHERE ended_at IS NULL ORDER BY created_at')
      : assistances.all('SELECT * FROM assistances WHERE ended_at IS NULL AND owner_node = ? ORDER BY created_at');
  const own = db.prepare('UPDATE assistances SET owner_node = ? WHERE session_id = ?');
  const insertOwned = db.transaction((r: AssistanceRecord) => {
    insert(r);
    if (node !== null) own.run(node, r.sessionId);
  });
  const recent = assistances.all('SELECT * FROM assistances ORDER BY created_at DESC, rowid DESC LIMIT ?');
  const alive = db.prepare(
    'INSERT INTO relay_heartbeat (id, alive_at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET alive_at = excluded.alive_at',
  );
  const lastAlive = db.prepare('SELECT alive_at FROM relay_heartbeat WHERE id = 1');
  const nodeAlive = db.prepare(
    `INSERT INTO relay_nodes (node, alive_at) VALUES (?, ?)
     ON CONFLICT (node) DO UPDATE SET alive_at = MAX(alive_at, excluded.alive_at)`,
  );
  const owner = db.prepare(
    `SELECT a.owner_node AS node, n.alive_at AS alive_at FROM assistances a
     LEFT JOIN relay_nodes n ON n.node = a.owner_node WHERE a.session_id = ? AND a.ended_at IS NULL`,
  );
  // Compare and set: still `from`'s, still running, and `from` silent since `staleBefore`.
  const takeOver = changes(
    db,
    `UPDATE assistances SET owner_node = @me
     WHERE session_id = @sessionId AND ended_at IS NULL AND owner_node IS @from AND @from IS NOT @me
       AND NOT EXISTS (SELECT 1 FROM relay_nodes WHERE node = @from AND alive_at >= @staleBefore)`,
  );
  const orphaned = db.prepare(
    `SELECT session_id FROM assistances a WHERE ended_at IS NULL AND owner_node IS NOT @me
       AND NOT EXISTS (SELECT 1 FROM relay_nodes WHERE node = a.owner_node AND alive_at >= @staleBefore)
     ORDER BY created_at`,
  );
  const claim = changes(
    db,
    `UPDATE assistances SET nonce_used_at = ?, resume_hash = ?, access_mode = ?, expires_at = NULL
     WHERE session_id = ? AND nonce = ? AND ${OPEN_TO_ACTIVATION}`,
  );
  const fail = db.prepare(
    `UPDATE assistances SET failures = failures + 1, last_failure_at = @at,
       locked_at = CASE WHEN failures + 1 >= @max THEN @at ELSE NULL END
     WHERE session_id = @sessionId AND nonce = @nonce AND ${OPEN_TO_ACTIVATION}
     RETURNING failures, locked_at`,
  );
  const end = changes(
    db,
    `UPDATE assistances SET ended_at = ?, end_reason = ?, host_away_until = NULL, lifecycle = ?
     WHERE session_id = ? AND ended_at IS NULL`,
  );
  const purge = changes(db, 'DELETE FROM assistances WHERE ended_at IS NOT NULL AND activation_expires_at <= ?');

  return {
    insertAssistance: (r) => insertOwned(r),
    getAssistance: assistances.one('SELECT * FROM assistances WHERE session_id = ?'),
    updateAssistance(sessionId, update) {
      const fields = Object.keys(update) as Array<keyof AssistanceChanges>;
      if (fields.length === 0) return;
      // One statement per set of fields, prepared on first use; the table throws on a field it does not declare.
      const key = fields.join(',');
      let run = updates.get(key);
      if (!run) updates.set(key, (run = assistances.update(fields, ['sessionId'])));
      run({ ...update, sessionId } as Pick<AssistanceRecord, keyof AssistanceChanges | 'sessionId'>);
    },
    claimActivation: (sessionId, nonce, { at, resumeHash, accessMode }) =>
      claim(at, resumeHash, accessMode, sessionId, nonce) === 1,
    recordPasswordFailure(sessionId, nonce, at, max) {
      const row = fail.get({ sessionId, nonce, at, max }) as { failures: number; locked_at: number | null } | undefined;
      return row ? { failures: row.failures, locked: row.locked_at !== null } : null;
    },
    endAssistance: (sessionId, { at, reason, lifecycle }) =>
      end(at, reason, JSON.stringify(lifecycle), sessionId) === 1,
    dueAssistances(now) {
      return (due.all(now) as Array<{ session_id: string }>).map((r) => r.session_id);
    },
    hostsAwayTooLong(now) {
      return (awayTooLong.all(now) as Array<{ session_id: string }>).map((r) => r.session_id);
    },
    runningAssistances: () => (node === null ? running() : running(node)),
    recentAssistances: (limit) => recent(limit),
    markAlive: (at) => void alive.run(at),
    lastAlive: () => (lastAlive.get() as { alive_at: number } | undefined)?.alive_at ?? null,
    markNodeAlive: (at) => void (node !== null && nodeAlive.run(node, at)),
    assistanceOwner(sessionId) {
      const row = owner.get(sessionId) as { node: string | null; alive_at: number | null } | undefined;
      return row ? { node: row.node, aliveAt: row.alive_at } : null;
    },
    takeOverAssistance: (sessionId, from, staleBefore) =>
      node !== null && takeOver({ me: node, sessionId, from, staleBefore }) === 1,
    orphanedAssistances: (staleBefore) =>
      node === null
        ? []
        : (orphaned.all({ me: node, staleBefore }) as Array<{ session_id: string }>).map((r) => r.session_id),
    purgeAssistances: (now) => purge(now),
  };
}
