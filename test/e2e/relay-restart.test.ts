/**
 * The relay process killed (SIGKILL) in the middle of an assistance and started again on the same
 * data folder and address, as a service manager restarts it, on the Xvfb rig: the picture keeps
 * changing on the operator's video through the outage (WebRTC never passes through the relay),
 * input too; both sides reconnect by themselves, and after the restart input still lands and
 * End session still ends it on both sides. Nothing is asked again. The time from the restart
 * to both sides being back is printed, not asserted.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { clientPointExpression, waitForColour } from '../../dev/rig/page-probes.js';
import { startRelayProcess, type RelayProcess } from '../../dev/rig/relay-process.js';
import { startSessionRigOn, type SessionRig } from '../../dev/rig/session-rig.js';
import { startTargetWindow } from '../../dev/rig/target-window.js';
import { TARGET_COLOURS } from '../../dev/rig/x-target.js';
import { setRootColour, startXvfb, type Xvfb } from '../../dev/rig/xvfb.js';
import { until } from '../../dev/rig/until.js';

const W = 1280;
const H = 720;
const TARGET = { x: 700, y: 300, width: 300, height: 200 };

let xvfb: Xvfb;
let target: ChildProcess;
let downloads: string;

const waitForPixel = (page: Page, x: number, y: number, colour: number, timeoutMs?: number) =>
  waitForColour(page, { x, y }, colour, { width: W, height: H }, timeoutMs);

async function click(page: Page, x: number, y: number) {
  const p = await page.evaluate<{ x: number; y: number }>(clientPointExpression(x, y, W, H));
  await page.mouse.click(p.x, p.y);
}

before(async () => {
  downloads = await mkdtemp(path.join(os.tmpdir(), 'flxra-restart-e2e-'));
  xvfb = await startXvfb({ width: W, height: H });
  setRootColour(xvfb, '#3366cc');
  target = await startTargetWindow(xvfb, TARGET);
});

after(async () => {
  target?.kill();
  await xvfb?.close();
  await rm(downloads, { recursive: true, force: true });
});

test('the relay killed mid-session and restarted: the picture flows through the outage, then input and End still work', async (t) => {
  const relay: RelayProcess = await startRelayProcess();
  t.after(() => relay.close());
  const rig: SessionRig<RelayProcess> = await startSessionRigOn(xvfb.display, relay, { enrolled: true });
  t.after(() => rig.close());
  await rig.host.page.getByTestId('session-id').waitFor({ timeout: 10_000 });

  // An attended assistance, the user allows control, the operator sees the screen.
  const response = await relay.requestAssistance({ deviceId: rig.host.deviceId!, mode: 'attended' });
  const file = path.join(downloads, response.activation.fileName);
  await writeFile(file, response.activation.content);
  await rig.operator.controller.openFile(file);
  const op = rig.operator.page;
  await op.getByTestId('trust-relay').waitFor();
  await op.getByRole('button', { name: 'The fingerprints match: trust it' }).click();
  await rig.host.page.getByTestId('consent').waitFor();
  await rig.host.page.getByRole('button', { name: 'Allow control' }).click();
  await waitForPixel(op, 20, 20, 0x3366cc, 10_000);
  const consents = () => rig.host.states.filter((s) => s.status === 'consent').length;
  const consentsBefore = consents();

  // Killed outright: no goodbye to anyone.
  await relay.kill('SIGKILL');
  await rig.host.page.getByTestId('host-reconnecting').waitFor({ timeout: 10_000 });
  // The picture and input flow on meanwhile, peer to peer.
  setRootColour(xvfb, '#228844');
  await waitForPixel(op, 20, 20, 0x228844);
  await click(op, TARGET.x + 150, TARGET.y + 100);
  await waitForPixel(op, TARGET.x + 20, TARGET.y + 20, TARGET_COLOURS.clicked);

  // Started again on the same data folder and address: both sides come back by themselves.
  const restarted = performance.now();
  await relay.start();
  await rig.host.page.getByTestId('host-reconnecting').waitFor({ state: 'detached', timeout: 20_000 });
  await until(
    'the operator is back in the session',
    () => relay.lines.some((l) => l.includes('"assistance resumed"')),
    {
      timeoutMs: 20_000,
    },
  );
  const backMs = performance.now() - restarted;
  assert.equal(rig.operator.controller.state.status, 'active');
  assert.equal(rig.host.session.state.status, 'active');
  // The viewer said it was reconnecting meanwhile, and says nothing once back.
  assert.ok(rig.operator.states.some((s) => s.status === 'active' && s.relayLost && !s.relayLost.unreachable));
  await op.getByTestId('connection-banner').waitFor({ state: 'detached', timeout: 5_000 });

  // After the restart the picture is live, input lands (a key paints the target), nothing was asked again.
  setRootColour(xvfb, '#aa3377');
  await waitForPixel(op, 20, 20, 0xaa3377, 10_000);
  const liveMs = performance.now() - restarted;
  await click(op, TARGET.x + 150, TARGET.y + 100);
  await op.keyboard.press('KeyR');
  await waitForPixel(op, TARGET.x + 20, TARGET.y + 20, TARGET_COLOURS.r);
  assert.equal(consents(), consentsBefore, 'the user was not asked again');
  console.log(
    `relay restart: both sides back ${backMs.toFixed(0)} ms after it started again; live video at ${liveMs.toFixed(0)} ms`,
  );
  setRootColour(xvfb, '#3366cc');

  // End session still ends it on both sides.
  await rig.host.page.getByRole('button', { name: 'End session' }).click();
  await op.getByText('The user ended the session.').waitFor({ timeout: 10_000 });
});
