/**
 * The relay's signing keys rotated and revoked without downtime: `relay keys rotate|revoke` run as
 * a separate process on the data dir of a relay that keeps serving. Files signed before a rotation
 * open until they expire, new ones carry the new kid, the published key set is signed by old and
 * new, a revoked key's files are refused at once (with their own code), and its private half is
 * gone from the store. And a relay.db from before several keys upgrades keeping its key.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { decodeProtectedHeader } from 'jose';
import { formatFingerprint } from '../../src/shared/activation-file.js';
import { KeySetClaims, RELAY_KEYS_PATH, RelayKeys, type AssistanceResponse } from '../../src/shared/relay-api.js';
import { ActivationKeys, newKeyRecord } from '../../src/relay/activation/keys.js';
import { applyMigration, MIGRATIONS, openSqliteStore } from '../../src/relay/store/sqlite-store.js';
import { systemClock } from '../../src/relay/clock.js';
import { activationToken, startTestRelay, type OperatorClient, type TestRelay } from '../../dev/rig/relay.js';

const MINUTE = 60_000;

/** `relay keys …` as an administrator runs it, next to the running relay. */
function keysCommand(
  relay: TestRelay,
  ...args: string[]
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/relay/cli.ts', 'keys', ...args, '--data', relay.dataDir],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  return new Promise((resolve) =>
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}

const kidOf = (a: AssistanceResponse) => decodeProtectedHeader(activationToken(a)).kid!;

async function published(relay: TestRelay): Promise<{ keys: RelayKeys; claims: KeySetClaims; signers: string[] }> {
  const keys = RelayKeys.parse(await (await fetch(`${relay.url}${RELAY_KEYS_PATH}`)).json());
  assert.ok(keys.keySet);
  const claims = KeySetClaims.parse(JSON.parse(Buffer.from(keys.keySet.payload, 'base64url').toString()));
  const signers = keys.keySet.signatures.map((s) => decodeProtectedHeader(s).kid!);
  return { keys, claims, signers };
}

/** What the relay says to a file presented without its password: its signature passed, or why not. */
async function present(op: OperatorClient, assistance: AssistanceResponse): Promise<string> {
  op.emit('assistance:open', { activation: activationToken(assistance) });
  return (await op.next('relay:error', { where: (e) => e.event === 'assistance:open' })).code;
}

async function unattendedFile(relay: TestRelay, name: string): Promise<AssistanceResponse> {
  const device = await relay.connectDevice(name);
  return relay.requestAssistance({ deviceId: device.deviceId, mode: 'unattended' });
}

test('a rotation on the running relay: old files open until they expire, new files carry the new key', async (t) => {
  const relay = await startTestRelay();
  t.after(() => relay.close());
  const before = await unattendedFile(relay, 'one');
  const oldKid = kidOf(before);

  const rotated = await keysCommand(relay, 'rotate');
  assert.equal(rotated.code, 0, rotated.stderr);
  const newKid = /new key id: +(\S+)/.exec(rotated.stdout)?.[1];
  assert.ok(newKid && newKid !== oldKid, rotated.stdout);
  assert.equal(relay.handle.keyFingerprint, formatFingerprint(newKid), 'the relay serves the new key, no restart');

  const after = await unattendedFile(relay, 'two');
  assert.equal(kidOf(after), newKid);
  const now = await published(relay);
  assert.deepEqual(
    now.keys.keys.map((k) => [k.kid, k.status]),
    [
      [oldKid, 'retired'],
      [newKid, 'active'],
    ],
  );
  assert.deepEqual(now.signers.sort(), [oldKid, newKid].sort(), 'the old key vouches for the new one');
  assert.deepEqual(
    now.claims.keys.map((k) => k.kid),
    [oldKid, newKid],
  );

  const op = await relay.connectOperator();
  assert.equal(await present(op, after), 'password-required');
  op.emit('assistance:open', { activation: activationToken(before), password: before.password! });
  await op.next('session:admitted');

  // Once every file the old key signed has expired, it verifies nothing, but still vouches.
  relay.clock.advance(17 * MINUTE);
  const later = await published(relay);
  assert.deepEqual(
    later.keys.keys.map((k) => k.kid),
    [newKid],
  );
  assert.deepEqual(later.signers.sort(), [oldKid, newKid].sort());
});

test('a revoked key is refused at once; a revoked active key is replaced; nothing revoked can sign', async (t) => {
  const relay = await startTestRelay();
  t.after(() => relay.close());
  const first = await unattendedFile(relay, 'one');
  await relay.handle.signingKeys.rotate();
  const second = await unattendedFile(relay, 'two');
  const [firstKid, secondKid] = [kidOf(first), kidOf(second)];
  const op = await relay.connectOperator();

  const revokedRetired = await keysCommand(relay, 'revoke', firstKid);
  assert.equal(revokedRetired.code, 0, revokedRetired.stderr);
  assert.equal(await present(op, first), 'activation-revoked', 'refused at once, by the running relay');
  assert.equal(await present(op, second), 'password-required');

  const revokedActive = await keysCommand(relay, 'revoke', secondKid);
  assert.equal(revokedActive.code, 0, revokedActive.stderr);
  const replacementKid = /new key id: +(\S+)/.exec(revokedActive.stdout)?.[1];
  assert.ok(replacementKid, revokedActive.stdout);
  assert.equal(await present(op, second), 'activation-revoked');
  const third = await unattendedFile(relay, 'three');
  assert.equal(kidOf(third), replacementKid);
  assert.equal(await present(op, third), 'password-required');

  const now = await published(relay);
  assert.deepEqual(
    now.keys.keys.map((k) => k.kid),
    [replacementKid],
  );
  assert.deepEqual(
    now.keys.revoked?.map((k) => k.kid),
    [firstKid, secondKid],
  );
  assert.deepEqual(now.claims.revoked, [firstKid, secondKid]);
  assert.deepEqual(now.signers, [replacementKid], 'a revoked key vouches for nothing');

  const db = new Database(path.join(relay.dataDir, 'relay.db'), { readonly: true });
  t.after(() => db.close());
  const rows = db.prepare('SELECT kid, private_jwk IS NULL AS forgotten FROM signing_keys').all() as Array<{
    kid: string;
    forgotten: number;
  }>;
  assert.deepEqual(
    Object.fromEntries(rows.map((r) => [r.kid, r.forgotten === 1])),
    { [firstKid]: true, [secondKid]: true, [replacementKid]: false },
    'the private halves of revoked keys are gone',
  );

  const [again, listed] = await Promise.all([keysCommand(relay, 'revoke', firstKid), keysCommand(relay, 'list')]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /is revoked already/);
  assert.match(listed.stdout, new RegExp(`${firstKid} .* revoked `));
  assert.match(listed.stdout, new RegExp(`${replacementKid} .* active`));
});

test('a relay.db from before key rotation upgrades with its one key, still active and the same', async (t) => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'flxra-keys-upgrade-'));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  // The earlier schema, as a relay of that version left it (the one-key table), with its key.
  const key = await newKeyRecord(new Date());
  const index = MIGRATIONS.findIndex((m) => typeof m === 'string' && m.includes('signing_keys_v2'));
  const db = new Database(path.join(dir, 'relay.db'));
  db.exec('CREATE TABLE schema_version (version INTEGER NOT NULL)');
  for (const step of MIGRATIONS.slice(0, index)) applyMigration(db, step);
  db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(index);
  db.prepare('INSERT INTO signing_keys VALUES (?, ?, ?)').run(key.kid, key.privateJwk, key.createdAt);
  db.close();

  const store = openSqliteStore(dir);
  t.after(() => store.close());
  const ring = new ActivationKeys(store, systemClock, { activationLifetimeMs: 15 * MINUTE });
  const signing = await ring.signing();
  assert.equal(signing.kid, key.kid);
  assert.deepEqual(signing.publicJwk, JSON.parse(key.publicJwk));
  assert.equal(store.listSigningKeys().length, 1);
});
