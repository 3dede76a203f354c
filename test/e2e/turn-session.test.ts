/**
 * An attended session forced through TURN, end to end on the Xvfb desktop: a real coturn with the
 * deployment's configuration (dev/rig/turnserver.ts), a relay that gives the two admitted peers
 * its credentials and tells them to go through it only (`relayOnly`), the real host and operator
 * pages. The operator sees the device's pixels; both pages' getStats show a selected candidate
 * pair of relay candidates (TURN over TCP, as on a network that drops UDP), and the operator's
 * connection details say so; the same over TLS (turns:, with a certificate the browser trusts).
 * Without TURN the same line says the path is direct.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, test, type TestContext } from 'node:test';
import type { Page } from 'playwright-core';
import { startSessionRig, type SessionRig } from '../../dev/rig/session-rig.js';
import { startTurnServer, TURN_RELAY_IP, type TestTurnServer } from '../../dev/rig/turnserver.js';
import { startXvfb } from '../../dev/rig/xvfb.js';
import { waitForColour } from '../../dev/rig/page-probes.js';
import { createTestCa, type TestCa } from '../../dev/rig/test-ca.js';

const DESKTOP = { width: 1280, height: 720 };

let xvfb: Awaited<ReturnType<typeof startXvfb>>;
let turn: TestTurnServer;
let ca: TestCa;

before(async () => {
  xvfb = await startXvfb(DESKTOP);
  ca = await createTestCa();
  // TLS too, with a certificate the browser trusts through the test CA (as a deployment's public one).
  turn = await startTurnServer({ tls: ca.server });
});
after(async () => {
  await turn?.close();
  await ca?.close();
  await xvfb?.close();
});

function setBackground(colour: number) {
  execFileSync('xsetroot', ['-solid', `#${colour.toString(16).padStart(6, '0')}`], { env: xvfb.env });
}

interface Candidate {
  candidateType: string;
  address?: string;
  protocol?: string;
  relayProtocol?: string;
}

/** The selected candidate pair of every connected peer connection of a page, from getStats. */
const SELECTED_PAIRS = `(async () => {
  const out = [];
  for (const pc of window.__flxraPeerConnections ?? []) {
    if (pc.connectionState !== 'connected') continue;
    const stats = await pc.getStats();
    let pairId = null;
    stats.forEach((r) => { if (r.type === 'transport' && r.selectedCandidatePairId) pairId = r.selectedCandidatePairId; });
    const pair = pairId && stats.get(pairId);
    if (!pair) continue;
    const pick = (c) => ({ candidateType: c.candidateType, address: c.address, protocol: c.protocol, relayProtocol: c.relayProtocol });
    out.push({ local: pick(stats.get(pair.localCandidateId)), remote: pick(stats.get(pair.remoteCandidateId)),
      policy: pc.getConfiguration().iceTransportPolicy });
  }
  return out;
})()`;

async function selectedPairs(page: Page) {
  return page.evaluate<Array<{ local: Candidate; remote: Candidate; policy: string }>>(SELECTED_PAIRS);
}

async function joinAndAllow(rig: SessionRig): Promise<void> {
  const idText = await rig.host.page.getByTestId('session-id').textContent({ timeout: 10_000 });
  await rig.operator.page.getByLabel('Session ID').fill(idText!);
  await rig.operator.page.getByRole('button', { name: 'Join' }).click();
  await rig.host.page.getByRole('button', { name: 'Allow control' }).click();
}

async function relayedSession(t: TestContext, url: string, transport: 'tcp' | 'tls'): Promise<void> {
  const rig = await startSessionRig(xvfb.display, {
    relay: { relay: { turn: { urls: [url], secret: turn.secret, relayOnly: true } } },
    browserHome: await ca.nssHome(),
  });
  t.after(() => rig.close());
  const colour = 0x2266aa;
  setBackground(colour);
  await joinAndAllow(rig);
  await waitForColour(rig.operator.page, { x: 20, y: 20 }, colour, DESKTOP, 15_000);
  // The picture follows a change of the screen through the same path.
  setBackground(0x884422);
  await waitForColour(rig.operator.page, { x: 20, y: 20 }, 0x884422, DESKTOP);

  for (const [side, page] of [
    ['operator', rig.operator.page],
    ['host', rig.host.page],
  ] as const) {
    const pairs = await selectedPairs(page);
    assert.equal(pairs.length, 1, `${side}: one connected peer connection (${JSON.stringify(pairs)})`);
    const [pair] = pairs;
    assert.equal(pair!.policy, 'relay', `${side}: told to use TURN only`);
    assert.equal(pair!.local.candidateType, 'relay', `${side}: its own candidate is TURN's`);
    assert.equal(pair!.local.relayProtocol, transport, `${side}: reaches TURN over ${transport}`);
    assert.equal(pair!.local.address, TURN_RELAY_IP);
    assert.equal(pair!.remote.candidateType, 'relay', `${side}: so is the other side's`);
  }
  // The operator's connection details say the same, from the same stats.
  const line = rig.operator.page.getByTestId('connection-path');
  await rig.operator.page.waitForFunction(
    () => document.querySelector('[data-testid=connection-path]')?.getAttribute('data-route') === 'relayed',
  );
  const over = transport.toUpperCase();
  const expected = new RegExp(`^Connection path: relayed through TURN over ${over} · \\d+ ms round trip$`);
  assert.match((await line.textContent()) ?? '', expected);
}

test('an attended session through TURN over TCP only: pixels arrive, both sides relayed', async (t) => {
  await relayedSession(t, turn.url('tcp'), 'tcp');
});

test('the same through TURN over TLS (turns:), as on a network that allows only TCP to 443', async (t) => {
  await relayedSession(t, `turns:localhost:${turn.tlsPort}?transport=tcp`, 'tls');
});

test('without TURN the connection details say the path is direct', async (t) => {
  const rig = await startSessionRig(xvfb.display);
  t.after(() => rig.close());
  const colour = 0x228844;
  setBackground(colour);
  await joinAndAllow(rig);
  await waitForColour(rig.operator.page, { x: 20, y: 20 }, colour, DESKTOP, 15_000);
  const [pair] = await selectedPairs(rig.operator.page);
  assert.equal(pair?.local.candidateType, 'host');
  await rig.operator.page.waitForFunction(
    () => document.querySelector('[data-testid=connection-path]')?.getAttribute('data-route') === 'direct',
  );
  assert.match(
    (await rig.operator.page.getByTestId('connection-path').textContent()) ?? '',
    /^Connection path: direct, peer to peer over (UDP|TCP)( · \d+ ms round trip)?$/,
  );
});
