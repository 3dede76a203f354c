/**
 * The operator and host apps' main process reaching a real relay through Debian's tinyproxy with
 * Basic authentication, by the same proxy resolution as the agent (src/main/relay-route.ts). The
 * relay sits behind a TCP forwarder that keeps where each connection came from (tinyproxy's
 * outgoing connections come from 127.0.0.2, a direct one from 127.0.0.1) and is published at the
 * forwarder's address, so its activation files name it: "through the proxy" and "nothing reached
 * the relay" are read there. Covered: Proxy_Url's password moved from the environment to the real
 * keychain and never logged; the operator's relay connection and an activation file's key fetch
 * through the proxy, and the window's state naming the way; wrong credentials refused in the
 * state with nothing sent; the host likewise; the host's proxy gone while connected (it resolves
 * again and comes back through the next step's proxy); and what the Electron session is given for it.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { until } from '../../dev/rig/until.js';
import { HostSession } from '../../src/main/host/host-session.js';
import { keychainOperatorParts } from '../../src/main/operator/keychain-operator.js';
import { OperatorController } from '../../src/main/operator/operator-controller.js';
import { createRelayRoutes, startAppRoutes, type RelayRoute, type RelayRoutes } from '../../src/main/relay-route.js';
import { keytarCredentialStore, operatorTokenAccount } from '../../src/platform/credentials/credential-store.js';
import { createProxyLoginAnswerer, sessionProxyConfig } from '../../src/platform/proxy/electron-session.js';
import { proxyPasswordAccount } from '../../src/platform/proxy/setting-keychain.js';
import type { EventPayloads, HostState, OperatorState } from '../../src/shared/ipc.js';
import { relayRouteLine } from '../../src/shared/proxy-choice.js';
import { DEFAULT_VERIFICATION } from '../../src/shared/verification-policy.js';
import { relayBehindForwarder, type RelayBehindForwarder } from '../fixtures/proxied-relay.js';
import { PROXIED_FROM, startTinyproxy, type Tinyproxy } from '../fixtures/tinyproxy.js';

const USER = 'alice';
// tinyproxy's BasicAuth takes letters, digits, - and _ only.
const PASSWORD = 'Tr1cky-pass_word';
let rig: RelayBehindForwarder;
let proxy: Tinyproxy;
let relayUrl: string;
let dir: string;

/** No system proxy and no WPAD: the test's own environment says nothing about these runs. */
const hermetic = { system: () => ({ read: async () => null }), wpadUrls: async () => [] };

before(async () => {
  rig = await relayBehindForwarder({ published: true });
  relayUrl = rig.relayUrl;
  proxy = await startTinyproxy({ basicAuth: { user: USER, password: PASSWORD } });
  dir = await mkdtemp(path.join(os.tmpdir(), 'flxra-app-proxy-'));
});

after(async () => {
  await proxy?.close();
  await rig?.close();
  await rm(dir, { recursive: true, force: true });
});

function routesWith(setting: string, log: (line: string) => void = () => undefined): RelayRoutes {
  return createRelayRoutes({ setting: { setting, from: 'FLXRA_PROXY_URL' }, log, ...hermetic });
}

/** An operator app signed in to the relay (its token in a keychain of its own), reaching it by `routes`. */
async function operatorApp(t: { after: (fn: () => Promise<void>) => void }, routes: RelayRoutes) {
  const keychain = keytarCredentialStore(`flxra-test-${randomUUID()}`);
  await keychain.set(operatorTokenAccount(relayUrl), rig.relay.operatorToken);
  const logs: string[] = [];
  const controller = new OperatorController({
    defaultRelayUrl: relayUrl,
    ...keychainOperatorParts(keychain),
    routes,
    emit: () => undefined,
    log: (line) => void logs.push(line),
  });
  t.after(async () => {
    controller.stop();
    await keychain.delete(operatorTokenAccount(relayUrl));
    await keychain.delete('trusted-relay-keys');
  });
  return { controller, logs };
}

/** An attended assistance's activation file for a device whose host is connected (directly: it is not the app's). */
async function activationFile(name: string): Promise<string> {
  const device = await rig.relay.connectDevice(`${name}-${randomUUID().slice(0, 8)}`);
  const assistance = await rig.relay.requestAssistance({ deviceId: device.deviceId, mode: 'attended' });
  const file = path.join(dir, `${name}.flxra`);
  await writeFile(file, assistance.activation.content);
  return file;
}

function hostApp(route: RelayRoute) {
  const host = new HostSession({
    relayUrl,
    route,
    deviceName: 'desk-proxied',
    input: { setEnabled: () => undefined, handle: () => undefined, releaseAll: () => undefined },
    displays: () => [{ id: '0', x: 0, y: 0, width: 1280, height: 720, primary: true }],
    verification: DEFAULT_VERIFICATION,
    emit: <E extends keyof EventPayloads>(_channel: E, _payload: EventPayloads[E]) => undefined,
  });
  return host;
}

test('operator: Proxy_Url with a password, moved to the keychain; signed in, a file’s keys fetched and its assistance opened through the proxy', async (t) => {
  const keychain = keytarCredentialStore(`flxra-test-${randomUUID()}`);
  const setting = `http://${USER}:${encodeURIComponent(PASSWORD)}@127.0.0.1:${proxy.port}`;
  const env: NodeJS.ProcessEnv = { FLXRA_PROXY_URL: setting };
  const logs: string[] = [];
  const { routes, first } = await startAppRoutes({
    relayUrl,
    env,
    credentials: keychain,
    platform: 'linux',
    log: (line) => void logs.push(line),
    ...hermetic,
  });
  const account = proxyPasswordAccount(new URL(setting));
  t.after(async () => void (await keychain.delete(account)));
  assert.equal(env.FLXRA_PROXY_URL, undefined, 'taken out of the environment');
  assert.equal(await keychain.get(account), PASSWORD, 'the password is in the keychain');
  assert.ok(first.ok, JSON.stringify(first));
  assert.deepEqual(
    { kind: first.choice.kind, source: first.choice.source, url: first.choice.url },
    { kind: 'proxy', source: 'setting', url: `http://127.0.0.1:${proxy.port}` },
  );
  // What index.ts gives the Electron session: a rule without credentials, and the sign-in for that proxy only.
  assert.deepEqual(sessionProxyConfig(first.choice), {
    mode: 'fixed_servers',
    proxyRules: `http://127.0.0.1:${proxy.port}`,
    proxyBypassRules: '<local>',
  });
  const login = createProxyLoginAnswerer(first.connectVia);
  assert.deepEqual(login({ isProxy: true, scheme: 'basic', host: '127.0.0.1', port: proxy.port, realm: '' }), {
    answer: 'credentials',
    username: USER,
    password: PASSWORD,
  });

  const file = await activationFile('proxied');
  const app = await operatorApp(t, routes);
  const from = rig.forwarder.sources.length;
  const tunnels = (await proxy.connects()).length;
  await app.controller.start();
  assert.equal(app.controller.state.status, 'idle', JSON.stringify(app.controller.state));
  const idle = app.controller.state;
  assert.ok(idle.relayRoute);
  assert.equal(relayRouteLine(idle.relayRoute), `Relay: through the proxy 127.0.0.1:${proxy.port} (Proxy_Url setting)`);

  // The file's relay is not trusted yet: its keys are fetched (through the proxy) for the fingerprint.
  await app.controller.openFile(file);
  assert.equal(app.controller.state.status, 'trust-relay', JSON.stringify(app.controller.state));
  await app.controller.trustRelay(true);
  await until('the assistance waits for the user', () => app.controller.state.status === 'waiting', {
    timeoutMs: 10_000,
    seen: () => app.controller.state,
  });
  const waiting = app.controller.state as Extract<OperatorState, { status: 'waiting' }>;
  assert.equal(waiting.relayRoute?.kind, 'proxy');

  // Every connection the relay had from the app came through tinyproxy: the websocket and the key fetch.
  const sources = rig.forwarder.sources.slice(from);
  assert.ok(sources.length >= 2, `connections: ${sources.join(', ')}`);
  assert.deepEqual(new Set(sources), new Set([PROXIED_FROM]));
  const connects = (await proxy.connects()).slice(tunnels);
  assert.ok(
    connects.length >= 2 && connects.every((c) => c === `127.0.0.1:${rig.forwarder.port}`),
    connects.join(', '),
  );
  const said = [...logs, ...app.logs];
  assert.ok(said.some((l) => l.startsWith(`relay connection: through the proxy http://127.0.0.1:${proxy.port}`)));
  assert.ok(!said.some((l) => l.includes(PASSWORD)), said.join('\n'));
});

test('operator: wrong proxy credentials: the state says so, and nothing reaches the relay, not even its keys', async (t) => {
  const file = await activationFile('refused');
  const logs: string[] = [];
  const routes = routesWith(`http://${USER}:not-it@127.0.0.1:${proxy.port}`, (line) => void logs.push(line));
  const app = await operatorApp(t, routes);
  const from = rig.forwarder.sources.length;
  await app.controller.start();
  const state = app.controller.state;
  assert.equal(state.status, 'signed-out');
  assert.match(
    state.status === 'signed-out' ? (state.message ?? '') : '',
    /The proxy http:\/\/127\.0\.0\.1:\d+ refused the user name and password it was given \(HTTP 401\)\. flxra does not go around a configured proxy/,
  );
  assert.equal(state.proxyRefusal?.code, 'proxy-credentials-refused');
  assert.equal(state.relayRoute, undefined);

  await app.controller.openFile(file);
  const refused = app.controller.state;
  assert.equal(refused.status, 'refused', JSON.stringify(refused));
  assert.match(refused.status === 'refused' ? refused.message : '', /refused the user name and password/);
  assert.deepEqual(rig.forwarder.sources.slice(from), [], 'no connection reached the relay');
  assert.ok(!logs.some((l) => l.includes('not-it')), logs.join('\n'));
});

test('host: through the authenticating proxy its state names the way; wrong credentials: it says so and connects nothing', async (t) => {
  const routes = routesWith(`http://${USER}:${PASSWORD}@127.0.0.1:${proxy.port}`);
  const route = await routes.forRelay(relayUrl);
  const from = rig.forwarder.sources.length;
  const host = hostApp(route);
  t.after(() => host.stop());
  host.start();
  await until('the host is ready', () => host.state.status === 'ready', { timeoutMs: 10_000, seen: () => host.state });
  const ready = host.state as Extract<HostState, { status: 'ready' }>;
  assert.equal(
    relayRouteLine(ready.relayRoute!),
    `Relay: through the proxy 127.0.0.1:${proxy.port} (Proxy_Url setting)`,
  );
  const sources = rig.forwarder.sources.slice(from);
  assert.ok(sources.length >= 1);
  assert.deepEqual(new Set(sources), new Set([PROXIED_FROM]));

  const wrong = await routesWith(`http://${USER}:not-it@127.0.0.1:${proxy.port}`).forRelay(relayUrl);
  const before = rig.forwarder.sources.length;
  const refused = hostApp(wrong);
  t.after(() => refused.stop());
  refused.start();
  const state = refused.state;
  assert.equal(state.status, 'connecting');
  assert.match(state.status === 'connecting' ? (state.message ?? '') : '', /refused the user name and password/);
  assert.equal(state.proxyRefusal?.code, 'proxy-credentials-refused');
  assert.deepEqual(rig.forwarder.sources.slice(before), [], 'no connection reached the relay');
});

test('a setting the app cannot use is refused in the state: a password on --proxy, a user whose password is not kept', async () => {
  const keychain = keytarCredentialStore(`flxra-test-${randomUUID()}`);
  const onCommandLine = await startAppRoutes({
    relayUrl,
    proxyUrl: `http://${USER}:${PASSWORD}@127.0.0.1:${proxy.port}`,
    env: {},
    credentials: keychain,
    platform: 'linux',
    log: () => undefined,
    ...hermetic,
  });
  assert.ok(!onCommandLine.first.ok);
  assert.equal(onCommandLine.first.refusal.code, 'proxy-setting-invalid');
  assert.match(onCommandLine.first.refusal.message, /not taken on the command line/);
  assert.ok(!onCommandLine.first.refusal.message.includes(PASSWORD));

  const userOnly = await startAppRoutes({
    relayUrl,
    env: { FLXRA_PROXY_URL: `http://bob@127.0.0.1:${proxy.port}` },
    credentials: keychain,
    platform: 'linux',
    log: () => undefined,
    ...hermetic,
  });
  assert.ok(!userOnly.first.ok);
  assert.match(userOnly.first.refusal.message, /names the proxy user bob, and no password for it is in the keychain/);
});

test('host: its proxy gone while connected, the reconnection resolves the way again and comes back through the next one', async (t) => {
  const first = await startTinyproxy();
  const next = await startTinyproxy();
  t.after(() => Promise.all([first.close(), next.close()]));
  const logs: string[] = [];
  const routes = createRelayRoutes({
    setting: { setting: first.url, from: 'FLXRA_PROXY_URL' },
    log: (line) => void logs.push(line),
    // The system's proxy, the resolution's next step after the setting's.
    system: () => ({ read: async () => ({ proxy: next.url, bypass: [], autoDetect: false, from: 'HTTPS_PROXY' }) }),
    wpadUrls: async () => [],
  });
  const route = await routes.forRelay(relayUrl);
  const host = new HostSession({
    relayUrl,
    route,
    reroute: () => routes.again(relayUrl),
    deviceName: 'desk-rerouted',
    input: { setEnabled: () => undefined, handle: () => undefined, releaseAll: () => undefined },
    displays: () => [{ id: '0', x: 0, y: 0, width: 1280, height: 720, primary: true }],
    verification: DEFAULT_VERIFICATION,
    emit: () => undefined,
  });
  t.after(() => host.stop());
  host.start();
  await until('ready through the first proxy', () => host.state.status === 'ready', { timeoutMs: 10_000 });
  assert.equal(host.state.relayRoute?.url, first.url);
  assert.equal((await next.connects()).length, 0);

  const from = rig.forwarder.sources.length;
  await first.close();
  await until(
    'ready again, through the system proxy',
    () => host.state.status === 'ready' && host.state.relayRoute?.source === 'system',
    { timeoutMs: 20_000, seen: () => ({ state: host.state, logs }) },
  );
  assert.equal(
    relayRouteLine(host.state.relayRoute),
    `Relay: through the proxy ${new URL(next.url).host} (system settings)`,
  );
  assert.ok((await next.connects()).length >= 1, 'the new connection went through the next proxy');
  assert.deepEqual(new Set(rig.forwarder.sources.slice(from)), new Set([PROXIED_FROM]), 'never direct');
  assert.ok(
    logs.some((l) =>
      l.startsWith(`the way to the relay changed: relay connection: through the proxy ${next.url} (source: system)`),
    ),
    logs.join('\n'),
  );
});
