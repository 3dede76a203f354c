/**
 * The roles administrators define beyond admin and operator (name, description), and which role
 * each console user and operator identity has for the capability matrix (role_assignments; an
 * identity without a row is an operator, a console user without one has their console role).
 * Also the migration that made them: the tables, the operator identities of admin console users
 * made admins, and the policy's old adminToolsRoles turned into the matrix's tool cells, so that
 * a relay in use keeps allowing exactly what it allowed. Idempotent (tests run it again on a
 * database set back to an older version).
 */
import type Database from 'better-sqlite3';
import { BUILT_IN_ROLES, TOOL_CAPABILITIES } from '../../shared/capabilities.js';
import type { RoleRecord, RoleStore, RoleSubject } from './store.js';

export function migrateToCapabilities(db: Database.Database): void {
  db.exec(`CREATE TABLE IF NOT EXISTS roles (
     name TEXT PRIMARY KEY,
     description TEXT NOT NULL,
     created_at TEXT NOT NULL
   ) STRICT;
   CREATE TABLE IF NOT EXISTS role_assignments (
     subject_kind TEXT NOT NULL CHECK (subject_kind IN ('console-user', 'operator')),
     subject_id TEXT NOT NULL,
     role TEXT NOT NULL,
     PRIMARY KEY (subject_kind, subject_id)
   ) STRICT;
   INSERT OR IGNORE INTO role_assignments (subject_kind, subject_id, role)
     SELECT 'operator', operator_id, 'admin' FROM console_users WHERE role = 'admin'`);
  const row = db.prepare('SELECT settings FROM policy_settings WHERE id = 1').get() as { settings: string } | undefined;
  if (!row) return;
  const settings = JSON.parse(row.settings) as { product: Level; groups: Record<string, Level> };
  const converted = {
    product: toCapabilities(settings.product, true),
    groups: Object.fromEntries(Object.entries(settings.groups).map(([g, level]) => [g, toCapabilities(level, false)])),
  };
  db.prepare('UPDATE policy_settings SET settings = ? WHERE id = 1').run(JSON.stringify(converted));
}

type Level = Record<string, unknown> & { adminToolsRoles?: string[] };

/** A level's adminToolsRoles as explicit tool cells for both built-in roles; the product level always gets a matrix. */
function toCapabilities(level: Level, product: boolean): Record<string, unknown> {
  const { adminToolsRoles, ...rest } = level;
  if (adminToolsRoles === undefined) return product ? { capabilities: {}, ...rest } : rest;
  const cells = Object.fromEntries(BUILT_IN_ROLES.map((role) => [role, adminToolsRoles.includes(role)]));
  return { ...rest, capabilities: Object.fromEntries(TOOL_CAPABILITIES.map((tool) => [tool, { ...cells }])) };
}

export function roleStatements(db: Database.Database): RoleStore {
  const list = db.prepare('SELECT name, description, created_at AS createdAt FROM roles ORDER BY created_at, rowid');
  const get = db.prepare('SELECT name, description, created_at AS createdAt FROM roles WHERE name = ?');
  const insert = db.prepare(
    'INSERT OR IGNORE INTO roles (name, description, created_at) VALUES (@name, @description, @createdAt)',
  );
  const remove = db.prepare('DELETE FROM roles WHERE name = ?');
  const assignment = db.prepare('SELECT role FROM role_assignments WHERE subject_kind = ? AND subject_id = ?').pluck();
  const assign = db.prepare(
    `INSERT INTO role_assignments (subject_kind, subject_id, role) VALUES (?, ?, ?)
       ON CONFLICT (subject_kind, subject_id) DO UPDATE SET role = excluded.role`,
  );
  const unassign = db.prepare('DELETE FROM role_assignments WHERE subject_kind = ? AND subject_id = ?');
  const assignments = db.prepare(
    'SELECT subject_kind AS kind, subject_id AS id, role FROM role_assignments ORDER BY subject_kind, subject_id',
  );
  const holders = db.prepare('SELECT count(*) FROM role_assignments WHERE role = ?').pluck();
  return {
    list: () => list.all() as RoleRecord[],
    get: (name) => (get.get(name) as RoleRecord | undefined) ?? null,
    insert: (record) => insert.run(record).changes > 0,
    // Only a role nobody holds: the check and the delete in one transaction.
    remove: db.transaction((name: string) => {
      if ((holders.get(name) as number) > 0) return 'assigned' as const;
      return remove.run(name).changes > 0 ? ('removed' as const) : ('missing' as const);
    }),
    assignment: (kind, id) => (assignment.get(kind, id) as string | undefined) ?? null,
    assign: (kind, id, role) => void assign.run(kind, id, role),
    unassign: (kind, id) => void unassign.run(kind, id),
    assignments: () => assignments.all() as Array<{ kind: RoleSubject; id: string; role: string }>,
  };
}
