/**
 * Each way an activation file is refused says which it is, and nothing is lost: the operator
 * app stays usable. Real relay, real keychain (the suite runs in its own D-Bus session), the
 * real file-open path of the operator app.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fetchRelayKey } from '../../src/main/activation/relay-keys.js';
import { TrustedRelays } from '../../src/main/activation/trusted-relays.js';
import { keytarCredentialStore, operatorTokenAccount } from '../../src/platform/credentials/credential-store.js';
import { OperatorController } from '../../src/main/operator/operator-controller.js';
import type { OperatorState } from '../../src/shared/ipc.js';
import type { AssistanceResponse } from '../../src/shared/relay-api.js';
import { connectClient, startTestRelay, type TestRelay } from '../../dev/rig/relay.js';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { parseActivationEnvelope } from '../../src/shared/activation-file.js';
import { keychainOperatorParts } from '../../src/main/operator/keychain-operator.js';

let relay: TestRelay;
let dir: string;
let response: AssistanceResponse;

before(async () => {
  relay = await startTestRelay();
  dir = await mkdtemp(path.join(os.tmpdir(), 'flxra-activation-'));
  const device = await relay.addDevice('kiosk-7');
  await connectClient(relay.url, { role: 'host', deviceName: 'kiosk-7', deviceToken: device.token });
  response = await relay.requestAssistance({ deviceId: device.id, mode: 'unattended' });
});

after(async () => {
  await relay.close();
  await rm(dir, { recursive: true, force: true });
});

async function operatorApp(opts: { trusted?: boolean; signedIn?: boolean; now?: () => number } = {}) {
  const keychain = keytarCredentialStore(`flxra-test-${randomUUID()}`);
  if (opts.signedIn !== false) await keychain.set(operatorTokenAccount(relay.url), relay.operatorToken);
  const trusted = new TrustedRelays(keychain);
  const envelope = parseActivationEnvelope(response.activation.content);
  assert.ok(envelope.ok);
  const { kid } = decodeProtectedHeader(envelope.token);
  assert.ok(kid);
  if (opts.trusted !== false) await trusted.trust(await fetchRelayKey(relay.url, kid));
  const states: OperatorState[] = [];
  const controller = new OperatorController({
    defaultRelayUrl: relay.url,
    ...keychainOperatorParts(keychain, { trusted }),
    emit: (channel, payload) => void (channel === 'operator:state' && states.push(payload as OperatorState)),
    ...(opts.now ? { now: opts.now } : {}),
  });
  await controller.start();
  return {
    controller,
    states,
    cleanup: async () => {
      controller.stop();
      await keychain.delete(operatorTokenAccount(relay.url));
      await keychain.delete('trusted-relay-keys');
    },
  };
}

async function fileWith(content: string): Promise<string> {
  const file = path.join(dir, `${randomUUID()}.flxra`);
  await writeFile(file, content);
  return file;
}

function refusal(controller: OperatorController): string {
  const s = controller.state;
  assert.equal(s.status, 'refused', `expected a refusal, got ${JSON.stringify(s)}`);
  return s.status === 'refused' ? s.message : '';
}

test('a valid file from a trusted relay asks for the unattended password', async (t) => {
  const app = await operatorApp();
  t.after(app.cleanup);
  await app.controller.openFile(await fileWith(response.activation.content));
  assert.equal(app.controller.state.status, 'password');
});

test('a tampered file is refused as altered', async (t) => {
  const app = await operatorApp();
  t.after(app.cleanup);
  // The file as JSON, every field kept: only the token's claims are tampered with.
  const envelope = JSON.parse(response.activation.content) as { token: string };
  const [h, , s] = envelope.token.split('.');
  const claims = decodeJwt(envelope.token);
  claims.sid = claims.sid === '999999999' ? '999999998' : '999999999';
  envelope.token = [h, Buffer.from(JSON.stringify(claims)).toString('base64url'), s].join('.');
  await app.controller.openFile(await fileWith(JSON.stringify(envelope)));
  assert.match(refusal(app.controller), /has been altered/);
});

test('an expired file is refused as expired, with its date', async (t) => {
  const app = await operatorApp({ now: () => Date.parse(response.expiresAt) + 1_000 });
  t.after(app.cleanup);
  await app.controller.openFile(await fileWith(response.activation.content));
  assert.match(refusal(app.controller), /expired on \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/);
});

test('a file from an untrusted relay shows its fingerprint, and is not used unless trusted', async (t) => {
  const app = await operatorApp({ trusted: false });
  t.after(app.cleanup);
  await app.controller.openFile(await fileWith(response.activation.content));
  const s = app.controller.state;
  assert.equal(s.status, 'trust-relay');
  assert.match(s.status === 'trust-relay' ? s.fingerprint : '', /^([0-9A-F]{4} ){15}[0-9A-F]{4}$/);
  await app.controller.trustRelay(false);
  assert.match(refusal(app.controller), /did not trust the relay/);
  // Declining trusted nothing: the same file asks again.
  await app.controller.openFile(await fileWith(response.activation.content));
  assert.equal(app.controller.state.status, 'trust-relay');
});

test('damaged, foreign and future files each say what they are', async (t) => {
  const app = await operatorApp();
  t.after(app.cleanup);
  await app.controller.openFile(await fileWith('MZ\u0090\u0000 not json'));
  assert.match(refusal(app.controller), /not a flxra activation file, or it is damaged/);
  await app.controller.openFile(await fileWith(JSON.stringify({ format: 'something-else', version: 1, token: 'x' })));
  assert.match(refusal(app.controller), /not a flxra activation file/);
  await app.controller.openFile(
    await fileWith(JSON.stringify({ format: 'flxra-activation', version: 9, token: 'x.y.z' })),
  );
  assert.match(refusal(app.controller), /made for a newer flxra/);
  await app.controller.openFile(path.join(dir, 'missing.flxra'));
  assert.equal(
    refusal(app.controller),
    'The file missing.flxra no longer exists. flxra deletes an activation file once its session ends; request a new assistance if you need one.',
  );
  // The app is still usable after every refusal.
  await app.controller.openFile(await fileWith(response.activation.content));
  assert.equal(app.controller.state.status, 'password');
});

test('a file opened before signing in goes on once the operator has pasted their token', async (t) => {
  const app = await operatorApp({ signedIn: false });
  t.after(app.cleanup);
  await app.controller.openFile(await fileWith(response.activation.content));
  assert.equal(app.controller.state.status, 'signed-out');
  await app.controller.signIn(relay.operatorToken);
  assert.equal(app.controller.state.status, 'password');
});
