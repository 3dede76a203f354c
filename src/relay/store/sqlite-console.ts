/**
 * The console's tables (see sqlite-store.ts for their schema): console users, their signed-in
 * sessions (by the hash of the session id only), their second factors (sealed), the console's
 * settings and the policy settings.
 */
import type Database from 'better-sqlite3';
import { changes, column, name, saltedHashFields, sqliteTable, type FieldSpec } from './sqlite-table.js';
import type { ConsoleSessionRecord, ConsoleUserRecord, RelayStore, SecondFactorRecord } from './store.js';

type ConsoleStatements = Pick<
  RelayStore,
  | 'insertConsoleUser'
  | 'getConsoleUser'
  | 'listConsoleUsers'
  | 'countConsoleAdmins'
  | 'removeConsoleUser'
  | 'setConsoleUserRole'
  | 'setConsoleUserPassword'
  | 'insertConsoleSession'
  | 'getConsoleSession'
  | 'touchConsoleSession'
  | 'rekeyConsoleSession'
  | 'removeConsoleSession'
  | 'removeConsoleSessionsOf'
  | 'purgeConsoleSessions'
  | 'getSecondFactor'
  | 'secondFactorUsers'
  | 'setPendingSecondFactor'
  | 'enableSecondFactor'
  | 'spendSecondFactorStep'
  | 'removeSecondFactor'
  | 'getConsoleSettings'
  | 'putConsoleSettings'
  | 'getPolicySettings'
  | 'putPolicySettings'
>;

export function consoleStatements(db: Database.Database): ConsoleStatements {
  const users = sqliteTable<ConsoleUserRecord>(db, 'console_users', {
    username: column(),
    name: name('user name'),
    role: column(),
    operatorId: column(),
    ...saltedHashFields(),
    createdAt: column(),
    mustChangePassword: flag(),
  });
  const insertUser = users.insert();
  const setPassword = users.update(['salt', 'hash', 'scrypt', 'mustChangePassword'], ['username']);
  // Only when no admin exists yet: two setup requests racing cannot both make the first admin.
  const insertFirstAdmin = users.insert({ where: "NOT EXISTS (SELECT 1 FROM console_users WHERE role = 'admin')" });
  const countAdmins = db.prepare("SELECT count(*) AS n FROM console_users WHERE role = 'admin'");
  // Neither statement may leave the relay without an admin: the count is read in the same statement.
  const removeUser = changes(
    db,
    `DELETE FROM console_users WHERE username = @username
       AND (role <> 'admin' OR (SELECT count(*) FROM console_users WHERE role = 'admin') > 1)`,
  );
  const sessions = sqliteTable<ConsoleSessionRecord>(db, 'console_sessions', {
    idHash: column(),
    username: column(),
    createdAt: column(),
    lastSeen: column(),
  });
  const insertSession = sessions.insert();
  const touchSession = sessions.update(['lastSeen'], ['idHash']);
  const rekeySession = changes(db, 'UPDATE console_sessions SET id_hash = ? WHERE id_hash = ?');
  const removeSession = changes(db, 'DELETE FROM console_sessions WHERE id_hash = ?');
  const removeSessionsOf = changes(db, 'DELETE FROM console_sessions WHERE username = ?');
  const removeSessionsBut = changes(db, 'DELETE FROM console_sessions WHERE username = ? AND id_hash <> ?');
  const purgeSessions = changes(
    db,
    'DELETE FROM console_sessions WHERE last_seen < @lastSeenBefore OR created_at < @createdBefore',
  );
  const factors = sqliteTable<SecondFactorRecord>(db, 'console_second_factors', {
    username: column(),
    secret: column(),
    pending: column(),
    lastStep: column(),
  });
  const setPending = db.prepare(
    `INSERT INTO console_second_factors (username, pending) VALUES (@username, @pending)
     ON CONFLICT (username) DO UPDATE SET pending = excluded.pending`,
  );
  // Only the pending secret the code was checked against, in the same statement as the check.
  const enable = changes(
    db,
    `UPDATE console_second_factors SET secret = pending, pending = NULL, last_step = @step
       WHERE username = @username AND pending = @sealed`,
  );
  // Spent once: two sign-ins racing with the same code cannot both pass.
  const spend = changes(
    db,
    `UPDATE console_second_factors SET last_step = @step
       WHERE username = @username AND secret IS NOT NULL AND (last_step IS NULL OR last_step < @step)`,
  );
  const removeFactor = changes(db, 'DELETE FROM console_second_factors WHERE username = ?');
  const factorUsers = db.prepare('SELECT username FROM console_second_factors WHERE secret IS NOT NULL');
  const getSettings = db.prepare('SELECT require_second_factor FROM console_settings WHERE id = 1');
  const putSettings = db.prepare(
    `INSERT INTO console_settings (id, require_second_factor, updated_at) VALUES (1, @require, @updated_at)
     ON CONFLICT (id) DO UPDATE SET require_second_factor = excluded.require_second_factor,
       updated_at = excluded.updated_at`,
  );
  // A removed user's sessions and second factor go in the same transaction: none is left to sign
  // in again as, or with the authenticator of, a user later made with the same username.
  const removeUserAndSessions = db.transaction((username: string) => {
    if (removeUser({ username }) === 0) return false;
    removeSessionsOf(username);
    removeFactor(username);
    return true;
  });
  const setRole = changes(
    db,
    `UPDATE console_users SET role = @role WHERE username = @username
       AND (@role = 'admin' OR role <> 'admin' OR (SELECT count(*) FROM console_users WHERE role = 'admin') > 1)`,
  );
  const getPolicy = db.prepare('SELECT settings FROM policy_settings WHERE id = 1');
  const putPolicy = db.prepare(
    `INSERT INTO policy_settings (id, settings, updated_at) VALUES (1, @settings, @updated_at)
     ON CONFLICT (id) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at`,
  );

  return {
    insertConsoleUser: (r, opts = {}) => (opts.onlyIfNoAdmin ? insertFirstAdmin : insertUser)(r).changes > 0,
    getConsoleUser: users.one('SELECT * FROM console_users WHERE username = ?'),
    listConsoleUsers: users.all('SELECT * FROM console_users ORDER BY created_at, rowid'),
    countConsoleAdmins() {
      return (countAdmins.get() as { n: number }).n;
    },
    removeConsoleUser: (username) => removeUserAndSessions(username),
    setConsoleUserRole: (username, role) => setRole({ username, role }) > 0,
    setConsoleUserPassword: (username, hashed, mustChangePassword) =>
      setPassword({ username, ...hashed, mustChangePassword }).changes > 0,
    insertConsoleSession: (r) => void insertSession(r),
    getConsoleSession: sessions.one('SELECT * FROM console_sessions WHERE id_hash = ?'),
    touchConsoleSession: (idHash, lastSeen) => void touchSession({ idHash, lastSeen }),
    rekeyConsoleSession: (from, to) => void rekeySession(to, from),
    removeConsoleSession: (idHash) => removeSession(idHash) > 0,
    removeConsoleSessionsOf: (username, except) =>
      except === undefined ? removeSessionsOf(username) : removeSessionsBut(username, except),
    purgeConsoleSessions: (cutoffs) => purgeSessions(cutoffs),
    getSecondFactor: factors.one('SELECT * FROM console_second_factors WHERE username = ?'),
    secondFactorUsers: () => (factorUsers.all() as Array<{ username: string }>).map((r) => r.username),
    setPendingSecondFactor: (username, pending) => void setPending.run({ username, pending }),
    enableSecondFactor: (username, sealed, step) => enable({ username, sealed, step }) > 0,
    spendSecondFactorStep: (username, step) => spend({ username, step }) > 0,
    removeSecondFactor: (username) => removeFactor(username) > 0,
    getConsoleSettings() {
      const row = getSettings.get() as { require_second_factor: number } | undefined;
      return row ? { requireSecondFactor: row.require_second_factor === 1 } : null;
    },
    putConsoleSettings({ requireSecondFactor }) {
      putSettings.run({ require: requireSecondFactor ? 1 : 0, updated_at: new Date().toISOString() });
    },
    getPolicySettings() {
      return (getPolicy.get() as { settings: string } | undefined)?.settings ?? null;
    },
    putPolicySettings(settings) {
      putPolicy.run({ settings, updated_at: new Date().toISOString() });
    },
  };
}

/** A boolean in an INTEGER column (0 or 1). */
function flag(): FieldSpec<boolean> {
  return (field) => {
    const plain = column<number>()(field);
    return {
      ...plain,
      read: (row) => plain.read(row) === 1,
      write: (value, params) => plain.write(value ? 1 : 0, params),
    };
  };
}
