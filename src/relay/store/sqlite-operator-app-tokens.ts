/**
 * The operator identities' app tokens in SQLite (schema in sqlite-store.ts): one row per app
 * signed in from the console, its MAC under the token pepper only, so that two apps of one
 * identity (two computers, two users sharing it) each keep their own token, revocable alone;
 * removing the identity removes them all (removeOperator, in one transaction with it).
 */
import type Database from 'better-sqlite3';
import { changes, column, sqliteTable } from './sqlite-table.js';
import type { OperatorAppTokenRecord, OperatorAppTokenStore } from './store.js';

export function operatorAppTokenStatements(db: Database.Database): OperatorAppTokenStore {
  const tokens = sqliteTable<OperatorAppTokenRecord>(db, 'operator_app_tokens', {
    id: column(),
    operatorId: column(),
    tokenMac: column(),
    createdAt: column(),
  });
  const insert = tokens.insert();
  const remove = changes(db, 'DELETE FROM operator_app_tokens WHERE id = ?');
  return {
    insertOperatorAppToken: (r) => void insert(r),
    getOperatorAppToken: tokens.one('SELECT * FROM operator_app_tokens WHERE id = ?'),
    listOperatorAppTokens: tokens.all(
      'SELECT * FROM operator_app_tokens WHERE operator_id = ? ORDER BY created_at, rowid',
    ),
    removeOperatorAppToken: (id) => remove(id) > 0,
  };
}

/** Removes an operator's app tokens (with the operator, in its transaction). */
export function removeOperatorAppTokens(db: Database.Database): (operatorId: string) => number {
  return changes(db, 'DELETE FROM operator_app_tokens WHERE operator_id = ?');
}
