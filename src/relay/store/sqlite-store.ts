/**
 * The relay store on SQLite: one file, `<dataDir>/relay.db`, in WAL mode so that the CLI's
 * registry commands can write while a relay is serving from the same file. The data dir is
 * the relay's secret area (it holds the activation signing key): every open makes it and all it
 * holds owner-only (data-dir.ts).
 */
import Database from 'better-sqlite3';
import { assistanceStatements } from './sqlite-assistances.js';
import { agentStatements } from '../agents/sqlite-agents.js';
import { sqliteAuditLog } from './sqlite-audit.js';
import { consoleStatements } from './sqlite-console.js';
import { secureDataDir } from './data-dir.js';
import { migrateToCapabilities, roleStatements } from './sqlite-roles.js';
import { changes, column, group, name, nullable, saltedHashFields, sqliteTable } from './sqlite-table.js';
import { signingKeyStatements } from './sqlite-signing-keys.js';
import { operatorAppTokenStatements, removeOperatorAppTokens } from './sqlite-operator-app-tokens.js';
import type { DeviceRecord, OperatorRecord, RelayStore } from './store.js';

/**
 * Schema changes, in order; never edit one that has shipped, append a new one. The index + 1 of
 * the last applied migration is kept in schema_version, so opening an older file upgrades it.
 * A change that rewrites JSON is a function, run in the same transaction.
 */
export const MIGRATIONS: readonly (string | ((db: Database.Database) => void))[] = [
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
  // Signed-in console sessions: the SHA-256 of the session id (the cookie's value), never the id;
  // times in ms on the relay's clock. username is console_users.username (its rows go with it).
  `CREATE TABLE console_sessions (
     id_hash BLOB PRIMARY KEY,
     username TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     last_seen INTEGER NOT NULL
   ) STRICT;
   CREATE INDEX console_sessions_username ON console_sessions (username)`,
  // An assistance's end reason, and its host's reconnection: the SHA-256 of its resume token and,
  // while it is away, the end of its grace period (ms on the relay's clock).
  `ALTER TABLE assistances ADD COLUMN end_reason TEXT;
   ALTER TABLE assistances ADD COLUMN host_resume_hash BLOB;
   ALTER TABLE assistances ADD COLUMN host_away_until INTEGER`,
  // What a relay restart must carry on: the device's name and what the user allowed, per
  // assistance; and when the relay was last running (ms on its clock), to count a crash's downtime.
  `ALTER TABLE assistances ADD COLUMN device_name TEXT;
   ALTER TABLE assistances ADD COLUMN access_mode TEXT;
   CREATE TABLE relay_heartbeat (id INTEGER PRIMARY KEY CHECK (id = 1), alive_at INTEGER NOT NULL) STRICT`,
  // Each assistance's lifecycle state (assistances/lifecycle.ts) as JSON; older rows get the
  // phase their other columns imply.
  `ALTER TABLE assistances ADD COLUMN lifecycle TEXT NOT NULL DEFAULT '{"phase":"requested","away":[],"endedFrom":null}';
   UPDATE assistances SET lifecycle = json_object('phase',
       CASE WHEN ended_at IS NOT NULL THEN (CASE WHEN end_reason = 'expired' THEN 'expired' ELSE 'ended' END)
            WHEN access_mode IS NOT NULL AND resume_hash IS NULL THEN 'released'
            WHEN access_mode IS NOT NULL THEN 'active'
            WHEN host_resume_hash IS NOT NULL THEN 'ready'
            ELSE 'requested' END,
     'away', json_array(), 'endedFrom', NULL)`,
  // Machine tokens by their HMAC under the relay's token pepper (kept outside this database; its
  // fingerprint in token_pepper). Rows from before keep their scrypt hash, and no MAC, until their
  // next successful check swaps one for the other (src/relay/credentials/machine-tokens.ts).
  // SQLite cannot drop a NOT NULL: both tables are rebuilt, rows in their order.
  `CREATE TABLE operators_v2 (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     organisation TEXT NOT NULL,
     token_mac BLOB,
     salt BLOB,
     hash BLOB,
     scrypt_n INTEGER,
     scrypt_r INTEGER,
     scrypt_p INTEGER,
     created_at TEXT NOT NULL,
     CHECK ((token_mac IS NULL) <> (hash IS NULL))
   ) STRICT;
   INSERT INTO operators_v2 (id, name, organisation, salt, hash, scrypt_n, scrypt_r, scrypt_p, created_at)
     SELECT id, name, organisation, salt, hash, scrypt_n, scrypt_r, scrypt_p, created_at FROM operators ORDER BY rowid;
   DROP TABLE operators;
   ALTER TABLE operators_v2 RENAME TO operators;
   CREATE TABLE devices_v2 (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     token_mac BLOB,
     salt BLOB,
     hash BLOB,
     scrypt_n INTEGER,
     scrypt_r INTEGER,
     scrypt_p INTEGER,
     created_at TEXT NOT NULL,
     CHECK ((token_mac IS NULL) <> (hash IS NULL))
   ) STRICT;
   INSERT INTO devices_v2 (id, name, salt, hash, scrypt_n, scrypt_r, scrypt_p, created_at)
     SELECT id, name, salt, hash, scrypt_n, scrypt_r, scrypt_p, created_at FROM devices ORDER BY rowid;
   DROP TABLE devices;
   ALTER TABLE devices_v2 RENAME TO devices;
   CREATE TABLE token_pepper (id INTEGER PRIMARY KEY CHECK (id = 1), fingerprint BLOB NOT NULL) STRICT`,
  // Enrolment tokens count their uses: max_uses is how many enrolments one allows (null: any
  // number, the tokens made before uses were counted).
  `ALTER TABLE enrolment_tokens ADD COLUMN max_uses INTEGER;
   ALTER TABLE enrolment_tokens ADD COLUMN uses INTEGER NOT NULL DEFAULT 0`,
  // Console users' TOTP second factors: the secret in use and one waiting for its first code, both
  // sealed (AES-256-GCM under a key derived from the token pepper, console/secret-box.ts), and the
  // last time step whose code was accepted (a code is good once). One row of console settings.
  `CREATE TABLE console_second_factors (
     username TEXT PRIMARY KEY,
     secret BLOB,
     pending BLOB,
     last_step INTEGER
   ) STRICT;
   CREATE TABLE console_settings (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     require_second_factor INTEGER NOT NULL,
     updated_at TEXT NOT NULL
   ) STRICT`,
  // Several signing keys: one active, retired ones (ms on the clock of whoever rotated) and revoked
  // ones. The public half is kept apart, so that the private half can be forgotten (NULL).
  `CREATE TABLE signing_keys_v2 (
     kid TEXT PRIMARY KEY,
     public_jwk TEXT NOT NULL,
     private_jwk TEXT,
     created_at TEXT NOT NULL,
     retired_at INTEGER,
     revoked_at INTEGER
   ) STRICT;
   INSERT INTO signing_keys_v2 (kid, public_jwk, private_jwk, created_at)
     SELECT kid, json_object('kty', 'OKP', 'crv', 'Ed25519', 'x', json_extract(private_jwk, '$.x')),
            private_jwk, created_at
     FROM signing_keys ORDER BY created_at, rowid;
   DROP TABLE signing_keys;
   ALTER TABLE signing_keys_v2 RENAME TO signing_keys`,
  // New installations start with unattended off (NEW_INSTALLATION_POLICY). A relay already in
  // use (anyone or anything registered, anything audited) that never saved a policy keeps the
  // one it had: the specification's defaults (DEFAULT_POLICY as it was then), saved now.
  `INSERT INTO policy_settings (id, settings, updated_at)
     SELECT 1,
            '{"product":{"remoteAssistance":true,"allowedTypes":["attended","unattended","dynamic"],"adminToolsRoles":["admin"],"audioRedirection":false,"minAgentVersion":{"remoteAssistance":"23.7","dynamic":"24.9.2"}},"groups":{}}',
            strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
     WHERE NOT EXISTS (SELECT 1 FROM policy_settings)
       AND (EXISTS (SELECT 1 FROM operators) OR EXISTS (SELECT 1 FROM devices)
            OR EXISTS (SELECT 1 FROM console_users) OR EXISTS (SELECT 1 FROM agent_devices)
            OR EXISTS (SELECT 1 FROM audit_log))`,
  // A console user whose password an administrator reset must choose a new one at the next sign-in.
  `ALTER TABLE console_users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0`,
  // A device enrolling again is found by its machine identity (the agent's app-specific hash of
  // /etc/machine-id or MachineGuid, never the raw id) within its environment, and keeps its record.
  `ALTER TABLE agent_devices ADD COLUMN machine_identity TEXT;
   CREATE INDEX agent_devices_machine ON agent_devices (environment_id, machine_identity)`,
  // Roles beyond admin and operator, and which role console users and operator identities have
  // for the capability matrix; adminToolsRoles becomes the matrix's tool cells (sqlite-roles.ts).
  migrateToCapabilities,
  // Operators carry an environment, as devices do: the relay refuses tools across environments.
  `ALTER TABLE operators ADD COLUMN environment TEXT NOT NULL DEFAULT 'default'`,
  // One token per app signed in from the console (its MAC only), so that apps of one identity do
  // not sign each other out; they go with the identity (removeOperator).
  `CREATE TABLE operator_app_tokens (
     id TEXT PRIMARY KEY,
     operator_id TEXT NOT NULL,
     token_mac BLOB NOT NULL,
     created_at TEXT NOT NULL
   ) STRICT;
   CREATE INDEX operator_app_tokens_operator ON operator_app_tokens (operator_id)`,
  // Several relay nodes on one store (src/relay/cluster.ts): the node whose session table holds
  // an assistance, so that a node starting carries over its own and not the others' (null: one relay).
  `ALTER TABLE assistances ADD COLUMN owner_node TEXT`,
  // Each node's own heartbeat, so that another node can tell a dead owner from a live one and
  // take its assistances over (assistances/takeover.ts).
  `CREATE TABLE relay_nodes (node TEXT PRIMARY KEY, alive_at INTEGER NOT NULL) STRICT`,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** One migration (tests build older databases with it). */
export function applyMigration(db: Database.Database, step: (typeof MIGRATIONS)[number]): void {
  if (typeof step === 'string') db.exec(step);
  else step(db);
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
    for (const step of MIGRATIONS.slice(current)) applyMigration(db, step);
    db.prepare('DELETE FROM schema_version').run();
    db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(SCHEMA_VERSION);
  })();
}

/**
 * `node`: the name of this relay node among several sharing the store (docs/deployment.md); the
 * assistances it creates are its own, and only those are running for it at its next start.
 */
export function openSqliteStore(dataDir: string, opts: { node?: string | null } = {}): RelayStore {
  const db = new Database(secureDataDir(dataDir));
  try {
    db.pragma('journal_mode = WAL');
    // The CLI and a running relay may write at the same moment; wait rather than fail.
    db.pragma('busy_timeout = 5000');
    migrate(db);
  } catch (err) {
    db.close();
    throw err;
  }

  const operators = sqliteTable<OperatorRecord>(db, 'operators', {
    id: column(),
    name: name('operator name'),
    organisation: name('organisation'),
    environment: name('environment'),
    tokenMac: column(),
    legacyHash: nullable(group(saltedHashFields())),
    createdAt: column(),
  });
  const devices = sqliteTable<DeviceRecord>(db, 'devices', {
    id: column(),
    name: name('device name'),
    tokenMac: column(),
    legacyHash: nullable(group(saltedHashFields())),
    createdAt: column(),
  });
  // The MAC in, the old hash out, in one statement: the CHECK wants exactly one of them.
  const upgradeToken = (table: string) =>
    changes(
      db,
      `UPDATE ${table} SET token_mac = ?, salt = NULL, hash = NULL, scrypt_n = NULL, scrypt_r = NULL, scrypt_p = NULL
       WHERE id = ? AND token_mac IS NULL`,
    );
  const upgradeOperator = upgradeToken('operators');
  const upgradeDevice = upgradeToken('devices');
  const getPepper = db.prepare('SELECT fingerprint FROM token_pepper WHERE id = 1').pluck();
  const insertFirstPepper = db.prepare('INSERT OR IGNORE INTO token_pepper (id, fingerprint) VALUES (1, ?)');
  const removeOperator = changes(db, 'DELETE FROM operators WHERE id = ?');
  const removeAppTokens = removeOperatorAppTokens(db);
  const removeDevice = changes(db, 'DELETE FROM devices WHERE id = ?');
  const removeAgentDevice = changes(db, 'DELETE FROM agent_devices WHERE device_id = ?');
  const replaceDeviceToken = changes(
    db,
    `UPDATE devices SET token_mac = ?, salt = NULL, hash = NULL, scrypt_n = NULL, scrypt_r = NULL, scrypt_p = NULL
     WHERE id = ?`,
  );
  const renameDevice = devices.update(['name'], ['id']);
  const insertOperator = operators.insert();
  const insertDevice = devices.insert();

  return {
    insertOperator: (r) => void insertOperator(r),
    getOperator: operators.one('SELECT * FROM operators WHERE id = ?'),
    listOperators: operators.all('SELECT * FROM operators ORDER BY created_at, rowid'),
    // The identity and every app token it has go together.
    removeOperator: db.transaction((id: string) => {
      removeAppTokens(id);
      return removeOperator(id) > 0;
    }),
    upgradeOperatorToken: (id, tokenMac) => void upgradeOperator(tokenMac, id),
    insertDevice: (r) => void insertDevice(r),
    getDevice: devices.one('SELECT * FROM devices WHERE id = ?'),
    listDevices: devices.all('SELECT * FROM devices ORDER BY created_at, rowid'),
    // The device and what its agent reported go together: a removed device is listed nowhere.
    removeDevice: db.transaction((id: string) => {
      removeAgentDevice(id);
      return removeDevice(id) > 0;
    }),
    upgradeDeviceToken: (id, tokenMac) => void upgradeDevice(tokenMac, id),
    replaceDeviceToken: (id, tokenMac) => replaceDeviceToken(tokenMac, id) > 0,
    renameDevice: (id, name) => renameDevice({ id, name }).changes > 0,
    getTokenPepperFingerprint: () => (getPepper.get() as Buffer | undefined) ?? null,
    addFirstTokenPepperFingerprint(fingerprint) {
      insertFirstPepper.run(fingerprint);
      return getPepper.get() as Buffer;
    },
    ...signingKeyStatements(db),
    ...operatorAppTokenStatements(db),
    ...assistanceStatements(db, opts.node ?? null),
    ...consoleStatements(db),
    audit: sqliteAuditLog(db),
    agents: agentStatements(db),
    roles: roleStatements(db),
    externalChanges: () => db.pragma('data_version', { simple: true }) as number,
    close() {
      // Idempotent: a relay's close() and a failed start may both get here.
      if (db.open) db.close();
    },
  };
}
