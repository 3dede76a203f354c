/**
 * Honest connection states in the operator's viewer, on the Xvfb rig with a real relay and real
 * WebRTC: with the relay process killed and not started again, the viewer says "reconnecting to
 * the relay…" with how long it has tried, then that the relay is unreachable (the picture, peer
 * to peer, still live and said so); with the host's capture stopped (as the browser's "Stop
 * sharing" ends the track), the viewer says the capture stopped on the device and no longer says
 * "You have control", and forwards no input, until the user shares again. The waiting screen, the
 * relay lost while the user is asked, says so the same way.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { waitForColour } from '../../dev/rig/page-probes.js';
import { startRelayProcess, type RelayProcess } from '../../dev/rig/relay-process.js';
import { startSessionRig, startSessionRigOn, type SessionRig } from '../../dev/rig/session-rig.js';
import { setRootColour, startXvfb, type Xvfb } from '../../dev/rig/xvfb.js';

const W = 1280;
const H = 720;
const GRACE_MS = 4_000;

let xvfb: Xvfb;
let downloads: string;

const waitForPixel = (page: Page, colour: number, timeoutMs?: number) =>
  waitForColour(page, { x: 20, y: 20 }, colour, { width: W, height: H }, timeoutMs);

const banner = (page: Page) => page.getByTestId('connection-banner');
const condition = (page: Page) => banner(page).getAttribute('data-condition', { timeout: 1_000 });

before(async () => {
  downloads = await mkdtemp(path.join(os.tmpdir(), 'flxra-states-e2e-'));
  xvfb = await startXvfb({ width: W, height: H });
  setRootColour(xvfb, '#3366cc');
});

after(async () => {
  await xvfb?.close();
  await rm(downloads, { recursive: true, force: true });
});

/** An attended assistance on the rig's enrolled host, the user allowing control, the picture live. */
async function underControl(rig: SessionRig<RelayProcess>): Promise<void> {
  await rig.host.page.getByTestId('session-id').waitFor({ timeout: 10_000 });
  const response = await rig.relay.requestAssistance({ deviceId: rig.host.deviceId!, mode: 'attended' });
  const file = path.join(downloads, response.activation.fileName);
  await writeFile(file, response.activation.content);
  await rig.operator.controller.openFile(file);
  const op = rig.operator.page;
  await op.getByTestId('trust-relay').waitFor();
  await op.getByRole('button', { name: 'The fingerprints match: trust it' }).click();
  await rig.host.page.getByTestId('consent').waitFor();
  await rig.host.page.getByRole('button', { name: 'Allow control' }).click();
  await waitForPixel(op, 0x3366cc, 10_000);
  await op.getByText('You have control').waitFor();
}

test('the relay killed and not started again: "reconnecting…" with the time tried, then "relay unreachable"', async (t) => {
  const relay = await startRelayProcess();
  t.after(() => relay.close());
  const rig = await startSessionRigOn(xvfb.display, relay, { enrolled: true, operatorRelayGraceMs: GRACE_MS });
  t.after(() => rig.close());
  await underControl(rig);
  const op = rig.operator.page;
  assert.equal(await banner(op).count(), 0, 'nothing to say while all is well');

  const killed = performance.now();
  await relay.kill('SIGKILL');
  await banner(op)
    .getByText(/^Reconnecting to the relay… \(\d+ s\)/)
    .waitFor({ timeout: 5_000 });
  assert.equal(await condition(op), 'relay-reconnecting');
  // It counts how long it has tried, second by second.
  await banner(op)
    .getByText(/^Reconnecting to the relay… \([1-3] s\)/)
    .waitFor({ timeout: GRACE_MS });

  // After the grace: the true reason, naming the relay; the picture still comes peer to peer, and says so.
  await banner(op)
    .getByText(`The relay is unreachable: ${new URL(relay.url).origin} has not answered`)
    .waitFor({
      timeout: GRACE_MS + 3_000,
    });
  const unreachableMs = performance.now() - killed;
  assert.equal(await condition(op), 'relay-unreachable');
  assert.match(
    (await banner(op).textContent()) ?? '',
    /still trying\. The screen still comes directly from the device\./,
  );
  assert.ok(unreachableMs >= GRACE_MS - 200, `not before the grace (${unreachableMs.toFixed(0)} ms)`);
  setRootColour(xvfb, '#228844');
  await waitForPixel(op, 0x228844);
  assert.equal(await op.getByTestId('access-mode').textContent(), 'You have control', 'input still flows peer to peer');
  assert.equal(rig.operator.controller.state.status, 'active');
  console.log(`relay killed → "unreachable" after ${unreachableMs.toFixed(0)} ms (grace ${GRACE_MS} ms)`);
  setRootColour(xvfb, '#3366cc');
});

test('the host\'s capture stops: the viewer says "capture stopped on the device", not "You have control"', async (t) => {
  const rig = await startSessionRig(xvfb.display);
  t.after(() => rig.close());
  const { host, operator } = rig;
  const id = await host.page.getByTestId('session-id').textContent({ timeout: 10_000 });
  await operator.page.getByLabel('Session ID').fill(id!);
  await operator.page.getByRole('button', { name: 'Join' }).click();
  await host.page.getByRole('button', { name: 'Allow control' }).click();
  await waitForPixel(operator.page, 0x3366cc, 10_000);
  await operator.page.getByText('You have control').waitFor();
  assert.ok(await operator.page.locator('video.controlling').count(), 'the viewer forwards input');

  // The capture's video track ends, as the browser ends it when the user stops sharing.
  const stopped = performance.now();
  await host.page.evaluate(`(() => {
    for (const pc of window.__flxraPeerConnections)
      for (const s of pc.getSenders())
        if (s.track && s.track.kind === 'video') { s.track.stop(); s.track.dispatchEvent(new Event('ended')); }
  })()`);
  await banner(operator.page)
    .getByText(/^Capture stopped on the device/)
    .waitFor({ timeout: 5_000 });
  const toldMs = performance.now() - stopped;
  assert.equal(await condition(operator.page), 'capture-stopped');
  assert.match(
    (await operator.page.getByTestId('access-mode').textContent()) ?? '',
    /^Nothing arrives from the device: you cannot see or control it now$/,
  );
  assert.equal(await operator.page.locator('video.controlling').count(), 0, 'no input is forwarded any more');
  await host.page.getByTestId('capture-stopped').waitFor();
  // The session itself goes on: the user shares again, and the viewer is live again.
  assert.equal(operator.controller.state.status, 'active');
  await host.page.getByRole('button', { name: 'Share my screen again' }).click();
  await banner(operator.page).waitFor({ state: 'detached', timeout: 10_000 });
  setRootColour(xvfb, '#228844');
  await waitForPixel(operator.page, 0x228844, 10_000);
  await operator.page.getByText('You have control').waitFor();
  setRootColour(xvfb, '#3366cc');
  // The user can still end it, and the operator is told.
  await host.page.getByRole('button', { name: 'End session' }).click();
  await operator.page.getByText('The user ended the session.').waitFor();
  console.log(`capture stopped → operator told in ${toldMs.toFixed(0)} ms`);
});

test('the relay lost while the user is asked: the waiting screen says "reconnecting…", then "unreachable"', async (t) => {
  const relay = await startRelayProcess();
  t.after(() => relay.close());
  const rig = await startSessionRigOn(xvfb.display, relay, { enrolled: true, operatorRelayGraceMs: GRACE_MS });
  t.after(() => rig.close());
  await rig.host.page.getByTestId('session-id').waitFor({ timeout: 10_000 });
  const response = await rig.relay.requestAssistance({ deviceId: rig.host.deviceId!, mode: 'attended' });
  const file = path.join(downloads, response.activation.fileName);
  await writeFile(file, response.activation.content);
  await rig.operator.controller.openFile(file);
  const op = rig.operator.page;
  await op.getByRole('button', { name: 'The fingerprints match: trust it' }).click();
  await rig.host.page.getByTestId('consent').waitFor();
  const waiting = op.getByTestId('waiting');
  await waiting.waitFor();
  assert.equal(await banner(op).count(), 0, 'nothing to say while the relay is there');

  await relay.kill('SIGKILL');
  await waiting
    .getByTestId('connection-banner')
    .getByText(/^Reconnecting to the relay… \(\d+ s\)$/)
    .waitFor({ timeout: 5_000 });
  await waiting
    .getByTestId('connection-banner')
    .getByText(`The relay is unreachable: ${new URL(relay.url).origin} has not answered`)
    .waitFor({ timeout: GRACE_MS + 3_000 });
  assert.equal(await condition(op), 'relay-unreachable');
  assert.equal(rig.operator.controller.state.status, 'waiting', 'still waiting: nothing ended that did not');
});
