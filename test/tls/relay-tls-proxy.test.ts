/**
 * The shipped agent (`out/agent/cli.mjs`) and an https relay (`relay serve --tls-cert --tls-key`,
 * a certificate from a CA made for the run) through Debian's tinyproxy with Basic
 * authentication, given as the system's proxy (HTTPS_PROXY with its credentials, as curl takes
 * it): enrolment over https and the relay connection over wss go through the tunnel, and TLS is
 * end to end (the relay's certificate is checked through it: an agent that does not trust it
 * is refused for that reason, not for the proxy's).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { agentTokenAccount, AGENT_KEYCHAIN_SERVICE } from '../../src/agent/credentials.js';
import { keytarCredentialStore } from '../../src/platform/credentials/credential-store.js';
import { startRelayProcess, type RelayProcess } from '../../dev/rig/relay-process.js';
import { createTestCa, type TestCa } from '../../dev/rig/test-ca.js';
import { PRODUCT_AGENT_BUNDLE, startAgent, type AgentProcess } from '../agent/agent-process.js';
import { startTinyproxy, type Tinyproxy } from '../fixtures/tinyproxy.js';

let ca: TestCa;
let dir: string;
let relay: RelayProcess;
let proxy: Tinyproxy;
const agents: AgentProcess[] = [];
const devices: string[] = [];

function env(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const clean = { ...process.env };
  for (const name of Object.keys(clean))
    if (/^(https?_proxy|all_proxy|no_proxy|flxra_proxy_url|display|node_extra_ca_certs)$/i.test(name))
      delete clean[name];
  return { ...clean, HTTPS_PROXY: `http://alice:tunnel-pass@127.0.0.1:${proxy.port}`, ...extra };
}

async function agent(name: string, extra: NodeJS.ProcessEnv): Promise<AgentProcess> {
  const token = path.join(dir, `${name}.token`);
  await writeFile(token, `${await relay.enrolmentToken('Kiosks')}\n`, { mode: 0o600 });
  const args = ['--relay', relay.url, '--enroll-file', token, '--utmp', path.join(dir, 'utmp')];
  const started = startAgent([...args, '--state-dir', path.join(dir, name)], env(extra), PRODUCT_AGENT_BUNDLE);
  agents.push(started);
  return started;
}

before(async () => {
  ca = await createTestCa();
  dir = await mkdtemp(path.join(os.tmpdir(), 'flxra-tls-proxy-'));
  await writeFile(path.join(dir, 'utmp'), '');
  relay = await startRelayProcess({ tls: ca.server });
  proxy = await startTinyproxy({ basicAuth: { user: 'alice', password: 'tunnel-pass' } });
});

after(async () => {
  await Promise.all(agents.map((a) => a.killAll()));
  const keychain = keytarCredentialStore(AGENT_KEYCHAIN_SERVICE);
  for (const deviceId of devices) await keychain.delete(agentTokenAccount({ deviceId, relayUrl: relay.url }));
  await proxy?.close();
  await relay?.close();
  await rm(dir, { recursive: true, force: true });
  await ca?.close();
});

test("https enrolment and wss through the system's authenticating proxy, the certificate checked end to end", async () => {
  const trusting = await agent('trusting', { NODE_EXTRA_CA_CERTS: ca.caFile });
  const [, deviceId] = (await trusting.waitFor(/ready as device (\w+)/, { timeoutMs: 20_000 })) as [string, string];
  devices.push(deviceId);
  await trusting.waitFor(
    new RegExp(`relay connection: through the proxy http://127\\.0\\.0\\.1:${proxy.port} \\(source: system\\)`),
  );
  assert.ok(trusting.lines.includes(`[agent] connected to ${relay.url}`));
  const target = new URL(relay.url).host;
  const connects = await proxy.connects();
  assert.ok(connects.length >= 3, connects.join(', '));
  assert.deepEqual(new Set(connects), new Set([target]), 'every tunnel to the relay');
  assert.ok(!trusting.lines.some((l) => l.includes('tunnel-pass')), 'the password never said');
});

test('through the proxy, an untrusted certificate is refused as such (exit 3), not blamed on the proxy', async () => {
  const refused = await agent('distrusting', {});
  assert.deepEqual(await refused.exited, { code: 3, signal: null });
  await refused.waitFor(
    /^flxra agent: cannot enrol with https:\/\/127\.0\.0\.1:\d+: the relay's certificate is not trusted by this computer/,
  );
});
