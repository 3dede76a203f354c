/**
 * A clean end for the user, on the Xvfb rig with a real relay, real WebRTC and the host page in
 * Chromium: after each way a session ends (End on the device, the operator leaving, Deny, no
 * answer, expiry, Decline on the request notice) the host window says why, that nothing is
 * shared any more and that it can be closed, offers no session ID, and closes itself once its
 * timer (injected: the test fires it) runs out. Decline on the request notice ends the
 * assistance and the operator opening its file is told the user declined.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { CLOSE_AFTER_MS } from '../../src/main/host/window-close.js';
import type { AssistanceResponse } from '../../src/shared/relay-api.js';
import { LIVE_TRACKS, waitForColour, waitForExpression } from '../../dev/rig/page-probes.js';
import { enterShownId } from '../../dev/rig/join-by-id.js';
import { startSessionRig, type SessionRig } from '../../dev/rig/session-rig.js';
import { setRootColour, startXvfb, type Xvfb } from '../../dev/rig/xvfb.js';
import { until } from '../../dev/rig/until.js';

const W = 1280;
const H = 720;
const NOTHING_SHARED = 'Nothing is shared any more; you can close this window.';

let xvfb: Xvfb;
let downloads: string;

before(async () => {
  downloads = await mkdtemp(path.join(os.tmpdir(), 'flxra-host-end-e2e-'));
  xvfb = await startXvfb({ width: W, height: H });
  setRootColour(xvfb, '#3366cc');
});

after(async () => {
  await xvfb?.close();
  await rm(downloads, { recursive: true, force: true });
});

async function download(response: AssistanceResponse): Promise<string> {
  const file = path.join(downloads, response.activation.fileName);
  await writeFile(file, response.activation.content);
  return file;
}

async function joinById(rig: SessionRig): Promise<void> {
  await enterShownId(rig);
  await rig.host.page.getByTestId('consent').waitFor();
}

async function allowedAndLive(rig: SessionRig): Promise<void> {
  await rig.host.page.getByRole('button', { name: 'Allow control' }).click();
  await waitForColour(rig.operator.page, { x: 20, y: 20 }, 0x3366cc, { width: W, height: H }, 10_000);
}

/**
 * The last screen: why it ended, nothing shared, no session ID; the window still open until its
 * timer runs out, then closed, and the close recorded.
 */
async function assertCleanEnd(rig: SessionRig, why: string | RegExp): Promise<void> {
  const page: Page = rig.host.page;
  const over = page.getByTestId('host-over');
  await over.waitFor({ timeout: 10_000 });
  await over.getByText(why).waitFor();
  assert.equal(await page.getByTestId('nothing-shared').textContent(), NOTHING_SHARED);
  assert.equal(await page.getByTestId('session-id').count(), 0, 'no session ID is offered');
  assert.equal(await page.evaluate(LIVE_TRACKS), 0, 'nothing is captured');
  await until('the window set to close itself', () => rig.host.closeTimer.pending() !== null);
  assert.equal(rig.host.closeTimer.pending(), CLOSE_AFTER_MS);
  assert.equal(rig.host.windowClosed(), false, 'open while the last screen shows');
  rig.host.closeTimer.fire();
  assert.equal(rig.host.windowClosed(), true);
  await until('the host page closed', () => page.isClosed());
}

test('end by the user on the device: the last screen, then the window closes itself', async (t) => {
  const rig = await startSessionRig(xvfb.display);
  t.after(() => rig.close());
  await joinById(rig);
  await allowedAndLive(rig);
  // The indicator's End session stands out: white on the red bar, larger and bold.
  const end = rig.host.page.getByRole('button', { name: 'End session' });
  const style = await end.evaluate((b) => {
    const s = getComputedStyle(b);
    return { background: s.backgroundColor, weight: s.fontWeight, height: b.getBoundingClientRect().height };
  });
  assert.equal(style.background, 'rgb(255, 255, 255)');
  assert.ok(Number(style.weight) >= 700 && style.height >= 32, JSON.stringify(style));
  await end.click();
  await rig.operator.page.getByText('The user ended the session.').waitFor();
  await assertCleanEnd(rig, 'You ended the session.');
});

test('end by the operator: the user reads who ended it, then the window closes itself', async (t) => {
  const rig = await startSessionRig(xvfb.display);
  t.after(() => rig.close());
  await joinById(rig);
  await allowedAndLive(rig);
  await rig.operator.page.getByRole('button', { name: 'Leave session' }).click();
  await assertCleanEnd(rig, `${rig.relay.operatorIdentity.name} ended the session.`);
});

test('deny: the last screen, no session ID offered again', async (t) => {
  const rig = await startSessionRig(xvfb.display);
  t.after(() => rig.close());
  await joinById(rig);
  await rig.host.page.getByRole('button', { name: 'Deny' }).click();
  await rig.operator.page.getByText('The user declined your request.').waitFor();
  await assertCleanEnd(rig, 'You declined the request.');
});

test('no answer in time: declined by itself, the last screen', async (t) => {
  // Shorter than the default minute: each side says the real wait, or none, never "60 seconds".
  const rig = await startSessionRig(xvfb.display, { consentTimeoutMs: 2_000 });
  t.after(() => rig.close());
  await joinById(rig);
  await rig.operator.page.getByText('The user did not answer in time, so the request was declined.').waitFor({
    timeout: 5_000,
  });
  await assertCleanEnd(rig, 'Nobody answered within 2 seconds, so the request was declined.');
});

test('expiry: the assistance is over for good, the last screen', async (t) => {
  const rig = await startSessionRig(xvfb.display, { enrolled: true });
  t.after(() => rig.close());
  await rig.host.page.getByTestId('session-id').waitFor({ timeout: 10_000 });
  const response = await rig.relay.requestAssistance({ deviceId: rig.host.deviceId!, mode: 'attended' });
  await rig.host.page.getByTestId('host-requested').waitFor();
  assert.equal(await rig.host.page.getByTestId('session-id').count(), 0, 'the notice offers no session ID');
  // Nobody came in: a day later the relay expires it.
  rig.relay.clock.advance(24 * 60 * 60_000);
  await rig.relay.handle.sweep();
  await assertCleanEnd(rig, 'The remote assistance is over.');
  assert.ok(rig.host.states.some((s) => s.status === 'deactivated' && s.sessionId === response.sessionId));
});

test('Decline on the request notice: the assistance ends, the user reads the last screen, the operator is told', async (t) => {
  const rig = await startSessionRig(xvfb.display, { enrolled: true });
  t.after(() => rig.close());
  await rig.host.page.getByTestId('session-id').waitFor({ timeout: 10_000 });
  const response = await rig.relay.requestAssistance({ deviceId: rig.host.deviceId!, mode: 'attended' });
  const notice = rig.host.page.getByTestId('host-requested');
  await notice.getByText(`Remote assistance was requested by ${rig.relay.operatorIdentity.name}`).waitFor();
  await notice.getByRole('button', { name: 'Decline' }).click();
  await until('the relay ended it as declined', () =>
    rig.relay.logs.some(
      (e) =>
        e.msg === 'assistance ended' &&
        e.fields.session === response.sessionId &&
        e.fields.reason === 'request-declined',
    ),
  );
  // The operator opens the file afterwards: told the user declined, not that its time ran out.
  await rig.operator.controller.openFile(await download(response));
  await rig.operator.page.getByTestId('trust-relay').waitFor();
  await rig.operator.page.getByRole('button', { name: 'The fingerprints match: trust it' }).click();
  await rig.operator.page.getByText('The user declined the assistance when they were told of the request').waitFor();
  assert.equal(await rig.operator.page.getByText('its time ran out').count(), 0);
  await assertCleanEnd(rig, `You declined the remote assistance; ${rig.relay.operatorIdentity.name} was told.`);
});

test('a new request before the window closed keeps it open', async (t) => {
  const rig = await startSessionRig(xvfb.display);
  t.after(() => rig.close());
  const id = await rig.host.page.getByTestId('session-id').textContent({ timeout: 10_000 });
  await joinById(rig);
  await rig.host.page.getByRole('button', { name: 'Deny' }).click();
  await rig.host.page.getByTestId('host-over').waitFor();
  await until('set to close', () => rig.host.closeTimer.pending() !== null);
  // The same operator asks again, by the same ID, before the window closed: the countdown stops.
  await rig.operator.page.getByLabel('Session ID').fill(id!);
  await rig.operator.page.getByRole('button', { name: 'Join' }).click();
  await rig.host.page.getByTestId('consent').waitFor();
  assert.equal(rig.host.closeTimer.pending(), null);
  await waitForExpression(rig.host.page, `${LIVE_TRACKS} === 0`);
  assert.equal(rig.host.windowClosed(), false);
});
