/**
 * The console's tables (see sqlite-store.ts for their schema): console users, their signed-in
 * sessions (by the hash of the session id only) and the policy settings.
 */
import type Database from 'better-sqlite3';
import { changes, column, name, saltedHashFields, sqliteTable } from './sqlite-table.js';
import type { ConsoleSessionRecord, ConsoleUserRecord, RelayStore } from './store.js';

type ConsoleStatements = Pick<
  RelayStore,
  | 'insertConsoleUser'
  | 'getConsoleUser'
  | 'listConsoleUsers'
  | 'countConsoleAdmins'
  | 'removeConsoleUser'
  | 'setConsoleUserRole'
  | 'insertConsoleSession'
  | 'getConsoleSession'
  | 'touchConsoleSession'
  | 'rekeyConsoleSession'
  | 'removeConsoleSession'
  | 'removeConsoleSessionsOf'
  | 'purgeConsoleSessions'
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
  });
  const insertUser = users.insert();
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
  const purgeSessions = changes(
    db,
    'DELETE FROM console_sessions WHERE last_seen < @lastSeenBefore OR created_at < @createdBefore',
  );
  // A removed user's sessions go in the same transaction: none is left to sign in again as a
  // user later made with the same username.
  const removeUserAndSessions = db.transaction((username: string) => {
    if (removeUser({ username }) === 0) return false;
    removeSessionsOf(username);
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
    insertConsoleSession: (r) => void insertSession(r),
    getConsoleSession: sessions.one('SELECT * FROM console_sessions WHERE id_hash = ?'),
    touchConsoleSession: (idHash, lastSeen) => void touchSession({ idHash, lastSeen }),
    rekeyConsoleSession: (from, to) => void rekeySession(to, from),
    removeConsoleSession: (idHash) => removeSession(idHash) > 0,
    removeConsoleSessionsOf: (username) => removeSessionsOf(username),
    purgeConsoleSessions: (cutoffs) => purgeSessions(cutoffs),
    getPolicySettings() {
      return (getPolicy.get() as { settings: string } | undefined)?.settings ?? null;
    },
    putPolicySettings(settings) {
      putPolicy.run({ settings, updated_at: new Date().toISOString() });
    },
  };
}
