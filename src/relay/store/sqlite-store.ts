/**
 * The relay store on SQLite: one file, `<dataDir>/relay.db`, in WAL mode so that the CLI's
 * operator commands can write while a relay is serving from the same file.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { OperatorRecord, RelayStore } from './store.js';

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
];

export const SCHEMA_VERSION = migrations.length;

interface OperatorRow {
  id: string;
  name: string;
  organisation: string;
  salt: Buffer;
  hash: Buffer;
  scrypt_n: number;
  scrypt_r: number;
  scrypt_p: number;
  created_at: string;
}

function fromRow(row: OperatorRow): OperatorRecord {
  return {
    id: row.id,
    name: row.name,
    organisation: row.organisation,
    salt: row.salt,
    hash: row.hash,
    scrypt: { N: row.scrypt_n, r: row.scrypt_r, p: row.scrypt_p },
    createdAt: row.created_at,
  };
}

function migrate(db: Database.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
  const row = db.prepare('SELECT version FROM schema_version').get() as { version: number } | undefined;
  const current = row?.version ?? 0;
  if (current > SCHEMA_VERSION) {
    throw new Error(`relay.db has schema version ${current}, newer than this relay (${SCHEMA_VERSION}); upgrade the relay`);
  }
  db.transaction(() => {
    for (const sql of migrations.slice(current)) db.exec(sql);
    db.prepare('DELETE FROM schema_version').run();
    db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(SCHEMA_VERSION);
  })();
}

export function openSqliteStore(dataDir: string): RelayStore {
  fs.mkdirSync(dataDir, { recursive: true });
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

  const insert = db.prepare(
    `INSERT INTO operators (id, name, organisation, salt, hash, scrypt_n, scrypt_r, scrypt_p, created_at)
     VALUES (@id, @name, @organisation, @salt, @hash, @scrypt_n, @scrypt_r, @scrypt_p, @created_at)`,
  );
  const get = db.prepare('SELECT * FROM operators WHERE id = ?');
  const list = db.prepare('SELECT * FROM operators ORDER BY created_at, rowid');
  const remove = db.prepare('DELETE FROM operators WHERE id = ?');

  return {
    insertOperator(r) {
      insert.run({
        id: r.id,
        name: r.name,
        organisation: r.organisation,
        salt: r.salt,
        hash: r.hash,
        scrypt_n: r.scrypt.N,
        scrypt_r: r.scrypt.r,
        scrypt_p: r.scrypt.p,
        created_at: r.createdAt,
      });
    },
    getOperator(id) {
      const row = get.get(id) as OperatorRow | undefined;
      return row ? fromRow(row) : null;
    },
    listOperators() {
      return (list.all() as OperatorRow[]).map(fromRow);
    },
    removeOperator(id) {
      return remove.run(id).changes > 0;
    },
    close() {
      // Idempotent: a relay's close() and a failed start may both get here.
      if (db.open) db.close();
    },
  };
}
