/**
 * The relay store on SQLite: one file, `<dataDir>/relay.db`, in WAL mode so that the CLI's
 * registry commands can write while a relay is serving from the same file. The data dir is
 * the relay's secret area (it holds the activation signing key), so it is created private.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { assistanceStatements } from './sqlite-assistances.js';
import { agentStatements } from '../agents/sqlite-agents.js';
import { sqliteAuditLog } from './sqlite-audit.js';
import { consoleStatements } from './sqlite-console.js';
import type { DeviceRecord, OperatorRecord, RelayStore, SaltedHash, SigningKeyRecord } from './store.js';

/**
 * Schema changes, in order; never edit one that has shipped, append a new one. The index + 1 of
 * the last applied migration is kept in schema_version, so opening an older file upgrades it.
 */
const migrations: readonly string[] = [
  `CREATE TABLE operators (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     organisation TEXT NOT NULL,
     salt BLOB NOT NULL,
     hash BLOB NOT NULL,
     scrypt_n INTEGER NOT NULL,
     scrypt_r INTEGER NOT NULL,
     scrypt_p INTEGER NOT NULL,
     created_at TEXT NOT NULL
   ) STRICT`,
  `CREATE TABLE devices (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     salt BLOB NOT NULL,
     hash BLOB NOT NULL,
     scrypt_n INTEGER NOT NULL,
     scrypt_r INTEGER NOT NULL,
     scrypt_p INTEGER NOT NULL,
     created_at TEXT NOT NULL
   ) STRICT`,
  `CREATE TABLE signing_keys (
     kid TEXT PRIMARY KEY,
     private_jwk TEXT NOT NULL,
     created_at TEXT NOT NULL
   ) STRICT`,
  // Times in ms on the relay's clock; password columns are null for attended assistances.
  `CREATE TABLE assistances (
     session_id TEXT PRIMARY KEY,
     device_id TEXT NOT NULL,
     operator_id TEXT NOT NULL,
     mode TEXT NOT NULL CHECK (mode IN ('attended', 'unattended')),
     nonce TEXT NOT NULL UNIQUE,
     password_salt BLOB,
     password_hash BLOB,
     scrypt_n INTEGER,
     scrypt_r INTEGER,
     scrypt_p INTEGER,
     created_at INTEGER NOT NULL,
     activation_expires_at INTEGER NOT NULL,
     expires_at INTEGER,
     nonce_used_at INTEGER,
     resume_hash BLOB,
     failures INTEGER NOT NULL DEFAULT 0,
     last_failure_at INTEGER,
     locked_at INTEGER,
     ended_at INTEGER
   ) STRICT`,
  // Usernames are stored in lower case; operator_id names the identity in operators (not a
  // foreign key: removing an operator must not be blocked by, or silently remove, a console user).
  `CREATE TABLE console_users (
     username TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     role TEXT NOT NULL CHECK (role IN ('admin', 'operator')),
     operator_id TEXT NOT NULL,
     salt BLOB NOT NULL,
     hash BLOB NOT NULL,
     scrypt_n INTEGER NOT NULL,
     scrypt_r INTEGER NOT NULL,
     scrypt_p INTEGER NOT NULL,
     created_at TEXT NOT NULL
   ) STRICT`,
  // One row: the product policy and the report groups' overrides, as one JSON document.
  `CREATE TABLE policy_settings (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     settings TEXT NOT NULL,
     updated_at TEXT NOT NULL
   ) STRICT`,
  // Append-only: the triggers refuse every UPDATE and DELETE. detail is a JSON object.
  `CREATE TABLE audit_log (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     at TEXT NOT NULL,
     actor_kind TEXT NOT NULL,
     actor_id TEXT NOT NULL,
     actor_name TEXT NOT NULL,
     action TEXT NOT NULL,
     device_id TEXT,
     session_id TEXT,
     result TEXT NOT NULL,
     detail TEXT NOT NULL
   ) STRICT;
   CREATE INDEX audit_log_device ON audit_log (device_id);
   CREATE INDEX audit_log_session ON audit_log (session_id);
   CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
     BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
   CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
     BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END`,
  // Tokens by SHA-256 only; times in ms on the relay's clock.
  `CREATE TABLE enrolment_tokens (
     id TEXT PRIMARY KEY,
     token_hash BLOB NOT NULL UNIQUE,
     environment_id TEXT NOT NULL,
     report_group TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     expires_at INTEGER NOT NULL,
     revoked_at INTEGER
   ) STRICT`,
  // One row per device enrolled by an agent (device_id is devices.id); user_sessions is the JSON of its last report.
  `CREATE TABLE agent_devices (
     device_id TEXT PRIMARY KEY,
     environment_id TEXT NOT NULL,
     report_group TEXT NOT NULL,
     hostname TEXT NOT NULL,
     os TEXT NOT NULL,
     agent_version TEXT NOT NULL,
     user_sessions TEXT NOT NULL,
     enrolled_at INTEGER NOT NULL,
     last_seen INTEGER
   ) STRICT`,
];

export const SCHEMA_VERSION = migrations.length;

/** The columns of a salted hash, shared by the operator and device tables. */
interface HashColumns {
  salt: Buffer;
  hash: Buffer;
  scrypt_n: number;
  scrypt_r: number;
  scrypt_p: number;
}

interface OperatorRow extends HashColumns {
  id: string;
  name: string;
  organisation: string;
  created_at: string;
}

interface DeviceRow extends HashColumns {
  id: string;
  name: string;
  created_at: string;
}

function hashColumns(h: SaltedHash): HashColumns {
  return { salt: h.salt, hash: h.hash, scrypt_n: h.scrypt.N, scrypt_r: h.scrypt.r, scrypt_p: h.scrypt.p };
}

function saltedHash(row: HashColumns): SaltedHash {
  return { salt: row.salt, hash: row.hash, scrypt: { N: row.scrypt_n, r: row.scrypt_r, p: row.scrypt_p } };
}

function operatorFromRow(row: OperatorRow): OperatorRecord {
  return { id: row.id, name: row.name, organisation: row.organisation, ...saltedHash(row), createdAt: row.created_at };
}

function deviceFromRow(row: DeviceRow): DeviceRecord {
  return { id: row.id, name: row.name, ...saltedHash(row), createdAt: row.created_at };
}

function migrate(db: Database.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
  const row = db.prepare('SELECT version FROM schema_version').get() as { version: number } | undefined;
  const current = row?.version ?? 0;
  if (current > SCHEMA_VERSION) {
    throw new Error(
      `relay.db has schema version ${current}, newer than this relay (${SCHEMA_VERSION}); upgrade the relay`,
    );
  }
  db.transaction(() => {
    for (const sql of migrations.slice(current)) db.exec(sql);
    db.prepare('DELETE FROM schema_version').run();
    db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(SCHEMA_VERSION);
  })();
}

export function openSqliteStore(dataDir: string): RelayStore {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const db = new Database(path.join(dataDir, 'relay.db'));
  try {
    db.pragma('journal_mode = WAL');
    // The CLI and a running relay may write at the same moment; wait rather than fail.
    db.pragma('busy_timeout = 5000');
    migrate(db);
  } catch (err) {
    db.close();
    throw err;
  }

  const insertOperator = db.prepare(
    `INSERT INTO operators (id, name, organisation, salt, hash, scrypt_n, scrypt_r, scrypt_p, created_at)
     VALUES (@id, @name, @organisation, @salt, @hash, @scrypt_n, @scrypt_r, @scrypt_p, @created_at)`,
  );
  const getOperator = db.prepare('SELECT * FROM operators WHERE id = ?');
  const listOperators = db.prepare('SELECT * FROM operators ORDER BY created_at, rowid');
  const removeOperator = db.prepare('DELETE FROM operators WHERE id = ?');

  const insertDevice = db.prepare(
    `INSERT INTO devices (id, name, salt, hash, scrypt_n, scrypt_r, scrypt_p, created_at)
     VALUES (@id, @name, @salt, @hash, @scrypt_n, @scrypt_r, @scrypt_p, @created_at)`,
  );
  const getDevice = db.prepare('SELECT * FROM devices WHERE id = ?');
  const listDevices = db.prepare('SELECT * FROM devices ORDER BY created_at, rowid');
  const removeDevice = db.prepare('DELETE FROM devices WHERE id = ?');

  const firstKey = db.prepare(
    'SELECT kid, private_jwk, created_at FROM signing_keys ORDER BY created_at, rowid LIMIT 1',
  );
  // One statement, so that two processes creating the first key at once still keep only one.
  const insertFirstKey = db.prepare(
    `INSERT INTO signing_keys (kid, private_jwk, created_at)
     SELECT @kid, @private_jwk, @created_at WHERE NOT EXISTS (SELECT 1 FROM signing_keys)`,
  );
  const getSigningKey = (): SigningKeyRecord | null => {
    const row = firstKey.get() as { kid: string; private_jwk: string; created_at: string } | undefined;
    return row ? { kid: row.kid, privateJwk: row.private_jwk, createdAt: row.created_at } : null;
  };

  return {
    insertOperator(r) {
      insertOperator.run({
        id: r.id,
        name: r.name,
        organisation: r.organisation,
        ...hashColumns(r),
        created_at: r.createdAt,
      });
    },
    getOperator(id) {
      const row = getOperator.get(id) as OperatorRow | undefined;
      return row ? operatorFromRow(row) : null;
    },
    listOperators() {
      return (listOperators.all() as OperatorRow[]).map(operatorFromRow);
    },
    removeOperator(id) {
      return removeOperator.run(id).changes > 0;
    },
    insertDevice(r) {
      insertDevice.run({ id: r.id, name: r.name, ...hashColumns(r), created_at: r.createdAt });
    },
    getDevice(id) {
      const row = getDevice.get(id) as DeviceRow | undefined;
      return row ? deviceFromRow(row) : null;
    },
    listDevices() {
      return (listDevices.all() as DeviceRow[]).map(deviceFromRow);
    },
    removeDevice(id) {
      return removeDevice.run(id).changes > 0;
    },
    getSigningKey,
    addFirstSigningKey(r) {
      insertFirstKey.run({ kid: r.kid, private_jwk: r.privateJwk, created_at: r.createdAt });
      return getSigningKey()!;
    },
    ...assistanceStatements(db),
    ...consoleStatements(db),
    audit: sqliteAuditLog(db),
    agents: agentStatements(db),
    close() {
      // Idempotent: a relay's close() and a failed start may both get here.
      if (db.open) db.close();
    },
  };
}
