/**
 * The relay's data folder is its secret area: relay.db (with its WAL and shared-memory files)
 * holds the activation signing key and every token's MAC, and the token pepper lives beside it.
 * At every open, whether the folder is new or was made by an older relay, a restore or a careless
 * copy, it is made owner-only: the folder (and any folder in it) 0700, every file 0600. relay.db
 * is created 0600 before SQLite opens it, so the WAL and shared-memory files SQLite makes later
 * get the same mode (SQLite gives them the database's).
 */
import fs from 'node:fs';
import path from 'node:path';

export const DB_FILE = 'relay.db';

function restrict(target: string, mode: number): void {
  try {
    fs.chmodSync(target, mode);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new Error(
      `cannot make ${target} owner-only (${code}): the relay's data folder must belong to the user running the relay`,
      { cause: err },
    );
  }
}

function restrictTree(dir: string): void {
  restrict(dir, 0o700);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const target = path.join(dir, entry.name);
    // chmod follows links: what a link points to is not the relay's to change.
    if (entry.isSymbolicLink()) continue;
    if (entry.isDirectory()) restrictTree(target);
    else restrict(target, 0o600);
  }
}

/** Creates the folder if needed and makes it and everything in it owner-only; returns relay.db's path. */
export function secureDataDir(dataDir: string): string {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const db = path.join(dataDir, DB_FILE);
  // An empty file is an empty database to SQLite; made here, it has the mode SQLite copies.
  fs.closeSync(fs.openSync(db, 'a', 0o600));
  restrictTree(dataDir);
  return db;
}
