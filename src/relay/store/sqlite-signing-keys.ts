/**
 * The relay's signing keys in SQLite (schema in sqlite-store.ts): one active, the retired ones
 * still verifying or vouching, the revoked ones remembered. Rotation and revocation are one
 * transaction each, so that a relay serving from the same file never sees no active key, or two.
 */
import type Database from 'better-sqlite3';
import { changes, column, sqliteTable } from './sqlite-table.js';
import type { SigningKeyRecord, SigningKeyStore } from './store.js';

const ACTIVE = 'retired_at IS NULL AND revoked_at IS NULL';

export function signingKeyStatements(db: Database.Database): SigningKeyStore {
  const keys = sqliteTable<SigningKeyRecord>(db, 'signing_keys', {
    kid: column(),
    publicJwk: column(),
    privateJwk: column(),
    createdAt: column(),
    retiredAt: column(),
    revokedAt: column(),
  });
  const list = keys.all('SELECT * FROM signing_keys ORDER BY created_at, rowid');
  const active = keys.one(`SELECT * FROM signing_keys WHERE ${ACTIVE} ORDER BY created_at DESC, rowid DESC LIMIT 1`);
  const get = keys.one('SELECT * FROM signing_keys WHERE kid = ?');
  const insert = keys.insert();
  // One statement, so that two processes creating the first key at once still keep only one.
  const insertFirst = keys.insert({ where: `NOT EXISTS (SELECT 1 FROM signing_keys WHERE ${ACTIVE})` });
  const retireActive = changes(db, `UPDATE signing_keys SET retired_at = ? WHERE ${ACTIVE}`);
  const revoke = changes(
    db,
    'UPDATE signing_keys SET revoked_at = ?, private_jwk = NULL WHERE kid = ? AND revoked_at IS NULL',
  );
  const forget = changes(
    db,
    'UPDATE signing_keys SET private_jwk = NULL WHERE retired_at < ? AND private_jwk IS NOT NULL',
  );

  const rotate = db.transaction((next: SigningKeyRecord, at: number) => {
    retireActive(at);
    insert(next);
  });
  const revokeOne = db.transaction((kid: string, at: number, replacement: SigningKeyRecord) => {
    const record = get(kid);
    if (!record) return 'unknown' as const;
    if (record.revokedAt !== null) return 'already-revoked' as const;
    const wasActive = record.retiredAt === null;
    revoke(at, kid);
    if (wasActive) insert(replacement);
    return 'revoked' as const;
  });

  return {
    listSigningKeys: () => list(),
    activeSigningKey: () => active(),
    addFirstSigningKey(record) {
      insertFirst(record);
      return active()!;
    },
    rotateSigningKey: (next, at) => rotate(next, at),
    revokeSigningKey: (kid, at, replacement) => revokeOne(kid, at, replacement),
    forgetRetiredPrivateKeys: (before) => forget(before),
  };
}
