/**
 * An attended session whose device is on a "443 only through the proxy" network: the host's
 * browser runs in a network namespace of its own (dev/rig/netns.ts) whose nftables rules drop all
 * UDP and every TCP connection but the one to a real tinyproxy with Basic authentication on the
 * veth address. The operator's browser and the rig's Node parts (relay, coturn, the host role's
 * relay connection) stay in the root namespace: what crosses the namespace is the host page's
 * media path, TURN over TCP tunnelled by the proxy with CONNECT.
 *
 * - Without the proxy's credentials in the host's browser session first, the peer connection
 *   fails: Chromium does not ask for them for TURN (701, no relayed candidate, no picture).
 * - With one request to the relay through that session first (proxyCredentialsFirst, which the
 *   app's main calls with `session.fetch`), it connects: the operator sees the device's pixels,
 *   the host's getStats shows a relayed pair over TCP, and the rules dropped the UDP it tried.
 * - The namespace's link taken down and brought up mid-session: the picture comes back with no
 *   second consent.
 */
import { eventually as eventuallyAwaited } from '../../dev/rig/until.js';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, test, type TestContext } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../../dev/chromium-host/renderer-harness.js';
import { createTestCa, type TestCa } from '../../dev/rig/test-ca.js';
import { createNetns, type TestNetns } from '../../dev/rig/netns.js';
import { waitForColour } from '../../dev/rig/page-probes.js';
import { tunnelThroughNetns } from '../../dev/rig/netns-tunnel.js';
import { openActivation } from '../../dev/rig/operator-activation.js';
import { startTestRelay, type TestRelay } from '../../dev/rig/relay.js';
import { startSessionRigOn, type SessionRig } from '../../dev/rig/session-rig.js';
import { startTurnServer, type TestTurnServer } from '../../dev/rig/turnserver.js';
import { startXvfb } from '../../dev/rig/xvfb.js';
import { proxyCredentialsFirst } from '../../src/platform/proxy/electron-session.js';
import { peerPathFromStats } from '../../src/shared/peer-path.js';
import { freePort, startTinyproxy, type Tinyproxy } from '../fixtures/tinyproxy.js';

const DESKTOP = { width: 1280, height: 720 };
const AUTH = { user: 'helpdesk', password: 'Pr0xy-secret' };

let xvfb: Awaited<ReturnType<typeof startXvfb>>;
let turn: TestTurnServer;
let netns: TestNetns;
let proxy: Tinyproxy;
let hostBrowser: Browser;
let ca: TestCa;

before(async () => {
  xvfb = await startXvfb(DESKTOP);
  ca = await createTestCa();
  // TLS too, with a certificate both browsers trust through the test CA (as a deployment's public one).
  turn = await startTurnServer({ tls: ca.server });
  const proxyPort = await freePort();
  netns = await createNetns(proxyPort);
  proxy = await startTinyproxy({ basicAuth: AUTH, listen: netns.outsideIp, port: proxyPort });
  // The host's own browser, in the namespace; playwright answers the proxy's 407 as the app's `login` handler does.
  hostBrowser = await launchChromium(xvfb.display, {
    executablePath: await netns.wrapper('/usr/bin/chromium'),
    home: await ca.nssHome(),
    proxy: { server: proxy.url, username: AUTH.user, password: AUTH.password },
  });
});
after(async () => {
  await hostBrowser?.close().catch(() => undefined);
  await proxy?.close();
  await netns?.close();
  await turn?.close();
  await ca?.close();
  await xvfb?.close();
});

function setBackground(colour: number) {
  execFileSync('xsetroot', ['-solid', `#${colour.toString(16).padStart(6, '0')}`], { env: xvfb.env });
}

/** session.fetch's stand-in: a request through the host's browser session (its own page, no CSP of the app's). */
function fetchThrough(context: BrowserContext) {
  return async (url: string) => {
    const page = await context.newPage();
    try {
      const response = await page.goto(url, { timeout: 10_000 });
      return { status: response?.status() ?? 0 };
    } finally {
      await page.close();
    }
  };
}

/**
 * A session rig on its own relay whose host is on the namespace's network: its page in the
 * namespace's browser, its relay connection tunnelled through the namespace and the proxy too.
 */
async function rigOnProxyNetwork(
  t: TestContext,
  credentialsFirst: boolean,
  // UDP first, as a deployment offers it: the namespace drops it, TCP through the proxy is left.
  turnUrls = [turn.url('udp'), turn.url('tcp')],
): Promise<SessionRig<TestRelay>> {
  const relay = await startTestRelay({ relay: { turn: { urls: turnUrls, secret: turn.secret, relayOnly: false } } });
  t.after(() => relay.close());
  const tunnel = await tunnelThroughNetns(
    netns,
    { host: '127.0.0.1', port: Number(new URL(relay.url).port) },
    { port: proxy.port, ...AUTH },
  );
  t.after(() => tunnel.close());
  const rig = await startSessionRigOn(xvfb.display, relay, {
    enrolled: true,
    browserHome: await ca.nssHome(),
    hostBrowser: {
      browser: hostBrowser,
      pagesFromRig: true,
      relayUrl: `http://127.0.0.1:${tunnel.port}`,
      beforeStart: async (context, relayUrl) => {
        if (!credentialsFirst) return;
        const outcome = await proxyCredentialsFirst(fetchThrough(context), relayUrl);
        assert.equal(outcome.ok, true, JSON.stringify(outcome));
      },
    },
  });
  t.after(() => rig.close());
  return rig;
}

/** Polls an asynchronous probe until it gives something, for at most `timeoutMs`. */
const eventually = <T>(what: string, timeoutMs: number, probe: () => Promise<T | null>) =>
  eventuallyAwaited(what, probe, { timeoutMs });

/** An attended assistance on the rig's enrolled host, opened from its file; the user allows control. */
async function joinAndAllow(rig: SessionRig<TestRelay>): Promise<void> {
  await rig.host.page.getByTestId('session-id').waitFor({ timeout: 10_000 });
  const response = await rig.relay.requestAssistance({ deviceId: rig.host.deviceId!, mode: 'attended' });
  await openActivation(rig.operator, rig.relay.url, response);
  await rig.host.page.getByTestId('consent').waitFor({ timeout: 10_000 });
  await rig.host.page.getByRole('button', { name: 'Allow control' }).click();
}

/** The host page's peer connections' stats reports (the last one made), flattened, and what ICE could not gather. */
async function hostPeer(page: Page) {
  return page.evaluate<{
    state: string;
    gathering: string;
    reports: unknown[];
    errors: Array<{ url: string; errorCode: number }>;
    states: string[];
  } | null>(`(async () => {
    const all = window.__flxraPeerConnections ?? [];
    const pc = all[all.length - 1];
    if (!pc) return null;
    const reports = [];
    (await pc.getStats()).forEach((r) => reports.push(r));
    return { state: pc.connectionState, gathering: pc.iceGatheringState, reports, errors: pc.__candidateErrors, states: pc.__states };
  })()`);
}

test('without the proxy credentials in the session first, TURN through the authenticating proxy fails', async (t) => {
  const rig = await rigOnProxyNetwork(t, false);
  setBackground(0x335577);
  await joinAndAllow(rig);
  const peer = await eventually("the host's peer connection to fail", 45_000, async () => {
    const p = await hostPeer(rig.host.page);
    return p?.states.includes('failed') ? p : null;
  });
  assert.ok(!peer.states.includes('connected'), `never connected: ${peer.states.join(' → ')}`);
  // It asked the proxy for TURN, and the proxy wanted credentials the browser did not give.
  assert.ok((await proxy.connects()).includes(`127.0.0.1:${turn.port}`), 'TURN/TCP went to the proxy');
  assert.ok((await netns.dropped()).udp > 0, 'the UDP it tried was dropped');
  await assert.rejects(waitForColour(rig.operator.page, { x: 20, y: 20 }, 0x335577, DESKTOP, 2_000));
});

test('with one request through the session first, it connects through TURN over TCP via the proxy', async (t) => {
  const rig = await rigOnProxyNetwork(t, true);
  const colour = 0x2266aa;
  setBackground(colour);
  const tunnelsBefore = await proxy.established();
  await joinAndAllow(rig);
  await waitForColour(rig.operator.page, { x: 20, y: 20 }, colour, DESKTOP, 20_000);
  setBackground(0x884422);
  await waitForColour(rig.operator.page, { x: 20, y: 20 }, 0x884422, DESKTOP);
  const peer = await hostPeer(rig.host.page);
  assert.equal(peer?.state, 'connected');
  const path = peerPathFromStats(peer.reports);
  assert.equal(path?.route, 'relayed', JSON.stringify(path));
  assert.equal(path?.transport, 'tcp', 'the host reaches TURN over TCP');
  assert.ok(path?.relayedBy === 'this side' || path?.relayedBy === 'both', JSON.stringify(path));
  assert.ok((await proxy.connects()).includes(`127.0.0.1:${turn.port}`), 'through the proxy, with CONNECT');
  assert.ok((await proxy.established()) > tunnelsBefore);
  assert.ok((await netns.dropped()).udp > 0, 'the UDP it tried (TURN over UDP, direct candidates) was dropped');
});

test('the same through TURN over TLS (turns:), tunnelled by the proxy', async (t) => {
  const rig = await rigOnProxyNetwork(t, true, [`turns:localhost:${turn.tlsPort}?transport=tcp`]);
  setBackground(0x663399);
  await joinAndAllow(rig);
  await waitForColour(rig.operator.page, { x: 20, y: 20 }, 0x663399, DESKTOP, 20_000);
  const peer = await hostPeer(rig.host.page);
  const path = peerPathFromStats(peer!.reports);
  assert.deepEqual([path?.route, path?.transport], ['relayed', 'tls'], JSON.stringify(path));
  assert.ok((await proxy.connects()).includes(`localhost:${turn.tlsPort}`), 'through the proxy, with CONNECT');
});

test('the namespace link down and up mid-session: the session comes back, no second consent', async (t) => {
  const rig = await rigOnProxyNetwork(t, true);
  setBackground(0x2266aa);
  await joinAndAllow(rig);
  await waitForColour(rig.operator.page, { x: 20, y: 20 }, 0x2266aa, DESKTOP, 20_000);
  const firstPeer = await hostPeer(rig.host.page);
  assert.equal(firstPeer?.state, 'connected');
  const peersBefore = await rig.host.page.evaluate<number>('window.__flxraPeerConnections.length');
  const seenBefore = rig.host.states.length;

  // The device's network goes away: its link, and with it every connection over it (the relay's and TURN's).
  const downAt = Date.now();
  await netns.linkDown();
  await netns.cutConnections();
  await eventually('the host to know its relay connection dropped', 10_000, () =>
    Promise.resolve(rig.host.states.slice(seenBefore).some((s) => 'reconnecting' in s && s.reconnecting) || null),
  );
  // The operator's picture stops (the peer's TURN tunnel was one of the connections cut).
  await eventually("the operator's viewer to say the picture is lost", 15_000, async () =>
    (await rig.operator.page.getByTestId('connection-banner').count()) > 0 ? true : null,
  );
  assert.equal(await rig.operator.page.getByTestId('connection-banner').getAttribute('data-condition'), 'picture-lost');
  setBackground(0x118833);
  await netns.linkUp();
  const upAt = Date.now();
  await waitForColour(rig.operator.page, { x: 20, y: 20 }, 0x118833, DESKTOP, 30_000);
  console.log(`link down for ${upAt - downAt} ms; picture back ${Date.now() - upAt} ms after the link came up`);

  const since = rig.host.states.slice(seenBefore);
  assert.ok(!since.some((s) => s.status !== 'active'), `active throughout: ${since.map((s) => s.status).join(' → ')}`);
  assert.equal(await rig.host.page.getByRole('button', { name: 'Allow control' }).count(), 0, 'no consent window');
  // The host came back into its assistance (the relay's resume), and made a fresh peer for it.
  const last = rig.host.states.at(-1)!;
  assert.ok(last.status === 'active' && !('reconnecting' in last && last.reconnecting), 'back');
  assert.ok((await rig.host.page.evaluate<number>('window.__flxraPeerConnections.length')) > peersBefore);
  const peer = await hostPeer(rig.host.page);
  assert.equal(peer?.state, 'connected');
  assert.equal(peerPathFromStats(peer.reports)?.route, 'relayed', 'through TURN again');
});
