/**
 * The operator's app through its relay's key rotations, against a real relay and a real keychain:
 * it learns the new key through the old one (a key set the old key signed), never from a document
 * no trusted key signed, keeps opening files signed before the rotation, and refuses a revoked
 * key's files with their own reason; where no trusted key vouches for a new one, the operator
 * compares its fingerprint, as for a new relay.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { decodeProtectedHeader } from 'jose';
import { fetchRelayKey, fetchRelayKeys, verifyKeySet } from '../../src/main/activation/relay-keys.js';
import { TrustedRelays, type KeyToTrust } from '../../src/main/activation/trusted-relays.js';
import { OperatorController } from '../../src/main/operator/operator-controller.js';
import { keytarCredentialStore, operatorTokenAccount } from '../../src/platform/credentials/credential-store.js';
import type { AssistanceResponse } from '../../src/shared/relay-api.js';
import { activationToken, startTestRelay, type TestRelay } from '../../dev/rig/relay.js';
import { keychainOperatorParts } from '../../src/main/operator/keychain-operator.js';

let relay: TestRelay;
let other: TestRelay;
let dir: string;

before(async () => {
  [relay, other] = await Promise.all([startTestRelay(), startTestRelay()]);
  dir = await mkdtemp(path.join(os.tmpdir(), 'flxra-rotation-'));
});

after(async () => {
  await Promise.all([relay.close(), other.close()]);
  await rm(dir, { recursive: true, force: true });
});

const kidOf = (a: AssistanceResponse) => decodeProtectedHeader(activationToken(a)).kid!;

async function unattendedFile(name: string): Promise<AssistanceResponse> {
  const device = await relay.connectDevice(`${name}-${randomUUID().slice(0, 8)}`);
  return relay.requestAssistance({ deviceId: device.deviceId, mode: 'unattended' });
}

/** An operator app that trusts `pinned` (its fingerprint compared earlier), signed in to the relay. */
async function operatorApp(t: { after: (fn: () => Promise<void>) => void }, pinned: KeyToTrust) {
  const keychain = keytarCredentialStore(`flxra-test-${randomUUID()}`);
  await keychain.set(operatorTokenAccount(relay.url), relay.operatorToken);
  const trusted = new TrustedRelays(keychain);
  await trusted.trust(pinned);
  const logs: string[] = [];
  const controller = new OperatorController({
    defaultRelayUrl: relay.url,
    ...keychainOperatorParts(keychain, { trusted }),
    emit: () => undefined,
    log: (line) => void logs.push(line),
  });
  t.after(async () => {
    controller.stop();
    await keychain.delete(operatorTokenAccount(relay.url));
    await keychain.delete('trusted-relay-keys');
  });
  await controller.start();
  const open = async (assistance: AssistanceResponse) => {
    controller.leave();
    const file = path.join(dir, `${randomUUID()}.flxra`);
    await writeFile(file, assistance.activation.content);
    await controller.openFile(file);
    return controller.state;
  };
  return { controller, trusted, logs, open };
}

test('rotation: the app learns the new key through the old one; old and new files open; revoked ones are refused', async (t) => {
  const before = await unattendedFile('before');
  const oldKey = await fetchRelayKey(relay.url, kidOf(before));
  const app = await operatorApp(t, oldKey);

  await relay.handle.signingKeys.rotate();
  const after = await unattendedFile('after');
  assert.notEqual(kidOf(after), oldKey.kid);
  assert.equal((await app.open(after)).status, 'password', 'no fingerprint to compare: the old key vouched');
  const learnt = await app.trusted.find(relay.url, kidOf(after));
  assert.equal(learnt?.vouchedBy, oldKey.kid);
  assert.ok(app.logs.some((l) => l.includes(`learnt the current keys of ${new URL(relay.url).origin}`)));
  assert.equal((await app.open(before)).status, 'password', 'a file signed before the rotation still opens');

  await relay.handle.signingKeys.revoke(oldKey.kid);
  const refused = await app.open(before);
  assert.equal(refused.status, 'refused');
  assert.match(
    refused.status === 'refused' ? refused.message : '',
    /signed with a key its relay \(http:\/\/127\.0\.0\.1:\d+\) has revoked/,
  );
  assert.ok((await app.trusted.find(relay.url, oldKey.kid))?.revokedAt, 'kept as revoked for good');
  assert.equal((await app.open(after)).status, 'password');
});

test('a new key no trusted key vouches for is never taken silently: the operator compares its fingerprint', async (t) => {
  const before = await unattendedFile('before');
  const oldKey = await fetchRelayKey(relay.url, kidOf(before));
  const app = await operatorApp(t, oldKey);
  // The old key is revoked before this app heard of its successor: it vouches for nothing.
  await relay.handle.signingKeys.revoke(oldKey.kid);
  const after = await unattendedFile('after');
  const state = await app.open(after);
  assert.equal(state.status, 'trust-relay');
  assert.equal(state.status === 'trust-relay' ? state.fingerprint : '', relay.handle.keyFingerprint);
  assert.equal(await app.trusted.find(relay.url, kidOf(after)), null);
});

test('a key set is believed only when signed by a key trusted for that very relay, and unaltered', async () => {
  const file = await unattendedFile('doc');
  const ours = await fetchRelayKey(relay.url, kidOf(file));
  const pinned = [{ ...ours, trustedAt: new Date().toISOString() }];
  const published = await fetchRelayKeys(relay.url);
  assert.ok(await verifyKeySet(published, relay.url, pinned), 'the genuine document');

  // Another relay's document, served for this one: signed, but by no key trusted here.
  const foreign = await fetchRelayKeys(other.url);
  assert.equal(await verifyKeySet(foreign, relay.url, pinned), null);
  // The genuine signatures over a payload with one more key in it.
  const claims = JSON.parse(Buffer.from(published.keySet!.payload, 'base64url').toString()) as {
    keys: Array<Record<string, unknown>>;
  };
  const intruder = foreign.keys[0]!;
  claims.keys.push({ kid: intruder.kid, jwk: intruder.jwk, status: 'active' });
  const altered = {
    ...published,
    keySet: { ...published.keySet!, payload: Buffer.from(JSON.stringify(claims)).toString('base64url') },
  };
  assert.equal(await verifyKeySet(altered, relay.url, pinned), null);
  // A revoked key is no voucher: the app passes only keys it has not seen revoked.
  assert.equal(await verifyKeySet(published, relay.url, []), null);
});
