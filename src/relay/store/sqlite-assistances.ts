/** The assistances table's statements (see sqlite-store.ts for its schema). */
import type Database from 'better-sqlite3';
import { LIFECYCLE_STATE, type LifecycleState } from '../assistances/lifecycle.js';
import { changes, column, group, json, nullable, saltedHashFields, sqliteTable } from './sqlite-table.js';
import type { AssistanceChanges, AssistanceRecord, RelayStore } from './store.js';

type AssistanceStatements = Pick<
  RelayStore,
  | 'insertAssistance'
  | 'getAssistance'
  | 'updateAssistance'
  | 'dueAssistances'
  | 'hostsAwayTooLong'
  | 'runningAssistances'
  | 'recentAssistances'
  | 'markAlive'
  | 'lastAlive'
  | 'purgeAssistances'
>;

export function assistanceStatements(db: Database.Database): AssistanceStatements {
  const assistances = sqliteTable<AssistanceRecord>(db, 'assistances', {
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
  });
  const insert = assistances.insert();
  const updates = new Map<string, (values: Pick<AssistanceRecord, keyof AssistanceChanges | 'sessionId'>) => void>();
  const due = db.prepare(
    'SELECT session_id FROM assistances WHERE ended_at IS NULL AND expires_at <= ? ORDER BY expires_at',
  );
  const awayTooLong = db.prepare(
    'SELECT session_id FROM assistances WHERE ended_at IS NULL AND host_away_until <= ? ORDER BY host_away_until',
  );
  const running = assistances.all('SELECT * FROM assistances WHERE ended_at IS NULL ORDER BY created_at');
  const recent = assistances.all('SELECT * FROM assistances ORDER BY created_at DESC, rowid DESC LIMIT ?');
  const alive = db.prepare(
    'INSERT INTO relay_heartbeat (id, alive_at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET alive_at = excluded.alive_at',
  );
  const lastAlive = db.prepare('SELECT alive_at FROM relay_heartbeat WHERE id = 1');
  const purge = changes(db, 'DELETE FROM assistances WHERE ended_at IS NOT NULL AND activation_expires_at <= ?');

  return {
    insertAssistance: (r) => void insert(r),
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
    dueAssistances(now) {
      return (due.all(now) as Array<{ session_id: string }>).map((r) => r.session_id);
    },
    hostsAwayTooLong(now) {
      return (awayTooLong.all(now) as Array<{ session_id: string }>).map((r) => r.session_id);
    },
    runningAssistances: () => running(),
    recentAssistances: (limit) => recent(limit),
    markAlive: (at) => void alive.run(at),
    lastAlive: () => (lastAlive.get() as { alive_at: number } | undefined)?.alive_at ?? null,
    purgeAssistances: (now) => purge(now),
  };
}
