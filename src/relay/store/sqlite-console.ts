/** The console's tables (see sqlite-store.ts for their schema): console users and the policy settings. */
import type Database from 'better-sqlite3';
import type { Role } from '../../shared/policy.js';
import type { ConsoleUserRecord, RelayStore } from './store.js';

interface ConsoleUserRow {
  username: string;
  name: string;
  role: Role;
  operator_id: string;
  salt: Buffer;
  hash: Buffer;
  scrypt_n: number;
  scrypt_r: number;
  scrypt_p: number;
  created_at: string;
}

function fromRow(row: ConsoleUserRow): ConsoleUserRecord {
  return {
    username: row.username,
    name: row.name,
    role: row.role,
    operatorId: row.operator_id,
    salt: row.salt,
    hash: row.hash,
    scrypt: { N: row.scrypt_n, r: row.scrypt_r, p: row.scrypt_p },
    createdAt: row.created_at,
  };
}

type ConsoleStatements = Pick<
  RelayStore,
  | 'insertConsoleUser'
  | 'getConsoleUser'
  | 'listConsoleUsers'
  | 'countConsoleAdmins'
  | 'removeConsoleUser'
  | 'setConsoleUserRole'
  | 'getPolicySettings'
  | 'putPolicySettings'
>;

export function consoleStatements(db: Database.Database): ConsoleStatements {
  const insertUser = db.prepare(
    `INSERT INTO console_users (username, name, role, operator_id, salt, hash, scrypt_n, scrypt_r, scrypt_p, created_at)
     VALUES (@username, @name, @role, @operator_id, @salt, @hash, @scrypt_n, @scrypt_r, @scrypt_p, @created_at)`,
  );
  // Only when no admin exists yet: two setup requests racing cannot both make the first admin.
  const insertFirstAdmin = db.prepare(
    `INSERT INTO console_users (username, name, role, operator_id, salt, hash, scrypt_n, scrypt_r, scrypt_p, created_at)
     SELECT @username, @name, @role, @operator_id, @salt, @hash, @scrypt_n, @scrypt_r, @scrypt_p, @created_at
     WHERE NOT EXISTS (SELECT 1 FROM console_users WHERE role = 'admin')`,
  );
  const getUser = db.prepare('SELECT * FROM console_users WHERE username = ?');
  const listUsers = db.prepare('SELECT * FROM console_users ORDER BY created_at, rowid');
  const countAdmins = db.prepare("SELECT count(*) AS n FROM console_users WHERE role = 'admin'");
  // Neither statement may leave the relay without an admin: the count is read in the same statement.
  const removeUser = db.prepare(
    `DELETE FROM console_users WHERE username = @username
       AND (role <> 'admin' OR (SELECT count(*) FROM console_users WHERE role = 'admin') > 1)`,
  );
  const setRole = db.prepare(
    `UPDATE console_users SET role = @role WHERE username = @username
       AND (@role = 'admin' OR role <> 'admin' OR (SELECT count(*) FROM console_users WHERE role = 'admin') > 1)`,
  );
  const getPolicy = db.prepare('SELECT settings FROM policy_settings WHERE id = 1');
  const putPolicy = db.prepare(
    `INSERT INTO policy_settings (id, settings, updated_at) VALUES (1, @settings, @updated_at)
     ON CONFLICT (id) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at`,
  );

  return {
    insertConsoleUser(r, opts = {}) {
      const row = {
        username: r.username,
        name: r.name,
        role: r.role,
        operator_id: r.operatorId,
        salt: r.salt,
        hash: r.hash,
        scrypt_n: r.scrypt.N,
        scrypt_r: r.scrypt.r,
        scrypt_p: r.scrypt.p,
        created_at: r.createdAt,
      };
      return (opts.onlyIfNoAdmin ? insertFirstAdmin : insertUser).run(row).changes > 0;
    },
    getConsoleUser(username) {
      const row = getUser.get(username) as ConsoleUserRow | undefined;
      return row ? fromRow(row) : null;
    },
    listConsoleUsers() {
      return (listUsers.all() as ConsoleUserRow[]).map(fromRow);
    },
    countConsoleAdmins() {
      return (countAdmins.get() as { n: number }).n;
    },
    removeConsoleUser(username) {
      return removeUser.run({ username }).changes > 0;
    },
    setConsoleUserRole(username, role) {
      return setRole.run({ username, role }).changes > 0;
    },
    getPolicySettings() {
      return (getPolicy.get() as { settings: string } | undefined)?.settings ?? null;
    },
    putPolicySettings(settings) {
      putPolicy.run({ settings, updated_at: new Date().toISOString() });
    },
  };
}
