/**
 * The audit trail on SQLite (see sqlite-store.ts for its schema): statements for appending and
 * reading only. The table's triggers refuse UPDATE and DELETE, so even code that bypassed this
 * module could not rewrite history through the same database.
 */
import type Database from 'better-sqlite3';
import { AuditEntry } from '../../shared/audit.js';
import type { AuditFilter, AuditLog } from '../audit/audit-log.js';

interface AuditRow {
  id: number;
  at: string;
  actor_kind: string;
  actor_id: string;
  actor_name: string;
  action: string;
  device_id: string | null;
  session_id: string | null;
  result: string;
  detail: string;
}

function fromRow(row: AuditRow): AuditEntry {
  // Parsed, not cast: a row written by another relay version must still be what the console expects.
  return AuditEntry.parse({
    id: row.id,
    at: row.at,
    actor: { kind: row.actor_kind, id: row.actor_id, name: row.actor_name },
    action: row.action,
    deviceId: row.device_id,
    sessionId: row.session_id,
    result: row.result,
    detail: JSON.parse(row.detail) as unknown,
  });
}

/** Each filter field and its condition; only these fixed texts ever reach the SQL. */
const conditions: { [K in keyof Required<Omit<AuditFilter, 'limit'>>]: string } = {
  action: 'action = @action',
  deviceId: 'device_id = @deviceId',
  sessionId: 'session_id = @sessionId',
  beforeId: 'id < @beforeId',
};

export function sqliteAuditLog(db: Database.Database): AuditLog {
  const insert = db.prepare(
    `INSERT INTO audit_log (at, actor_kind, actor_id, actor_name, action, device_id, session_id, result, detail)
     VALUES (@at, @actor_kind, @actor_id, @actor_name, @action, @device_id, @session_id, @result, @detail)`,
  );
  return {
    append(entry) {
      const checked = AuditEntry.omit({ id: true }).parse(entry);
      const { lastInsertRowid } = insert.run({
        at: checked.at,
        actor_kind: checked.actor.kind,
        actor_id: checked.actor.id,
        actor_name: checked.actor.name,
        action: checked.action,
        device_id: checked.deviceId,
        session_id: checked.sessionId,
        result: checked.result,
        detail: JSON.stringify(checked.detail),
      });
      return { id: Number(lastInsertRowid), ...checked };
    },
    query(filter = {}) {
      const where = (Object.keys(conditions) as Array<keyof typeof conditions>)
        .filter((k) => filter[k] !== undefined)
        .map((k) => conditions[k]);
      const sql = `SELECT * FROM audit_log${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC${filter.limit === undefined ? '' : ' LIMIT @limit'}`;
      const params = Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined));
      return (db.prepare(sql).all(params) as AuditRow[]).map(fromRow);
    },
  };
}
