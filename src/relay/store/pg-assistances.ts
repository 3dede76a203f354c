/**
 * The assistances on PostgreSQL (the `pg` driver's pool), for relay nodes that share one
 * database: the same table and columns as SQLite's (the fields are declared once, in
 * sqlite-assistances.ts's ASSISTANCE_FIELDS), and the races between nodes settled by the same
 * conditional statements (OPEN_TO_ACTIVATION), which PostgreSQL runs under row locks: of two
 * nodes updating one row, the second re-reads it after the first commits and finds it no longer
 * matches. Times are BIGINT ms, read back as numbers.
 */
import pg from 'pg';
import type { AssistanceStore } from './assistance-store.js';
import { ASSISTANCE_FIELDS, OPEN_TO_ACTIVATION } from './sqlite-assistances.js';
import { groupCodec, type SqlValue } from './sqlite-table.js';
import type { AssistanceChanges, AssistanceRecord } from './store.js';

/** Schema changes in order; never edit one that has shipped, append. */
const PG_MIGRATIONS: readonly string[] = [
  `CREATE TABLE assistances (
     session_id TEXT PRIMARY KEY,
     device_id TEXT NOT NULL,
     operator_id TEXT NOT NULL,
     mode TEXT NOT NULL CHECK (mode IN ('attended', 'unattended')),
     nonce TEXT NOT NULL UNIQUE,
     password_salt BYTEA,
     password_hash BYTEA,
     scrypt_n INTEGER,
     scrypt_r INTEGER,
     scrypt_p INTEGER,
     created_at BIGINT NOT NULL,
     activation_expires_at BIGINT NOT NULL,
     expires_at BIGINT,
     nonce_used_at BIGINT,
     resume_hash BYTEA,
     failures INTEGER NOT NULL DEFAULT 0,
     last_failure_at BIGINT,
     locked_at BIGINT,
     ended_at BIGINT,
     end_reason TEXT,
     host_resume_hash BYTEA,
     host_away_until BIGINT,
     device_name TEXT,
     access_mode TEXT,
     lifecycle TEXT NOT NULL,
     owner_node TEXT
   );
   CREATE INDEX assistances_due ON assistances (expires_at) WHERE ended_at IS NULL;
   CREATE TABLE relay_heartbeat (id INTEGER PRIMARY KEY CHECK (id = 1), alive_at BIGINT NOT NULL)`,
  // Each node's own heartbeat, for another to tell a dead owner from a live one (assistances/takeover.ts).
  `CREATE TABLE relay_nodes (node TEXT PRIMARY KEY, alive_at BIGINT NOT NULL)`,
];

/** Any number, so that nodes starting at once migrate one after the other. */
const MIGRATION_LOCK = 0x666c7872;

const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format: 'text') =>
    oid === (pg.types.builtins.INT8 as number)
      ? (value: string) => Number(value)
      : (pg.types.getTypeParser(oid, format) as unknown)) as pg.CustomTypesConfig['getTypeParser'],
};

async function migrate(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
    const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_version');
    const current = rows[0]?.version ?? 0;
    if (current > PG_MIGRATIONS.length) {
      throw new Error(`the database has schema version ${current}, newer than this relay's; upgrade the relay`);
    }
    for (const step of PG_MIGRATIONS.slice(current)) await client.query(step);
    await client.query('DELETE FROM schema_version');
    await client.query('INSERT INTO schema_version (version) VALUES ($1)', [PG_MIGRATIONS.length]);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/** Opens (and migrates) the assistances in the database `url` names (postgres://…). */
/**
 * `node`: this relay node's name (sqlite-store.ts's openSqliteStore says why); null: one relay.
 * `max`: the pool's connections.
 */
export async function openPgAssistanceStore(
  url: string,
  opts: { max?: number; node?: string | null } = {},
): Promise<AssistanceStore> {
  const node = opts.node ?? null;
  const pool = new pg.Pool({ connectionString: url, max: opts.max ?? 10, types });
  // A dropped idle connection must not take the relay down; the pool makes a new one.
  pool.on('error', () => undefined);
  try {
    await migrate(pool);
  } catch (err) {
    await pool.end();
    throw err;
  }
  const codec = groupCodec(ASSISTANCE_FIELDS);
  const read = (row: Record<string, unknown>): AssistanceRecord => codec.read(row);
  type Row = Record<string, unknown>;
  const query = async (sql: string, values: unknown[] = []): Promise<Row[]> =>
    (await pool.query<Row>(sql, values)).rows;
  const ids = async (sql: string, values: unknown[]) =>
    (await query(sql, values)).map((row) => (row as { session_id: string }).session_id);

  const insertColumns = [...codec.columns, 'owner_node'];
  const insertSql = `INSERT INTO assistances (${insertColumns.join(', ')})
    VALUES (${insertColumns.map((_, i) => `$${i + 1}`).join(', ')})`;

  return {
    async insert(record) {
      const params: Record<string, SqlValue> = {};
      codec.write(record, params);
      params.owner_node = node;
      await query(
        insertSql,
        insertColumns.map((c) => params[c]),
      );
    },
    async get(sessionId) {
      const [row] = await query('SELECT * FROM assistances WHERE session_id = $1', [sessionId]);
      return row ? read(row) : null;
    },
    async update(sessionId, changes) {
      const params: Record<string, SqlValue> = {};
      for (const field of Object.keys(changes) as Array<keyof AssistanceChanges>) {
        const fieldCodec = codec.byField[field] as (typeof codec.byField)[keyof AssistanceRecord] | undefined;
        if (!fieldCodec) throw new Error(`assistances has no field ${field}`);
        (fieldCodec.write as (value: unknown, p: Record<string, SqlValue>) => void)(changes[field], params);
      }
      const columns = Object.keys(params);
      if (columns.length === 0) return;
      // Column names come from the declaration only, never from the caller.
      const set = columns.map((c, i) => `${c} = $${i + 2}`).join(', ');
      await query(`UPDATE assistances SET ${set} WHERE session_id = $1`, [sessionId, ...columns.map((c) => params[c])]);
    },
    async claimActivation(sessionId, nonce, { at, resumeHash, accessMode }) {
      const result = await pool.query(
        `UPDATE assistances SET nonce_used_at = $1, resume_hash = $2, access_mode = $3, expires_at = NULL
         WHERE session_id = $4 AND nonce = $5 AND ${OPEN_TO_ACTIVATION}`,
        [at, resumeHash, accessMode, sessionId, nonce],
      );
      return result.rowCount === 1;
    },
    async recordPasswordFailure(sessionId, nonce, at, max) {
      const [row] = await query(
        `UPDATE assistances SET failures = failures + 1, last_failure_at = $1::bigint,
           locked_at = CASE WHEN failures + 1 >= $2::integer THEN $1::bigint ELSE NULL END
         WHERE session_id = $3 AND nonce = $4 AND ${OPEN_TO_ACTIVATION}
         RETURNING failures, locked_at`,
        [at, max, sessionId, nonce],
      );
      if (!row) return null;
      const { failures, locked_at } = row as { failures: number; locked_at: number | null };
      return { failures, locked: locked_at !== null };
    },
    async endAssistance(sessionId, { at, reason, lifecycle }) {
      const result = await pool.query(
        `UPDATE assistances SET ended_at = $1, end_reason = $2, host_away_until = NULL, lifecycle = $3
         WHERE session_id = $4 AND ended_at IS NULL`,
        [at, reason, JSON.stringify(lifecycle), sessionId],
      );
      return result.rowCount === 1;
    },
    due: (now) =>
      ids('SELECT session_id FROM assistances WHERE ended_at IS NULL AND expires_at <= $1 ORDER BY expires_at', [now]),
    hostsAwayTooLong: (now) =>
      ids(
        'SELECT session_id FROM assistances WHERE ended_at IS NULL AND host_away_until <= $1 ORDER BY host_away_until',
        [now],
      ),
    running: async () =>
      (node === null
        ? await query('SELECT * FROM assistances WHERE ended_at IS NULL ORDER BY created_at')
        : await query('SELECT * FROM assistances WHERE ended_at IS NULL AND owner_node = $1 ORDER BY created_at', [
            node,
          ])
      ).map(read),
    recent: async (limit) =>
      (await query('SELECT * FROM assistances ORDER BY created_at DESC, session_id DESC LIMIT $1', [limit])).map(read),
    async markAlive(at) {
      await query(
        `INSERT INTO relay_heartbeat (id, alive_at) VALUES (1, $1)
         ON CONFLICT (id) DO UPDATE SET alive_at = GREATEST(relay_heartbeat.alive_at, excluded.alive_at)`,
        [at],
      );
    },
    async lastAlive() {
      const [row] = await query('SELECT alive_at FROM relay_heartbeat WHERE id = 1');
      return (row as { alive_at: number } | undefined)?.alive_at ?? null;
    },
    async markNodeAlive(at) {
      if (node === null) return;
      await query(
        `INSERT INTO relay_nodes (node, alive_at) VALUES ($1, $2)
         ON CONFLICT (node) DO UPDATE SET alive_at = GREATEST(relay_nodes.alive_at, excluded.alive_at)`,
        [node, at],
      );
    },
    async owner(sessionId) {
      const [row] = await query(
        `SELECT a.owner_node AS node, n.alive_at AS alive_at FROM assistances a
         LEFT JOIN relay_nodes n ON n.node = a.owner_node WHERE a.session_id = $1 AND a.ended_at IS NULL`,
        [sessionId],
      );
      const found = row as { node: string | null; alive_at: number | null } | undefined;
      return found ? { node: found.node, aliveAt: found.alive_at } : null;
    },
    async takeOver(sessionId, from, staleBefore) {
      if (node === null) return false;
      // Compare and set under the row's lock: the second of two nodes re-reads the row and finds another owner.
      const result = await pool.query(
        `UPDATE assistances SET owner_node = $1
         WHERE session_id = $2 AND ended_at IS NULL AND owner_node IS NOT DISTINCT FROM $3::text
           AND $3::text IS DISTINCT FROM $1
           AND NOT EXISTS (SELECT 1 FROM relay_nodes WHERE node = $3::text AND alive_at >= $4)`,
        [node, sessionId, from, staleBefore],
      );
      return result.rowCount === 1;
    },
    async purge(now) {
      const result = await pool.query(
        'DELETE FROM assistances WHERE ended_at IS NOT NULL AND activation_expires_at <= $1',
        [now],
      );
      return result.rowCount ?? 0;
    },
    close: () => pool.end(),
  };
}
