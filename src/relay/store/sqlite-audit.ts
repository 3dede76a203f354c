/**
 * The audit trail on SQLite (see sqlite-store.ts for its schema): statements for appending and
 * reading only. The table's triggers refuse UPDATE and DELETE, so even code that bypassed this
 * module could not rewrite history through the same database.
 */
import type Database from 'better-sqlite3';
import { AuditEntry } from '../../shared/audit.js';
import type { AuditFilter, AuditLog } from '../audit/audit-log.js';
import { column, group, json, sqliteTable } from './sqlite-table.js';

/** Each filter field and its condition; only these fixed texts ever reach the SQL. */
const conditions: { [K in keyof Required<Omit<AuditFilter, 'limit'>>]: string } = {
  action: 'action = @action',
  deviceId: 'device_id = @deviceId',
  sessionId: 'session_id = @sessionId',
  beforeId: 'id < @beforeId',
};

export function sqliteAuditLog(db: Database.Database): AuditLog {
  const rows = sqliteTable<AuditEntry>(db, 'audit_log', {
    id: column(),
    at: column(),
    actor: group({ kind: column('actor_kind'), id: column('actor_id'), name: column('actor_name') }),
    action: column(),
    deviceId: column(),
    sessionId: column(),
    result: column(),
    detail: json((v) => v as AuditEntry['detail']),
  });
  const insert = rows.insert({ omit: ['id'] });
  return {
    append(entry) {
      const checked = AuditEntry.omit({ id: true }).parse(entry);
      const { lastInsertRowid } = insert(checked);
      return { id: Number(lastInsertRowid), ...checked };
    },
    query(filter = {}) {
      const where = (Object.keys(conditions) as Array<keyof typeof conditions>)
        .filter((k) => filter[k] !== undefined)
        .map((k) => conditions[k]);
      const sql = `SELECT * FROM audit_log${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC${filter.limit === undefined ? '' : ' LIMIT @limit'}`;
      const params = Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined));
      // Parsed, not cast: a row written by another relay version must still be what the console expects.
      return rows
        .all(sql)(params)
        .map((row) => AuditEntry.parse(row));
    },
  };
}
