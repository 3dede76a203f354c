/**
 * The real agent process (the built `out/dev/agent.mjs`) reaching a real relay through Debian's
 * tinyproxy with Basic authentication. The relay sits behind a TCP forwarder that keeps where each
 * connection came from: tinyproxy's outgoing connections come from 127.0.0.2, a direct one from
 * 127.0.0.1, so "through the proxy" and "no direct connection" are read there, and tinyproxy's log
 * says which tunnels it opened. Also: the password written in Proxy_Url moved to the keychain (the
 * file rewritten without it, the next run finding it there), wrong credentials stopping the agent
 * before anything reaches the relay, an unreachable proxy or a PAC file that throws passed over
 * for the system's, a PAC file naming tinyproxy used, and a proxy gone while connected.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { until } from '../../dev/rig/until.js';
import { utmpFile } from '../platform/utmp-writer.js';
import {
  cleanEnv,
  relayBehindForwarder,
  startEnrolledAgent,
  type RelayBehindForwarder,
} from '../fixtures/proxied-relay.js';
import { freePort, PROXIED_FROM, startTinyproxy, type Tinyproxy } from '../fixtures/tinyproxy.js';
import { startAgent, type AgentProcess } from './agent-process.js';

const USER = 'alice';
// tinyproxy's BasicAuth takes letters, digits, - and _ only.
const PASSWORD = 'Tr1cky-pass_word';
const encoded = encodeURIComponent(PASSWORD);
let rig: RelayBehindForwarder;
let authProxy: Tinyproxy;
let openProxy: Tinyproxy;
let dir: string;
const agents: AgentProcess[] = [];

async function run(name: string, args: string[], env = cleanEnv()): Promise<AgentProcess> {
  const started = await startEnrolledAgent(rig, dir, name, args, env);
  agents.push(started);
  return started;
}

before(async () => {
  rig = await relayBehindForwarder();
  authProxy = await startTinyproxy({ basicAuth: { user: USER, password: PASSWORD } });
  openProxy = await startTinyproxy();
  dir = await mkdtemp(path.join(os.tmpdir(), 'flxra-agent-proxy-'));
  await writeFile(path.join(dir, 'utmp'), utmpFile([]));
});

after(async () => {
  await Promise.all(agents.map((a) => a.killAll()));
  await Promise.all([authProxy?.close(), openProxy?.close()]);
  await rig?.close();
  await rm(dir, { recursive: true, force: true });
});

test('through the authenticating proxy of Proxy_Url: enrolled and connected, the password moved to the keychain', async () => {
  const config = path.join(dir, 'agent.json');
  await writeFile(config, JSON.stringify({ Proxy_Url: `http://${USER}:${encoded}@127.0.0.1:${authProxy.port}` }), {
    mode: 0o600,
  });
  const from = rig.forwarder.sources.length;
  const agent = await run('proxied', ['--config', config]);
  await agent.waitFor(/ready as device \w+/, { timeoutMs: 20_000 });
  await agent.waitFor(
    new RegExp(`relay connection: through the proxy http://127\\.0\\.0\\.1:${authProxy.port} \\(source: setting\\)`),
  );
  await agent.waitFor(/the proxy password in Proxy_Url in .*agent\.json was moved to the keychain/);
  // Every connection the relay had came through tinyproxy: the wait, the enrolment, the websocket.
  const sources = rig.forwarder.sources.slice(from);
  assert.ok(sources.length >= 3, `connections: ${sources.join(', ')}`);
  assert.deepEqual(new Set(sources), new Set([PROXIED_FROM]));
  assert.ok((await authProxy.connects()).every((c) => c === `127.0.0.1:${rig.forwarder.port}`));
  assert.ok((await authProxy.established()) >= 3);
  // The file keeps the user, not the password; the agent never said it.
  const rewritten = JSON.parse(await readFile(config, 'utf8')) as { Proxy_Url: string };
  assert.equal(rewritten.Proxy_Url, `http://${USER}@127.0.0.1:${authProxy.port}`);
  assert.ok(!agent.lines.some((l) => l.includes(PASSWORD) || l.includes(encoded)), agent.lines.join('\n'));
  await agent.killAll();

  // The next run, with the rewritten file: the password comes from the keychain.
  const again = startAgent(
    ['--state-dir', path.join(dir, 'proxied'), '--utmp', path.join(dir, 'utmp'), '--config', config],
    cleanEnv(),
  );
  agents.push(again);
  const before = rig.forwarder.sources.length;
  await again.waitFor(/ready as device \w+/, { timeoutMs: 20_000 });
  assert.deepEqual(new Set(rig.forwarder.sources.slice(before)), new Set([PROXIED_FROM]));
});

test('wrong proxy credentials: a clear error, exit 3, and nothing reaches the relay, not even directly', async () => {
  const config = path.join(dir, 'wrong.json');
  await writeFile(config, JSON.stringify({ Proxy_Url: `http://${USER}:not-it@127.0.0.1:${authProxy.port}` }));
  const from = rig.forwarder.sources.length;
  const enrolled = rig.relay.handle.agents.list().length;
  const agent = await run('wrong', ['--config', config]);
  assert.deepEqual(await agent.exited, { code: 3, signal: null });
  await agent.waitFor(
    /flxra agent: cannot reach the relay through the proxy: The proxy http:\/\/127\.0\.0\.1:\d+ refused the user name and password it was given \(HTTP 401\)\. flxra does not go around a configured proxy.*\[proxy-credentials-refused\]/,
  );
  assert.deepEqual(rig.forwarder.sources.slice(from), [], 'no connection reached the relay');
  assert.equal(rig.relay.handle.agents.list().length, enrolled, 'the enrolment token was not spent');
  assert.ok(!agent.lines.some((l) => l.includes('not-it')));
});

test("an unreachable --proxy is passed over for the system's proxy (HTTP_PROXY), and said so", async () => {
  const closed = await freePort();
  const from = rig.forwarder.sources.length;
  const agent = await run(
    'fallback',
    ['--proxy', `http://127.0.0.1:${closed}`],
    cleanEnv({ HTTP_PROXY: openProxy.url }),
  );
  await agent.waitFor(/ready as device \w+/, { timeoutMs: 20_000 });
  const [line] = await agent.waitFor(/relay connection: .*/);
  assert.match(line, new RegExp(`through the proxy ${openProxy.url.replace(/\./g, '\\.')} \\(source: system\\)`));
  assert.match(
    line,
    new RegExp(`the proxy of --proxy http://127\\.0\\.0\\.1:${closed} did not answer \\(ECONNREFUSED\\)`),
  );
  await until('the relay reached through tinyproxy only', () => rig.forwarder.sources.length - from >= 3);
  assert.deepEqual(new Set(rig.forwarder.sources.slice(from)), new Set([PROXIED_FROM]));
});

test("the system's proxy gone while connected: the reconnection resolves again, passes over it, and says so", async () => {
  const going = await startTinyproxy();
  const from = rig.forwarder.sources.length;
  const agent = await run('reroute', [], cleanEnv({ HTTP_PROXY: going.url }));
  await agent.waitFor(/ready as device \w+/, { timeoutMs: 20_000 });
  await agent.waitFor(
    new RegExp(`relay connection: through the proxy ${going.url.replace(/\./g, '\\.')} \\(source: system\\)`),
  );
  assert.deepEqual(new Set(rig.forwarder.sources.slice(from)), new Set([PROXIED_FROM]));
  const mark = agent.mark();
  const directFrom = rig.forwarder.sources.length;
  await going.close();
  const [changed] = await agent.waitFor(/the way to the relay changed: .*/, { from: mark, timeoutMs: 20_000 });
  assert.match(changed, /relay connection: direct \(source: none\): no proxy is configured or detected/);
  assert.match(
    changed,
    new RegExp(`the proxy of HTTP_PROXY ${going.url.replace(/\./g, '\\.')} did not answer \\(ECONNREFUSED\\)`),
  );
  await agent.waitFor(/ready as device \w+/, { from: mark, timeoutMs: 20_000 });
  assert.ok(rig.forwarder.sources.slice(directFrom).includes('127.0.0.1'), 'now direct');
});

test('a PAC file as the setting: one that throws is passed over for the system proxy; one naming tinyproxy is used', async () => {
  const files: Record<string, string> = {
    '/throws.pac': 'function FindProxyForURL(url, host) { throw new Error("no rule for " + host); }',
    '/proxy.pac': `function FindProxyForURL(url, host) { return "PROXY 127.0.0.1:${openProxy.port}"; }`,
  };
  const pac = http.createServer((req, res) => {
    const body = files[req.url ?? ''];
    res.writeHead(body === undefined ? 404 : 200).end(body ?? '');
  });
  await new Promise<void>((resolve) => pac.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(pac.address() as AddressInfo).port}`;
  try {
    const throwing = await run(
      'pac-throws',
      ['--proxy', `pac+${base}/throws.pac`],
      cleanEnv({ HTTP_PROXY: openProxy.url }),
    );
    await throwing.waitFor(/ready as device \w+/, { timeoutMs: 20_000 });
    const [line] = await throwing.waitFor(/relay connection: .*/);
    assert.match(line, /through the proxy http:\/\/127\.0\.0\.1:\d+ \(source: system\)/);
    assert.match(
      line,
      /the PAC file of --proxy http:\/\/127\.0\.0\.1:\d+\/throws\.pac failed \(its FindProxyForURL failed: no rule for 127\.0\.0\.1\)/,
    );

    const from = rig.forwarder.sources.length;
    const used = await run('pac-used', ['--proxy', `pac+${base}/proxy.pac`]);
    await used.waitFor(/ready as device \w+/, { timeoutMs: 20_000 });
    await used.waitFor(
      new RegExp(
        `relay connection: through the PAC file ${base.replace(/\./g, '\\.')}/proxy\\.pac \\(proxy ${openProxy.url.replace(/\./g, '\\.')}\\) \\(source: setting\\)`,
      ),
    );
    assert.deepEqual(new Set(rig.forwarder.sources.slice(from)), new Set([PROXIED_FROM]));
  } finally {
    await new Promise((resolve) => pac.close(resolve));
  }
});

test('--proxy refuses a password on the command line, where every user can read it', async () => {
  const agent = await run('argv', ['--proxy', `http://${USER}:secret@127.0.0.1:${authProxy.port}`]);
  assert.deepEqual(await agent.exited, { code: 2, signal: null });
  await agent.waitFor(/--proxy: the proxy's password is not taken on the command line/);
});
