/** The assistances table's statements (see sqlite-store.ts for its schema). */
import type Database from 'better-sqlite3';
import type { AssistanceMode } from '../../shared/protocol.js';
import type { AssistanceChanges, AssistanceRecord, RelayStore } from './store.js';

interface AssistanceRow {
  session_id: string;
  device_id: string;
  operator_id: string;
  mode: AssistanceMode;
  nonce: string;
  password_salt: Buffer | null;
  password_hash: Buffer | null;
  scrypt_n: number | null;
  scrypt_r: number | null;
  scrypt_p: number | null;
  created_at: number;
  activation_expires_at: number;
  expires_at: number | null;
  nonce_used_at: number | null;
  resume_hash: Buffer | null;
  failures: number;
  last_failure_at: number | null;
  locked_at: number | null;
  ended_at: number | null;
}

/** The column of each field that changes over an assistance's life. */
const changeColumns: { [K in keyof Required<AssistanceChanges>]: string } = {
  expiresAt: 'expires_at',
  nonceUsedAt: 'nonce_used_at',
  resumeHash: 'resume_hash',
  failures: 'failures',
  lastFailureAt: 'last_failure_at',
  lockedAt: 'locked_at',
  endedAt: 'ended_at',
};

function fromRow(row: AssistanceRow): AssistanceRecord {
  const password =
    row.password_salt && row.password_hash && row.scrypt_n !== null && row.scrypt_r !== null && row.scrypt_p !== null
      ? {
          salt: row.password_salt,
          hash: row.password_hash,
          scrypt: { N: row.scrypt_n, r: row.scrypt_r, p: row.scrypt_p },
        }
      : null;
  return {
    sessionId: row.session_id,
    deviceId: row.device_id,
    operatorId: row.operator_id,
    mode: row.mode,
    nonce: row.nonce,
    password,
    createdAt: row.created_at,
    activationExpiresAt: row.activation_expires_at,
    expiresAt: row.expires_at,
    nonceUsedAt: row.nonce_used_at,
    resumeHash: row.resume_hash,
    failures: row.failures,
    lastFailureAt: row.last_failure_at,
    lockedAt: row.locked_at,
    endedAt: row.ended_at,
  };
}

type AssistanceStatements = Pick<
  RelayStore,
  | 'insertAssistance'
  | 'getAssistance'
  | 'updateAssistance'
  | 'dueAssistances'
  | 'endLiveAssistances'
  | 'purgeAssistances'
>;

export function assistanceStatements(db: Database.Database): AssistanceStatements {
  const insert = db.prepare(
    `INSERT INTO assistances (session_id, device_id, operator_id, mode, nonce, password_salt, password_hash,
       scrypt_n, scrypt_r, scrypt_p, created_at, activation_expires_at, expires_at, nonce_used_at, resume_hash,
       failures, last_failure_at, locked_at, ended_at)
     VALUES (@session_id, @device_id, @operator_id, @mode, @nonce, @password_salt, @password_hash,
       @scrypt_n, @scrypt_r, @scrypt_p, @created_at, @activation_expires_at, @expires_at, @nonce_used_at, @resume_hash,
       @failures, @last_failure_at, @locked_at, @ended_at)`,
  );
  const get = db.prepare('SELECT * FROM assistances WHERE session_id = ?');
  const due = db.prepare(
    'SELECT session_id FROM assistances WHERE ended_at IS NULL AND expires_at <= ? ORDER BY expires_at',
  );
  const endLive = db.prepare('UPDATE assistances SET ended_at = ? WHERE ended_at IS NULL');
  const purge = db.prepare('DELETE FROM assistances WHERE ended_at IS NOT NULL AND activation_expires_at <= ?');

  return {
    insertAssistance(r) {
      insert.run({
        session_id: r.sessionId,
        device_id: r.deviceId,
        operator_id: r.operatorId,
        mode: r.mode,
        nonce: r.nonce,
        password_salt: r.password?.salt ?? null,
        password_hash: r.password?.hash ?? null,
        scrypt_n: r.password?.scrypt.N ?? null,
        scrypt_r: r.password?.scrypt.r ?? null,
        scrypt_p: r.password?.scrypt.p ?? null,
        created_at: r.createdAt,
        activation_expires_at: r.activationExpiresAt,
        expires_at: r.expiresAt,
        nonce_used_at: r.nonceUsedAt,
        resume_hash: r.resumeHash,
        failures: r.failures,
        last_failure_at: r.lastFailureAt,
        locked_at: r.lockedAt,
        ended_at: r.endedAt,
      });
    },
    getAssistance(sessionId) {
      const row = get.get(sessionId) as AssistanceRow | undefined;
      return row ? fromRow(row) : null;
    },
    updateAssistance(sessionId, changes) {
      const fields = Object.keys(changes) as Array<keyof AssistanceChanges>;
      if (fields.length === 0) return;
      // Column names come from the fixed map above, never from the caller.
      const sets = fields.map((f) => `${changeColumns[f]} = @${f}`).join(', ');
      db.prepare(`UPDATE assistances SET ${sets} WHERE session_id = @sessionId`).run({ ...changes, sessionId });
    },
    dueAssistances(now) {
      return (due.all(now) as Array<{ session_id: string }>).map((r) => r.session_id);
    },
    endLiveAssistances(at) {
      return endLive.run(at).changes;
    },
    purgeAssistances(now) {
      return purge.run(now).changes;
    },
  };
}
