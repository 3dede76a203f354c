/**
 * TLS as a support desk runs it: `relay serve --tls-cert --tls-key` as its own process, and the
 * product's device agent (out/agent/cli.mjs) as its own process, trusting the test CA the way a
 * computer trusts an organisation's authority (NODE_EXTRA_CA_CERTS). The agent enrols over https
 * and connects over wss; without that trust it cannot enrol and says why (exit 3), and a running
 * agent logs why it cannot reconnect; a plain-http relay elsewhere is refused at once (exit 2);
 * SIGHUP makes the relay take its renewed certificate; and the relay command refuses TLS options
 * it cannot use, saying why.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { agentTokenAccount, AGENT_KEYCHAIN_SERVICE } from '../../src/agent/credentials.js';
import { keytarCredentialStore } from '../../src/platform/credentials/credential-store.js';
import { startRelayProcess, type RelayProcess } from '../../dev/rig/relay-process.js';
import { until } from '../../dev/rig/until.js';
import { createTestCa, type TestCa } from '../../dev/rig/test-ca.js';
import { PRODUCT_AGENT_BUNDLE, startAgent, type AgentProcess } from '../agent/agent-process.js';

const run = promisify(execFile);

let ca: TestCa;
let dir: string;
/** The relay's own copies of its certificate and key: renewing overwrites them. */
let served: { cert: string; key: string };
let relay: RelayProcess;
const agents: AgentProcess[] = [];
const devices: string[] = [];

/** The environment without any trust of the test CA: NODE_EXTRA_CA_CERTS only where a test gives it. */
function baseEnv(): NodeJS.ProcessEnv {
  const { NODE_EXTRA_CA_CERTS: _, DISPLAY: __, ...env } = process.env;
  return env;
}

function agent(args: string[], env: NodeJS.ProcessEnv): AgentProcess {
  const started = startAgent(
    [...args, '--utmp', path.join(dir, 'utmp'), '--state-dir', path.join(dir, `state-${agents.length}`)],
    env,
    PRODUCT_AGENT_BUNDLE,
  );
  agents.push(started);
  return started;
}

/** A file holding an enrolment token, as an administrator hands it over (`--enroll-file`). */
async function tokenFile(token: string): Promise<string> {
  const file = path.join(dir, `enrolment-${agents.length}`);
  await writeFile(file, `${token}\n`, { mode: 0o600 });
  return file;
}

before(async () => {
  ca = await createTestCa();
  dir = await mkdtemp(path.join(os.tmpdir(), 'flxra-tls-serve-'));
  await writeFile(path.join(dir, 'utmp'), '');
  served = { cert: path.join(dir, 'relay.pem'), key: path.join(dir, 'relay.key') };
  await copyFile(ca.server.cert, served.cert);
  await copyFile(ca.server.key, served.key);
  relay = await startRelayProcess({ tls: served });
});

after(async () => {
  await Promise.all(agents.map((a) => a.killAll()));
  const keychain = keytarCredentialStore(AGENT_KEYCHAIN_SERVICE);
  for (const deviceId of devices) await keychain.delete(agentTokenAccount({ deviceId, relayUrl: relay.url }));
  await relay?.close();
  await rm(dir, { recursive: true, force: true });
  await ca?.close();
});

test('the agent enrols over https and connects over wss to `relay serve --tls-cert --tls-key`', async () => {
  assert.match(relay.url, /^https:\/\/127\.0\.0\.1:\d+$/);
  assert.ok(relay.lines.some((l) => l.startsWith(`flxra relay listening on ${relay.url}`)));
  assert.ok(!relay.lines.some((l) => l.startsWith('warning:')), relay.lines.join('\n'));
  const token = await tokenFile(await relay.enrolmentToken('Kiosks'));
  const trusting = agent(['--relay', relay.url, '--enroll-file', token], {
    ...baseEnv(),
    NODE_EXTRA_CA_CERTS: ca.caFile,
  });
  // The first keychain write may create the test keyring's collection: allow for a slow machine.
  const [, deviceId] = (await trusting.waitFor(/ready as device (\w+)/, { timeoutMs: 20_000 })) as [string, string];
  devices.push(deviceId);
  assert.ok(trusting.lines.includes(`[agent] connected to ${relay.url}`), trusting.lines.join('\n'));
  await until('logged the agent', () => relay.lines.some((l) => l.includes('"agent connected"')), {
    timeoutMs: 10_000,
  });

  // Run again, as the service would, on a computer that no longer trusts the relay's authority.
  await trusting.killAll();
  const distrusting = startAgent(
    ['--utmp', path.join(dir, 'utmp'), '--state-dir', path.join(dir, 'state-0')],
    baseEnv(),
    PRODUCT_AGENT_BUNDLE,
  );
  agents.push(distrusting);
  await distrusting.waitFor(
    /^\[agent\] cannot reach the relay: the relay's certificate is not trusted by this computer \(unable to verify the first certificate\)\./,
  );
  await distrusting.waitFor(/reconnecting in/);
  assert.equal(
    distrusting.lines.some((l) => l.includes('ready as device')),
    false,
  );
  await distrusting.killAll();
});

test('an agent that does not trust the certificate cannot enrol, and says why (exit 3)', async () => {
  const token = await tokenFile(await relay.enrolmentToken('Kiosks'));
  const refused = agent(['--relay', relay.url, '--enroll-file', token], baseEnv());
  assert.deepEqual(await refused.exited, { code: 3, signal: null });
  assert.ok(
    refused.lines.includes(
      `flxra agent: cannot enrol with ${relay.url}: the relay's certificate is not trusted by this computer (unable to verify the first certificate). Its administrator needs a certificate from an authority this computer trusts, or this computer must trust their own authority.`,
    ),
    refused.lines.join('\n'),
  );
});

test('a plain-http relay on another computer is refused before anything connects (exit 2)', async () => {
  const refused = agent(
    ['--relay', 'http://10.255.0.1:7443', '--enroll-file', await tokenFile('x'.repeat(40))],
    baseEnv(),
  );
  assert.deepEqual(await refused.exited, { code: 2, signal: null });
  assert.match(
    refused.lines[0] ?? '',
    /^flxra agent: --relay: flxra will not connect to http:\/\/10\.255\.0\.1:7443: plain http is not encrypted, and 10\.255\.0\.1 is not this computer/,
  );
});

test('SIGHUP: the relay takes its renewed certificate without a restart; a broken one leaves it serving the old', async () => {
  const renewed = await ca.issue('renewed');
  await copyFile(renewed.cert, served.cert);
  await copyFile(renewed.key, served.key);
  const from = relay.lines.length;
  relay.signal('SIGHUP');
  await until('reloaded its certificate', () =>
    relay.lines.slice(from).includes(`TLS certificate reloaded from ${served.cert}`),
  );
  const serial = new X509Certificate(await readFile(renewed.cert)).serialNumber;
  assert.equal(await ca.servedSerial(relay.port), serial);

  await copyFile(ca.selfSigned.key, served.key); // the renewed certificate with a key of another
  const again = relay.lines.length;
  relay.signal('SIGHUP');
  await until('refused the broken pair', () =>
    relay.lines
      .slice(again)
      .includes(
        'flxra relay: kept the current certificate: the new TLS certificate and key cannot be used: key values mismatch',
      ),
  );
  assert.equal(await ca.servedSerial(relay.port), serial);
});

test('the relay command refuses TLS options it cannot use, saying why', async () => {
  const serve = (...args: string[]) =>
    run(process.execPath, [
      '--import',
      'tsx',
      'src/relay/cli.ts',
      'serve',
      '--port',
      '0',
      '--data',
      path.join(dir, 'unused'),
      ...args,
    ]).then(
      () => assert.fail('the relay started'),
      (err: { code: number; stderr: string }) => err,
    );
  const alone = await serve('--tls-cert', served.cert);
  assert.equal(alone.code, 2);
  assert.match(alone.stderr, /^flxra relay: --tls-cert and --tls-key go together\n/);
  const missing = path.join(dir, 'missing.pem');
  const unreadable = await serve('--tls-cert', missing, '--tls-key', served.key);
  assert.equal(unreadable.code, 1);
  assert.equal(unreadable.stderr, `flxra relay: cannot read the TLS certificate ${missing} (ENOENT)\n`);
});
