/**
 * TLS on the relay, in process: a relay given a certificate serves HTTPS and WSS and nothing in
 * plain text; the app's code (operator and host sessions, fetching a relay's key) and the
 * agent's enrolment say plainly when a relay's certificate is not trusted, and never go on; plain
 * http to another computer is refused before anything connects, from the app's settings and from
 * an activation file alike; a renewed certificate is taken without a restart. Certificates come
 * from a test CA made for the run (dev/rig/test-ca.ts), trusted through the clients' `ca` option.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID, X509Certificate } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { decodeProtectedHeader } from 'jose';
import { enrol, RelayCertificateRefused } from '../../src/agent/enrol.js';
import { fetchRelayKey, fetchRelayKeys } from '../../src/main/activation/relay-keys.js';
import { TrustedRelays } from '../../src/main/activation/trusted-relays.js';
import { HostSession } from '../../src/main/host/host-session.js';
import { OperatorController } from '../../src/main/operator/operator-controller.js';
import { OperatorSession } from '../../src/main/operator/operator-session.js';
import { connectToRelay } from '../../src/main/relay-client.js';
import { keytarCredentialStore, operatorTokenAccount } from '../../src/platform/credentials/credential-store.js';
import { startRelay } from '../../src/relay/server.js';
import { TlsSetupError } from '../../src/relay/tls.js';
import { parseActivationEnvelope } from '../../src/shared/activation-file.js';
import type { HostState, OperatorState } from '../../src/shared/ipc.js';
import { RELAY_KEYS_PATH } from '../../src/shared/relay-api.js';
import { DEFAULT_VERIFICATION } from '../../src/shared/verification-policy.js';
import { captureLogger, startTestRelay, TEST_SCRYPT, type TestRelay } from '../../dev/rig/relay.js';
import { createTestCa, type TestCa } from '../../dev/rig/test-ca.js';
import { until } from '../../dev/rig/until.js';
import { keychainOperatorParts } from '../../src/main/operator/keychain-operator.js';

const UNTRUSTED =
  /the relay's certificate is not trusted by this computer \(self-signed certificate\)\. Its administrator needs a certificate from an authority this computer trusts/;
const REMOTE_HTTP = 'http://10.255.0.1:7443';

let ca: TestCa;
before(async () => (ca = await createTestCa()));
after(() => ca.close());

/** GET over https, trusting the test CA; the status and body. */
function httpsGet(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { ca: ca.caPem }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

function noInput() {
  return { setEnabled: () => undefined, handle: () => undefined, releaseAll: () => undefined };
}

describe('a relay with a certificate', () => {
  let relay: TestRelay;
  before(async () => (relay = await startTestRelay({ relay: { tls: await ca.tls() }, ca: ca.caPem })));
  after(() => relay.close());

  it('serves WSS and HTTPS to clients that trust its authority, and nothing in plain http', async () => {
    assert.match(relay.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.deepEqual(relay.handle.warnings, []);
    const op = await relay.connectOperator();
    assert.equal(op.operator.name, 'Ada Lovelace');
    assert.equal(op.socket.io.engine.transport.name, 'websocket');
    const keys = await httpsGet(`${relay.url}${RELAY_KEYS_PATH}`);
    assert.equal(keys.status, 200);
    assert.ok((JSON.parse(keys.body) as { keys: unknown[] }).keys.length > 0);
    // The same port in plain http: no answer, no fallback.
    const plain = await new Promise<string>((resolve) =>
      http
        .get(relay.url.replace('https:', 'http:'), (res) => resolve(`answered ${res.statusCode}`))
        .on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message)),
    );
    assert.match(plain, /ECONNRESET|socket hang up/);
  });

  it("the app's operator session signs in over wss on a computer that trusts the relay's authority", async () => {
    // Node reads NODE_EXTRA_CA_CERTS at start only: the app's own code runs in a process started with it.
    const script = `
      import { OperatorSession } from './src/main/operator/operator-session.ts';
      const session = new OperatorSession({ relayUrl: process.argv[1], token: process.argv[2], emit: () => {} });
      await session.start();
      console.log(JSON.stringify(session.state));
      session.stop();`;
    const run = (env: NodeJS.ProcessEnv) =>
      promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', '--input-type=module', '-e', script, relay.url, relay.operatorToken],
        { env, timeout: 20_000 },
      ).then(({ stdout }) => JSON.parse(stdout.trim().split('\n').pop()!) as OperatorState);
    const { NODE_EXTRA_CA_CERTS: _, ...env } = process.env;
    const trusting = await run({ ...env, NODE_EXTRA_CA_CERTS: ca.caFile });
    assert.equal(trusting.status, 'idle', JSON.stringify(trusting));
    assert.equal(trusting.status === 'idle' && trusting.operator.name, 'Ada Lovelace');
    const distrusting = await run(env);
    assert.equal(distrusting.status, 'signed-out');
    assert.match(
      distrusting.status === 'signed-out' ? (distrusting.message ?? '') : '',
      /the relay's certificate is not trusted by this computer \(unable to verify the first certificate\)/,
    );
  });

  it('takes a renewed certificate without a restart, and keeps serving its own when the new one is broken', async () => {
    const before = await ca.servedSerial(relay.port);
    const renewed = await ca.issue('renewed');
    relay.handle.reloadTls(await ca.tls(renewed));
    const after = await ca.servedSerial(relay.port);
    assert.notEqual(after, before);
    assert.equal(after, new X509Certificate((await ca.tls(renewed)).cert).serialNumber);
    const broken = { cert: (await ca.tls(renewed)).cert, key: (await ca.tls(ca.selfSigned)).key };
    assert.throws(
      () => relay.handle.reloadTls(broken),
      (err: Error) => err instanceof TlsSetupError && /cannot be used: key values mismatch/.test(err.message),
    );
    assert.equal(await ca.servedSerial(relay.port), after);
    await relay.connectOperator(); // still in service
  });
});

describe('a relay whose certificate this computer does not trust', () => {
  let relay: TestRelay;
  before(async () => (relay = await startTestRelay({ relay: { tls: await ca.tls(ca.selfSigned) } })));
  after(() => relay.close());

  it("the operator's app says so in its window, and is never signed in", async () => {
    const states: OperatorState[] = [];
    const session = new OperatorSession({
      relayUrl: relay.url,
      token: relay.operatorToken,
      emit: (channel, payload) => void (channel === 'operator:state' && states.push(payload as OperatorState)),
    });
    await session.start();
    try {
      assert.equal(session.state.status, 'signed-out');
      const message = (session.state as { message?: string }).message ?? '';
      assert.ok(message.startsWith(`Cannot reach the relay at ${relay.url}: `), message);
      assert.match(message, UNTRUSTED);
      assert.ok(!states.some((s) => s.status === 'idle'));
    } finally {
      session.stop();
    }
  });

  it("the host's window says so, the relay's key cannot be fetched, the agent cannot enrol", async () => {
    const states: HostState[] = [];
    const host = new HostSession({
      relayUrl: relay.url,
      deviceName: 'desk-42',
      input: noInput(),
      displays: () => [],
      verification: DEFAULT_VERIFICATION,
      emit: (channel, payload) => void (channel === 'host:state' && states.push(payload as HostState)),
    });
    host.start();
    try {
      const shown = await until(
        'showed why it cannot connect',
        () =>
          states.find((s): s is { status: 'connecting'; message: string } => s.status === 'connecting' && !!s.message),
        { seen: () => states },
      );
      assert.match(shown.message, /^Cannot reach the relay: the relay's certificate is not trusted/);
      assert.match(shown.message, UNTRUSTED);
    } finally {
      host.stop();
    }
    await assert.rejects(fetchRelayKey(relay.url, 'some-key-id'), (err: Error) => {
      assert.ok(err.message.startsWith(`cannot reach the relay at ${relay.url}: `), err.message);
      return UNTRUSTED.test(err.message);
    });
    await assert.rejects(
      enrol(relay.url, { enrolmentToken: 'x'.repeat(40), hostname: 'h', os: 'linux', agentVersion: '26.11' }),
      (err: Error) =>
        err instanceof RelayCertificateRefused &&
        err.message.startsWith(`cannot enrol with ${relay.url}: `) &&
        UNTRUSTED.test(err.message),
    );
  });
});

describe('plain http to another computer', () => {
  it('is refused before anything connects: the app names the address and says why', async () => {
    const states: OperatorState[] = [];
    const keychain = keytarCredentialStore(`flxra-test-${randomUUID()}`);
    const controller = new OperatorController({
      defaultRelayUrl: REMOTE_HTTP,
      loadToken: async () => ({ token: 'flxra_op_whatever', reason: '' }),
      saveToken: () => assert.fail('nothing to save'),
      trusted: new TrustedRelays(keychain),
      fetchRelayKeys,
      emit: (channel, payload) => void (channel === 'operator:state' && states.push(payload as OperatorState)),
    });
    await controller.start();
    assert.deepEqual(controller.state, {
      status: 'signed-out',
      message: `flxra will not connect to ${REMOTE_HTTP}: plain http is not encrypted, and 10.255.0.1 is not this computer, so anyone on the way could read the session and take its credentials. Use the relay's https:// address (plain http is accepted only for a relay on this computer: localhost, 127.x.x.x or [::1]).`,
    });
    // Pasting a token changes nothing: the address is still refused, and the token is not kept.
    await controller.signIn('flxra_op_whatever');
    assert.match((controller.state as { message?: string }).message ?? '', /^flxra will not connect to/);
    controller.stop();

    const hostStates: HostState[] = [];
    const host = new HostSession({
      relayUrl: REMOTE_HTTP,
      deviceName: 'desk-42',
      input: noInput(),
      displays: () => [],
      verification: DEFAULT_VERIFICATION,
      emit: (channel, payload) => void (channel === 'host:state' && hostStates.push(payload as HostState)),
    });
    host.start();
    assert.match(
      (host.state as { message?: string }).message ?? '',
      /flxra will not connect to http:\/\/10\.255\.0\.1:7443/,
    );
    host.stop();
    assert.throws(() => connectToRelay(REMOTE_HTTP, { role: 'host', deviceName: 'x' }), /not encrypted/);
    await assert.rejects(fetchRelayKey(REMOTE_HTTP, 'kid'), /flxra will not connect to http:\/\/10\.255\.0\.1:7443/);
  });

  it('named in an activation file is refused even when its signing key is trusted', async () => {
    // A relay on this computer whose activation files name a plain-http address elsewhere: it warns.
    const relay = await startTestRelay({ relay: { publicUrl: REMOTE_HTTP } });
    const dir = await mkdtemp(path.join(os.tmpdir(), 'flxra-tls-activation-'));
    const keychain = keytarCredentialStore(`flxra-test-${randomUUID()}`);
    try {
      assert.match(
        relay.handle.warnings.join(),
        /activation files will name http:\/\/10\.255\.0\.1:7443, which apps refuse/,
      );
      assert.ok(relay.logs.some((e) => e.level === 'warn' && e.msg.includes('which apps refuse')));
      const device = await relay.connectDevice('kiosk-7');
      const assistance = await relay.requestAssistance({ deviceId: device.deviceId, mode: 'attended' });
      const envelope = parseActivationEnvelope(assistance.activation.content);
      assert.ok(envelope.ok);
      const kid = decodeProtectedHeader(envelope.token).kid!;
      const trusted = new TrustedRelays(keychain);
      // Trusted for that address: the file's signature checks out, only its relay's address is wrong.
      await trusted.trust({ ...(await fetchRelayKey(relay.url, kid)), relay: new URL(REMOTE_HTTP).origin });
      await keychain.set(operatorTokenAccount(relay.url), relay.operatorToken);
      const controller = new OperatorController({
        defaultRelayUrl: relay.url,
        ...keychainOperatorParts(keychain, { trusted }),
        emit: () => undefined,
      });
      await controller.start();
      assert.equal(controller.state.status, 'idle');
      const file = path.join(dir, 'assistance.flxra');
      await writeFile(file, assistance.activation.content);
      await controller.openFile(file);
      assert.equal(controller.state.status, 'refused');
      assert.match(
        (controller.state as { message: string }).message,
        /^This activation file names a relay flxra does not connect to\. flxra will not connect to http:\/\/10\.255\.0\.1:7443: plain http is not encrypted/,
      );
      controller.stop();
    } finally {
      await keychain.delete(operatorTokenAccount(relay.url));
      await keychain.delete('trusted-relay-keys');
      await relay.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

it('a certificate and a key that do not go together stop the relay from starting, saying so', async () => {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'flxra-tls-bad-'));
  try {
    const mismatched = { cert: (await ca.tls()).cert, key: (await ca.tls(ca.selfSigned)).key };
    await assert.rejects(
      startRelay({
        dataDir,
        host: '127.0.0.1',
        port: 0,
        tls: mismatched,
        scrypt: TEST_SCRYPT,
        logger: captureLogger().logger,
      }),
      (err: Error) =>
        err instanceof TlsSetupError &&
        err.message === "the relay's TLS certificate and key cannot be used: key values mismatch",
    );
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
