/** The operator registry and its SQLite store: tokens, hashing, persistence, schema versioning. */
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { MachineTokens } from '../../src/relay/credentials/machine-tokens.js';
import { openTokenMac } from '../../src/relay/credentials/pepper.js';
import { OperatorRegistry } from '../../src/relay/operators.js';
import { SCHEMA_VERSION, openSqliteStore } from '../../src/relay/store/sqlite-store.js';
import type { RelayStore } from '../../src/relay/store/store.js';
import { startTestRelay } from '../../dev/rig/relay.js';

const TOKEN = /^flxra_op_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

/** Every byte SQLite wrote under dataDir (the database and, while open, its WAL and shm). */
async function storeBytes(dataDir: string): Promise<Buffer> {
  const names = (await fs.readdir(dataDir)).filter((n) => n.startsWith('relay.db'));
  assert.ok(names.includes('relay.db'));
  return Buffer.concat(await Promise.all(names.map((n) => fs.readFile(path.join(dataDir, n)))));
}

describe('operator registry', () => {
  let dataDir: string;
  let store: RelayStore;
  let registry: OperatorRegistry;
  beforeEach(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'flxra-registry-test-'));
    store = openSqliteStore(dataDir);
    registry = new OperatorRegistry(store, new MachineTokens(openTokenMac({ dataDir, store })));
  });
  afterEach(async () => {
    store.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('issues a token of the documented form, naming the operator id', async () => {
    const { identity, token } = await registry.add({ name: '  Ada Lovelace ', organisation: 'Help Desk' });
    assert.deepEqual(identity, { id: identity.id, name: 'Ada Lovelace', organisation: 'Help Desk' });
    const match = TOKEN.exec(token);
    assert.ok(match, token);
    assert.equal(match[1], identity.id);
    assert.equal(Buffer.from(match[2]!, 'base64url').length, 32);
  });

  it('verifies its own tokens only, and none after removal', async () => {
    const ada = await registry.add({ name: 'Ada Lovelace', organisation: 'Help Desk' });
    const grace = await registry.add({ name: 'Grace Hopper', organisation: 'Navy' });
    assert.deepEqual(await registry.verify(ada.token), ada.identity);
    assert.deepEqual(await registry.verify(grace.token), grace.identity);
    // Ada's id with Grace's secret: the hash covers the whole token.
    const swapped = `flxra_op_${ada.identity.id}_${TOKEN.exec(grace.token)![2]}`;
    for (const token of [swapped, ada.token.slice(0, -1), `${ada.token}A`, '', 'flxra_op_']) {
      assert.equal(await registry.verify(token), null, token);
    }
    assert.equal(registry.remove(ada.identity.id), true);
    assert.equal(registry.remove(ada.identity.id), false);
    assert.equal(await registry.verify(ada.token), null);
    assert.deepEqual(
      registry.list().map(({ id, name, organisation }) => ({ id, name, organisation })),
      [grace.identity],
    );
  });

  it('lists operators oldest first with when they were added', async () => {
    const before = Date.now();
    const ada = await registry.add({ name: 'Ada Lovelace', organisation: 'Help Desk' });
    const grace = await registry.add({ name: 'Grace Hopper', organisation: 'Navy' });
    const listed = registry.list();
    assert.deepEqual(
      listed.map((o) => o.id),
      [ada.identity.id, grace.identity.id],
    );
    for (const o of listed) assert.ok(Date.parse(o.createdAt) >= before - 1000, o.createdAt);
  });

  it('refuses empty or overlong names and organisations', async () => {
    await assert.rejects(registry.add({ name: '   ', organisation: 'Help Desk' }));
    await assert.rejects(registry.add({ name: 'Ada', organisation: '' }));
    await assert.rejects(registry.add({ name: 'x'.repeat(256), organisation: 'Help Desk' }));
    await assert.rejects(registry.add({ name: 'Ada\nLovelace', organisation: 'Help Desk' }));
    assert.deepEqual(registry.list(), []);
  });

  it('stores no token and no secret, only its HMAC under the pepper kept outside the database', async () => {
    const issued = await Promise.all(
      [1, 2, 3].map((n) => registry.add({ name: `Operator ${n}`, organisation: 'Help Desk' })),
    );
    const check = (bytes: Buffer) => {
      for (const { token } of issued) {
        const secret = TOKEN.exec(token)![2]!;
        assert.equal(bytes.indexOf(token), -1, 'token found in the store');
        assert.equal(bytes.indexOf(secret), -1, 'secret found in the store');
        assert.equal(bytes.indexOf(Buffer.from(secret, 'base64url')), -1, 'raw secret bytes found in the store');
        // A plain digest would let a copy of the database confirm a token offline.
        assert.equal(bytes.indexOf(createHash('sha256').update(token).digest()), -1, 'unpeppered digest in the store');
      }
    };
    check(await storeBytes(dataDir)); // open: rows may still be in the WAL
    store.close();
    check(await storeBytes(dataDir)); // closed: checkpointed into relay.db
    const pepper = Buffer.from((await fs.readFile(path.join(dataDir, 'token-pepper'), 'utf8')).trim(), 'base64url');
    assert.equal(pepper.length, 32);
    assert.equal((await storeBytes(dataDir)).indexOf(pepper), -1, 'the pepper is not in the database');
    const db = new Database(path.join(dataDir, 'relay.db'), { readonly: true });
    try {
      const rows = db.prepare('SELECT id, token_mac, salt, hash, scrypt_n FROM operators').all() as Array<{
        id: string;
        token_mac: Buffer;
        salt: null;
        hash: null;
        scrypt_n: null;
      }>;
      for (const { identity, token } of issued) {
        const row = rows.find((r) => r.id === identity.id)!;
        assert.deepEqual(row.token_mac, createHmac('sha256', pepper).update(token).digest());
        assert.deepEqual([row.salt, row.hash, row.scrypt_n], [null, null, null], 'no scrypt hash for a new token');
      }
    } finally {
      db.close();
    }
  });

  it('records its schema version and refuses a newer one', () => {
    store.close();
    const file = path.join(dataDir, 'relay.db');
    const db = new Database(file);
    assert.deepEqual(db.prepare('SELECT version FROM schema_version').all(), [{ version: SCHEMA_VERSION }]);
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    db.prepare('UPDATE schema_version SET version = ?').run(SCHEMA_VERSION + 1);
    db.close();
    assert.throws(() => openSqliteStore(dataDir), /newer than this relay/);
  });

  it('keeps operators across a relay restart on the same data dir', async () => {
    const first = await startTestRelay({ dataDir });
    const token = first.operatorToken;
    await first.close();
    const second = await startTestRelay({ dataDir });
    try {
      const op = await second.connectOperator(token);
      assert.deepEqual(op.operator, first.operatorIdentity);
      assert.equal(second.handle.operators.list().length, 2, 'both relays registered one');
    } finally {
      await second.close();
    }
  });
});
