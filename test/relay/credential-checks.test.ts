/**
 * How the relay checks machine tokens (operator, device and agent tokens): one HMAC under the
 * token pepper and one comparison, the same for an unknown id as for a known id with a wrong
 * secret; rows from before the pepper checked with scrypt through a bounded gate and replaced by
 * their HMAC on their first right check; the pepper kept out of the database, and a relay given
 * the wrong one refusing to start.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { bearerTokenId, issueBearerToken } from '../../src/relay/bearer-token.js';
import { MachineTokens } from '../../src/relay/credentials/machine-tokens.js';
import { openTokenMac, PEPPER_FILE, PepperProblem } from '../../src/relay/credentials/pepper.js';
import { ScryptGate } from '../../src/relay/credentials/scrypt-gate.js';
import { ConsoleSessions } from '../../src/relay/console/console-sessions.js';
import { DeviceRegistry } from '../../src/relay/devices.js';
import { OperatorRegistry } from '../../src/relay/operators.js';
import { hashSecret } from '../../src/relay/secret-hash.js';
import { applyMigration, MIGRATIONS, openSqliteStore } from '../../src/relay/store/sqlite-store.js';
import type { RelayStore } from '../../src/relay/store/store.js';
import { startTestRelay, TestClock, TEST_SCRYPT } from '../../dev/rig/relay.js';

/** A wrong secret for a real token's id: same form, same length. */
const wrongSecret = (token: string) => token.slice(0, -43) + randomBytes(32).toString('base64url');

/** Every schema change before the one that brought token MACs. */
const BEFORE_MACS = MIGRATIONS.findIndex((sql) => typeof sql === 'string' && sql.includes('CREATE TABLE operators_v2'));

/**
 * A data folder as a relay from before the pepper left it: an operator and a device with scrypt
 * hashes, an enrolment token and a console session by their SHA-256. Returns their secrets.
 */
async function legacyDataDir(dataDir: string) {
  const db = new Database(path.join(dataDir, 'relay.db'));
  try {
    db.exec('CREATE TABLE schema_version (version INTEGER NOT NULL)');
    for (const sql of MIGRATIONS.slice(0, BEFORE_MACS)) applyMigration(db, sql);
    db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(BEFORE_MACS);
    const row = async (table: string, id: string, token: string, extra: Record<string, string>) => {
      const { salt, hash, scrypt } = await hashSecret(token, TEST_SCRYPT);
      const columns = { id, ...extra, salt, hash, scrypt_n: scrypt.N, scrypt_r: scrypt.r, scrypt_p: scrypt.p };
      const names = Object.keys(columns);
      db.prepare(
        `INSERT INTO ${table} (${names.join(', ')}, created_at) VALUES (${names.map((n) => `@${n}`).join(', ')}, @at)`,
      ).run({ ...columns, at: new Date().toISOString() });
    };
    const operator = issueBearerToken('op');
    await row('operators', operator.id, operator.token, { name: 'Old Operator', organisation: 'Help Desk' });
    const device = issueBearerToken('dev');
    await row('devices', device.id, device.token, { name: 'Old Kiosk' });
    const enrolment = `flxra_enrol_${randomBytes(32).toString('base64url')}`;
    db.prepare(
      `INSERT INTO enrolment_tokens (id, token_hash, environment_id, report_group, created_at, expires_at)
       VALUES ('e1', ?, 'default', 'Kiosks', ?, ?)`,
    ).run(createHash('sha256').update(enrolment).digest(), Date.now(), Date.now() + 3_600_000);
    return { operator: operator.token, device: device.token, enrolment };
  } finally {
    db.close();
  }
}

describe('machine token checks', () => {
  let dataDir: string;
  let store: RelayStore;
  beforeEach(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'flxra-credentials-test-'));
  });
  afterEach(async () => {
    store?.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('refuse an unknown id, a wrong secret and a malformed token with the same work: one HMAC, one comparison', async () => {
    store = openSqliteStore(dataDir);
    const tokens = new MachineTokens(openTokenMac({ dataDir, store }));
    const operators = new OperatorRegistry(store, tokens);
    const devices = new DeviceRegistry(store, tokens);
    const ada = await operators.add({ name: 'Ada', organisation: 'Help Desk' });
    const kiosk = await devices.add({ name: 'Kiosk' });
    const work = async (check: () => Promise<unknown>) => {
      const before = tokens.stats();
      const result = await check();
      const after = tokens.stats();
      return {
        result,
        macs: after.macs - before.macs,
        comparisons: after.comparisons - before.comparisons,
        scrypt: after.legacyScrypt.checks - before.legacyScrypt.checks,
      };
    };
    const refused = { result: null, macs: 1, comparisons: 1, scrypt: 0 };
    const unknownOp = issueBearerToken('op').token;
    const unknownDev = issueBearerToken('dev').token;
    assert.equal(bearerTokenId('op', unknownOp) === ada.identity.id, false);
    for (const token of [unknownOp, wrongSecret(ada.token), 'flxra_op_nonsense', '']) {
      assert.deepEqual(await work(() => operators.verify(token)), refused, token);
    }
    for (const token of [unknownDev, wrongSecret(kiosk.token), ada.token]) {
      assert.deepEqual(await work(() => devices.verify(token)), refused, token);
    }
    assert.deepEqual(await work(() => operators.verify(ada.token)), { ...refused, result: ada.identity });
    assert.deepEqual(await work(() => devices.verify(kiosk.token)), { ...refused, result: kiosk.device });
  });

  it('check rows from before the pepper with scrypt once, then keep their HMAC instead (lazy migration)', async () => {
    const old = await legacyDataDir(dataDir);
    const relay = await startTestRelay({ dataDir });
    try {
      const scryptChecks = () => relay.handle.credentialChecks().legacyScrypt.checks;
      const rowOf = (table: string, token: string) => {
        const db = new Database(path.join(dataDir, 'relay.db'), { readonly: true });
        try {
          const id = token.split('_')[2];
          return db.prepare(`SELECT token_mac, salt, hash FROM ${table} WHERE id = ?`).get(id) as {
            token_mac: Buffer | null;
            salt: Buffer | null;
            hash: Buffer | null;
          };
        } finally {
          db.close();
        }
      };
      assert.equal(rowOf('operators', old.operator).token_mac, null, 'migrated as it was: a scrypt hash');

      // A wrong secret for the old row: checked with scrypt, refused, the row left as it was.
      await assert.rejects(relay.connectOperator(wrongSecret(old.operator)), /invalid or revoked operator token/);
      assert.equal(scryptChecks(), 1);
      assert.equal(rowOf('operators', old.operator).token_mac, null);

      // The right one: in, and from now on its HMAC, with no scrypt hash left.
      const op = await relay.connectOperator(old.operator);
      assert.equal(op.operator.name, 'Old Operator');
      assert.equal(scryptChecks(), 2);
      const upgraded = rowOf('operators', old.operator);
      assert.equal(upgraded.token_mac?.length, 32);
      assert.deepEqual([upgraded.salt, upgraded.hash], [null, null]);
      await relay.connectOperator(old.operator);
      await assert.rejects(relay.connectOperator(wrongSecret(old.operator)), /invalid or revoked operator token/);
      assert.equal(scryptChecks(), 2, 'an upgraded row costs no scrypt any more');

      const host = await relay.connectHost('ignored', old.device);
      assert.ok(host.sessionId);
      assert.equal(rowOf('devices', old.device).token_mac?.length, 32);
      assert.equal(scryptChecks(), 3);

      // The old enrolment token, found by its SHA-256 once, then by its MAC; made when tokens were reusable.
      for (let i = 0; i < 2; i++) {
        const res = await fetch(`${relay.url}/api/v1/enrol`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            enrolmentToken: old.enrolment,
            hostname: `h${i}`,
            os: 'Linux',
            agentVersion: '26.11',
          }),
        });
        assert.equal(res.status, 201, await res.text());
      }
      const db = new Database(path.join(dataDir, 'relay.db'), { readonly: true });
      const { token_hash } = db.prepare("SELECT token_hash FROM enrolment_tokens WHERE id = 'e1'").get() as {
        token_hash: Buffer;
      };
      db.close();
      assert.notDeepEqual(token_hash, createHash('sha256').update(old.enrolment).digest(), 're-keyed with its MAC');
      assert.equal(scryptChecks(), 3, 'enrolment tokens never needed scrypt');
    } finally {
      await relay.close();
    }
  });

  it('let old rows be checked one at a time, a few waiting, the rest refused as busy; HMAC rows never wait', async () => {
    await legacyDataDir(dataDir);
    store = openSqliteStore(dataDir);
    const gate = new ScryptGate({ running: 1, waiting: 4 });
    const tokens = new MachineTokens(openTokenMac({ dataDir, store }), gate);
    const operators = new OperatorRegistry(store, tokens);
    const [old] = store.listOperators();
    const guess = `flxra_op_${old!.id}_${randomBytes(32).toString('base64url')}`;
    const fresh = await operators.add({ name: 'Grace', organisation: 'Navy' });

    const storm = Array.from({ length: 20 }, () => operators.verify(guess));
    // A token stored as its HMAC, checked while the gate is full: answered before the old rows' checks.
    const right = await operators.verify(fresh.token);
    assert.deepEqual(right, fresh.identity);
    assert.ok(gate.stats().checks <= 1, `HMAC check waited for scrypt (${gate.stats().checks} ran first)`);
    const results = await Promise.allSettled(storm);
    const busy = results.filter((r) => r.status === 'rejected');
    assert.equal(busy.length, 15, 'beyond one running and four waiting: refused');
    for (const r of busy) assert.match(String(r.reason), /too many checks/);
    assert.ok(results.every((r) => r.status === 'rejected' || r.value === null));
    assert.deepEqual(gate.stats(), { checks: 5, maxRunning: 1, refusedBusy: 15 });
  });

  it('keep the pepper in an owner-only file outside the database, or take it from the environment', async () => {
    store = openSqliteStore(dataDir);
    const mac = openTokenMac({ dataDir, store });
    const file = path.join(dataDir, PEPPER_FILE);
    assert.equal((await fs.stat(file)).mode & 0o777, 0o600);
    const pepper = (await fs.readFile(file, 'utf8')).trim();
    // The same pepper given in the environment is the same key.
    const fromEnv = openTokenMac({ dataDir, store, fromEnv: pepper });
    assert.deepEqual(fromEnv.of('flxra_op_x'), mac.of('flxra_op_x'));
    assert.throws(() => openTokenMac({ dataDir, store, fromEnv: 'short' }), /not a token pepper/);
    // Another pepper, or the file lost: the relay says so instead of making every token void.
    assert.throws(
      () => openTokenMac({ dataDir, store, fromEnv: randomBytes(32).toString('base64url') }),
      (err: Error) =>
        err instanceof PepperProblem && /not the one relay.db's tokens were stored with/.test(err.message),
    );
    await fs.rm(file);
    assert.throws(
      () => openTokenMac({ dataDir, store }),
      (err: Error) => err instanceof PepperProblem && /token-pepper is missing.*restore the file/.test(err.message),
    );
    await assert.rejects(startTestRelay({ dataDir }), /token-pepper is missing/);
  });

  it('find console sign-ins from before the pepper once by their SHA-256, then by their MAC', async () => {
    store = openSqliteStore(dataDir);
    const mac = openTokenMac({ dataDir, store });
    const clock = new TestClock();
    const id = randomBytes(32).toString('base64url');
    const sha = createHash('sha256').update(id).digest();
    store.insertConsoleSession({ idHash: sha, username: 'ada', createdAt: clock.now(), lastSeen: clock.now() });
    const sessions = new ConsoleSessions(store, mac, clock, false);
    assert.equal(sessions.find(id)?.session.username, 'ada');
    assert.equal(store.getConsoleSession(sha), null, 'no longer kept by its SHA-256');
    assert.equal(store.getConsoleSession(mac.of(id))?.username, 'ada');
    assert.equal(sessions.find(id)?.session.username, 'ada');
    assert.equal(sessions.find(randomBytes(32).toString('base64url')), null);
  });
});
