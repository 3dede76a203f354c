/**
 * An attended session whose operator and host reach the relay through Debian's tinyproxy with
 * Basic authentication, end to end on the Xvfb desktop with the real pages (dev/rig/session-rig.ts):
 * main's relay connections go by the app's proxy resolution (src/main/relay-route.ts), tinyproxy's
 * log shows the tunnels to the relay, and both windows' connection details name the way, as the
 * operator reads it next to the peer's path: "Relay: through the proxy 127.0.0.1:<port> (Proxy_Url
 * setting)". (The peers' own traffic is Chromium's; the Electron session's proxy is index.ts's.)
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import { startTestRelay, type TestRelay } from '../../dev/rig/relay.js';
import { startSessionRigOn } from '../../dev/rig/session-rig.js';
import { startXvfb } from '../../dev/rig/xvfb.js';
import { waitForColour } from '../../dev/rig/page-probes.js';
import { createRelayRoutes } from '../../src/main/relay-route.js';
import { startTinyproxy, type Tinyproxy } from '../fixtures/tinyproxy.js';

const DESKTOP = { width: 1280, height: 720 };
const USER = 'alice';
const PASSWORD = 'Pr0xy-pass_word';

let xvfb: Awaited<ReturnType<typeof startXvfb>>;
let proxy: Tinyproxy;
let relay: TestRelay;

before(async () => {
  xvfb = await startXvfb(DESKTOP);
  proxy = await startTinyproxy({ basicAuth: { user: USER, password: PASSWORD } });
  relay = await startTestRelay();
});
after(async () => {
  await relay?.close();
  await proxy?.close();
  await xvfb?.close();
});

test('attended session with both apps through the authenticating proxy: pixels arrive, both windows say how the relay is reached', async (t) => {
  const routes = createRelayRoutes({
    setting: { setting: `http://${USER}:${PASSWORD}@127.0.0.1:${proxy.port}`, from: 'FLXRA_PROXY_URL' },
    log: () => undefined,
    // No system proxy and no WPAD: the test's own environment says nothing about this run.
    system: () => ({ read: async () => null }),
    wpadUrls: async () => [],
  });
  const hostRoute = await routes.forRelay(relay.url);
  const rig = await startSessionRigOn(xvfb.display, relay, { operatorRoutes: routes, hostRoute });
  t.after(() => rig.close());
  const line = `Relay: through the proxy 127.0.0.1:${proxy.port} (Proxy_Url setting)`;

  const hostLine = rig.host.page.getByTestId('relay-route');
  assert.equal(await hostLine.textContent({ timeout: 10_000 }), line);
  const colour = 0x884422;
  execFileSync('xsetroot', ['-solid', `#${colour.toString(16)}`], { env: xvfb.env });
  const idText = await rig.host.page.getByTestId('session-id').textContent({ timeout: 10_000 });
  await rig.operator.page.getByLabel('Session ID').fill(idText!);
  await rig.operator.page.getByRole('button', { name: 'Join' }).click();
  await rig.host.page.getByRole('button', { name: 'Allow control' }).click();
  await waitForColour(rig.operator.page, { x: 20, y: 20 }, colour, DESKTOP, 15_000);

  // The session bar: the peer's path, and next to it how main reaches the relay.
  const bar = rig.operator.page.getByTestId('session-bar');
  await bar.getByTestId('connection-path').waitFor();
  assert.equal(await bar.getByTestId('relay-route').textContent(), line);
  assert.equal(await bar.getByTestId('relay-route').getAttribute('data-route'), 'proxy');
  assert.equal(await rig.host.page.getByTestId('indicator').getByTestId('relay-route').textContent(), line);
  // Both relay connections were tunnels through tinyproxy to the relay.
  const relayAddress = new URL(relay.url).host;
  const connects = await proxy.connects();
  assert.ok(connects.filter((c) => c === relayAddress).length >= 2, connects.join(', '));
});
