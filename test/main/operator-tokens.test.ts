/**
 * An operator token goes only to the relay it belongs to. Two real relays on loopback: the app is
 * set up for the first (its token in the environment and in the keychain), an activation file
 * names the second (trusted, fingerprint compared), and the second relay is shown no token but
 * its own: what it was presented is read off its own operator registry, which every handshake
 * and API call goes through.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { OperatorController } from '../../src/main/operator/operator-controller.js';
import {
  keytarCredentialStore,
  operatorTokenAccount,
  takeConfiguredOperatorToken,
} from '../../src/platform/credentials/credential-store.js';
import type { OperatorState } from '../../src/shared/ipc.js';
import type { AssistanceResponse } from '../../src/shared/relay-api.js';
import { connectClient, startTestRelay, type TestRelay } from '../../dev/rig/relay.js';
import { keychainOperatorParts } from '../../src/main/operator/keychain-operator.js';

let first: TestRelay;
let second: TestRelay;
let dir: string;
let secondFile: AssistanceResponse;
/** Every operator token the second relay was presented, in order. */
const presentedToSecond: string[] = [];

before(async () => {
  [first, second] = await Promise.all([startTestRelay(), startTestRelay()]);
  dir = await mkdtemp(path.join(os.tmpdir(), 'flxra-tokens-'));
  const registry = second.handle.operators;
  // Every check (the handshake's and the HTTP API's) goes through verifyToken.
  const verify = registry.verifyToken.bind(registry);
  registry.verifyToken = (token) => {
    presentedToSecond.push(token);
    return verify(token);
  };
  const device = await second.addDevice('kiosk-2');
  await connectClient(second.url, { role: 'host', deviceName: 'kiosk-2', deviceToken: device.token });
  secondFile = await second.requestAssistance({ deviceId: device.id, mode: 'unattended' });
  presentedToSecond.length = 0; // the request above was the test's own
});

after(async () => {
  await Promise.all([first.close(), second.close()]);
  await rm(dir, { recursive: true, force: true });
});

/** The operator app as index.ts builds it, set up for the first relay. */
async function operatorApp(t: { after: (fn: () => Promise<void>) => void }, opts: { envToken: boolean }) {
  const keychain = keytarCredentialStore(`flxra-test-${randomUUID()}`);
  await keychain.set(operatorTokenAccount(first.url), first.operatorToken);
  const env: Record<string, string | undefined> = opts.envToken ? { FLXRA_OPERATOR_TOKEN: first.operatorToken } : {};
  const configured = takeConfiguredOperatorToken(env, first.url);
  const states: OperatorState[] = [];
  const controller = new OperatorController({
    defaultRelayUrl: first.url,
    ...keychainOperatorParts(keychain, { configured }),
    emit: (channel, payload) => void (channel === 'operator:state' && states.push(payload as OperatorState)),
  });
  t.after(async () => {
    controller.stop();
    for (const relay of [first, second]) await keychain.delete(operatorTokenAccount(relay.url));
    await keychain.delete('trusted-relay-keys');
  });
  await controller.start();
  assert.equal(controller.state.status, 'idle', 'signed in to its own relay');
  return { controller, keychain, states };
}

const refusedHandshakes = (relay: TestRelay): number => relay.logs.filter((l) => l.msg === 'handshake refused').length;

async function openSecondRelaysFile(controller: OperatorController): Promise<void> {
  const file = path.join(dir, `${randomUUID()}.flxra`);
  await writeFile(file, secondFile.activation.content);
  await controller.openFile(file);
  assert.equal(controller.state.status, 'trust-relay');
  await controller.trustRelay(true);
}

for (const envToken of [true, false]) {
  const where = envToken ? 'the environment' : 'the keychain';
  test(`a token from ${where} is never sent to another relay a file names; the operator is asked to sign in there`, async (t) => {
    presentedToSecond.length = 0;
    const refusedBefore = refusedHandshakes(second);
    const app = await operatorApp(t, { envToken });
    await openSecondRelaysFile(app.controller);

    const s = app.controller.state;
    assert.equal(s.status, 'signed-out');
    const origin = new URL(second.url).origin;
    assert.equal(s.status === 'signed-out' ? s.relay : '', origin);
    assert.match(
      s.status === 'signed-out' ? (s.message ?? '') : '',
      new RegExp(`not signed in to the relay at ${origin.replaceAll('.', '\\.')}\\. Paste the operator token`),
    );
    assert.deepEqual(presentedToSecond, [], 'the second relay was shown no token at all');
    assert.equal(refusedHandshakes(second), refusedBefore, 'and refused no handshake of this app');

    // Signing in there sends that relay's own token, keeps it for that relay, and the file goes on.
    await app.controller.signIn(second.operatorToken);
    assert.equal(app.controller.state.status, 'password');
    assert.deepEqual(presentedToSecond, [second.operatorToken]);
    assert.equal(await app.keychain.get(operatorTokenAccount(second.url)), second.operatorToken);
    assert.equal(await app.keychain.get(operatorTokenAccount(first.url)), first.operatorToken);
  });
}
