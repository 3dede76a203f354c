/**
 * Assistances joined through their `.flxra` files, end to end on the Xvfb rig: the relay
 * issues the file, the operator app's file-open handler takes it, the operator trusts the
 * relay's key, types the password (unattended), and the pixels prove the session.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { AssistanceResponse } from '../../src/shared/relay-api.js';
import { DEFAULT_POLICY } from '../../src/shared/policy.js';
import { firstAdmin } from '../fixtures/console.js';
import { saveActivation, trustRelayKey } from '../../dev/rig/operator-activation.js';
import { startSessionRig, type SessionRig } from '../../dev/rig/session-rig.js';
import { startTargetWindow } from '../../dev/rig/target-window.js';
import { TARGET_COLOURS } from '../../dev/rig/x-target.js';
import { setRootColour, startXvfb, type Xvfb } from '../../dev/rig/xvfb.js';
import { clientPointExpression, waitForColour, waitForExpression } from '../../dev/rig/page-probes.js';

const W = 1280;
const H = 720;
const TARGET = { x: 700, y: 300, width: 300, height: 200 };

let xvfb: Xvfb;
let target: ChildProcess;
let downloads: string;

const waitForPixel = (page: Page, x: number, y: number, colour: number, timeoutMs?: number) =>
  waitForColour(page, { x, y }, colour, { width: W, height: H }, timeoutMs);

const download = (response: AssistanceResponse) => saveActivation(response, downloads);

const trustRelay = (rig: SessionRig) => trustRelayKey(rig.operator, rig.relay.url);

async function waitForDeviceHost(rig: SessionRig) {
  await rig.host.page.getByTestId('session-id').waitFor({ timeout: 10_000 });
}

/**
 * Records whether the host page asks the system for sound each time it captures the screen.
 * `systemSound`: stands in for the system's sound loopback (which Chromium on Linux lacks) with
 * a tone, added to the capture when sound is asked for.
 */
async function recordCaptureRequests(page: Page, systemSound = false): Promise<() => Promise<boolean[]>> {
  await page.evaluate((systemSound) => {
    const devices = navigator.mediaDevices;
    const original = devices.getDisplayMedia.bind(devices);
    const asked: boolean[] = [];
    Object.assign(window, { flxraAskedForSound: asked });
    devices.getDisplayMedia = async (constraints) => {
      asked.push(constraints?.audio === true);
      const capture = await original(constraints);
      if (systemSound && constraints?.audio === true) {
        const context = new AudioContext();
        const tone = context.createOscillator();
        const loopback = context.createMediaStreamDestination();
        tone.connect(loopback);
        tone.start();
        capture.addTrack(loopback.stream.getAudioTracks()[0]!);
      }
      return capture;
    };
  }, systemSound);
  return () => page.evaluate(() => (window as unknown as { flxraAskedForSound: boolean[] }).flxraAskedForSound);
}

before(async () => {
  xvfb = await startXvfb({ width: W, height: H });
  setRootColour(xvfb, '#3366cc');
  target = await startTargetWindow(xvfb, TARGET);
  downloads = await mkdtemp(path.join(os.tmpdir(), 'flxra-downloads-'));
});

after(async () => {
  target?.kill();
  await xvfb?.close();
  await rm(downloads, { recursive: true, force: true });
});

test('unattended: the file, the password, no consent, a banner, the pixels; resume after a drop; the file deleted', async (t) => {
  const rig = await startSessionRig(xvfb.display, { enrolled: true });
  t.after(() => rig.close());
  await waitForDeviceHost(rig);
  const response = await rig.relay.requestAssistance({ deviceId: rig.host.deviceId!, mode: 'unattended' });
  assert.ok(response.password, 'an unattended assistance comes with a password');
  assert.doesNotMatch(
    response.activation.content,
    new RegExp(response.password.replace(/-/g, '-?')),
    'the password is not in the file',
  );
  const file = await download(response);

  await rig.operator.controller.openFile(file);
  await trustRelay(rig);

  const op = rig.operator.page;
  await op.getByTestId('password-prompt').waitFor();
  // The file names its device, checked by the relay as still unused before the password is asked.
  assert.match((await op.getByTestId('unattended-bar').textContent()) ?? '', /test-desktop/);
  await op.getByLabel('One-time password').fill('wrong-wrong-wrong');
  await op.getByRole('button', { name: 'Connect' }).click();
  await op.getByText(/Wrong password\. 4 attempts left/).waitFor();
  rig.relay.clock.advance(60_000); // past the growing delay after a failure
  await op.getByLabel('One-time password').fill(response.password);
  await op.getByRole('button', { name: 'Connect' }).click();

  await waitForPixel(op, 20, 20, 0x3366cc, 10_000);
  assert.match((await op.getByTestId('session-bar').textContent()) ?? '', /^test-desktop — session/);
  await rig.host.page.getByTestId('unattended-banner').waitFor();
  assert.match(
    (await rig.host.page.getByTestId('unattended-banner').textContent()) ?? '',
    /under remote control by Ada Lovelace/,
  );
  assert.ok(!rig.host.states.some((s) => s.status === 'consent'), 'no consent window in unattended mode');

  const click = await op.evaluate<{ x: number; y: number }>(
    clientPointExpression(TARGET.x + 150, TARGET.y + 100, W, H),
  );
  await op.mouse.click(click.x, click.y);
  await waitForPixel(op, TARGET.x + 20, TARGET.y + 20, TARGET_COLOURS.clicked);

  // A network drop: the app reconnects with its resume token: no password, no consent, and a
  // fresh peer brings the picture back.
  rig.operator.controller.dropConnection();
  // The relay readmits the operator with its token and the host starts a fresh peer.
  await waitForExpression(op, 'window.__flxraPeerConnections.length >= 2', 15_000);
  assert.ok(
    rig.relay.logs.some((e) => e.fields.event === 'session:resume'),
    'the app resumed with its token',
  );
  setRootColour(xvfb, '#228844');
  await waitForPixel(op, 20, 20, 0x228844, 15_000);
  assert.ok(!rig.host.states.some((s) => s.status === 'consent'));
  assert.equal(rig.operator.controller.state.status, 'active');
  setRootColour(xvfb, '#3366cc');

  await op.getByRole('button', { name: 'Leave session' }).click();
  await rig.host.page
    .getByText(/Ada Lovelace ended the session/)
    .waitFor({ timeout: 5_000 })
    .catch((err: Error) => {
      throw new Error(
        `${err.message}\nhost states: ${JSON.stringify(rig.host.states.slice(-4))}\noperator: ${JSON.stringify(rig.operator.controller.state)}\nrelay: ${JSON.stringify(rig.relay.logs.slice(-8))}`,
      );
    });
  for (let i = 0; i < 50 && existsSync(file); i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(existsSync(file), false, 'the .flxra file is deleted when its session ends');

  // The same file again (a copy the operator kept) is refused: nothing is reusable, and the
  // relay says so before any password is asked for.
  const copy = await download(response);
  const shownBefore = rig.operator.states.length;
  await rig.operator.controller.openFile(copy);
  await op.getByText('This activation file has already been used.', { exact: false }).waitFor();
  assert.ok(
    !rig.operator.states.slice(shownBefore).some((s) => s.status === 'password'),
    'no password asked for a used file',
  );
});

test('attended through its .flxra: the user is asked, then the operator sees the screen', async (t) => {
  const rig = await startSessionRig(xvfb.display, { enrolled: true });
  t.after(() => rig.close());
  await waitForDeviceHost(rig);
  const response = await rig.relay.requestAssistance({ deviceId: rig.host.deviceId!, mode: 'attended' });
  assert.equal(response.password, undefined, 'attended assistances have no password');
  const file = await download(response);
  await rig.operator.controller.openFile(file);
  await trustRelay(rig);
  await rig.operator.page.getByText("Waiting for the user's consent").waitFor();
  await rig.host.page.getByTestId('consent').waitFor();
  assert.match(
    (await rig.host.page.getByTestId('consent').textContent()) ?? '',
    /wants to view and control your screen\./,
  );
  const askedForSound = await recordCaptureRequests(rig.host.page);
  await rig.host.page.getByRole('button', { name: 'Allow control' }).click();
  await waitForPixel(rig.operator.page, 20, 20, 0x3366cc, 10_000);
  assert.deepEqual(await askedForSound(), [false], 'audio redirection is off by default');
  assert.equal(await rig.host.page.getByTestId('sound-shared').count(), 0);
  await rig.host.page.getByRole('button', { name: 'End session' }).click();
  await rig.operator.page.getByText('The user ended the session.').waitFor();
  for (let i = 0; i < 50 && existsSync(file); i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(existsSync(file), false);
});

test('audio redirection allowed by the policy: the user is told, the host asks for sound, and says when the system has none to share', async (t) => {
  const rig = await startSessionRig(xvfb.display, { enrolled: true });
  t.after(() => rig.close());
  await waitForDeviceHost(rig);
  const admin = await firstAdmin(rig.relay);
  const policy = await admin.call('PUT', '/policy', {
    product: { ...DEFAULT_POLICY, audioRedirection: true },
    groups: {},
  });
  assert.equal(policy.status, 200, policy.text);

  const response = await rig.relay.requestAssistance({ deviceId: rig.host.deviceId!, mode: 'attended' });
  await rig.operator.controller.openFile(await download(response));
  await trustRelay(rig);
  const consent = rig.host.page.getByTestId('consent');
  await consent.waitFor();
  assert.match(
    (await consent.textContent()) ?? '',
    /wants to view and control your screen and hear your computer’s sound\./,
  );
  const askedForSound = await recordCaptureRequests(rig.host.page);
  await rig.host.page.getByRole('button', { name: 'Allow control' }).click();
  await waitForPixel(rig.operator.page, 20, 20, 0x3366cc, 10_000);
  assert.deepEqual(await askedForSound(), [true]);
  // Chromium on Linux captures no system sound with the screen: the user is told, the picture flows.
  assert.equal(
    await rig.host.page.getByTestId('sound-shared').textContent(),
    'Sound cannot be shared from this computer.',
  );
  assert.equal(
    await rig.operator.page.getByTestId('sound-on').count(),
    0,
    'the operator is not told of sound that does not come',
  );
});

test('audio redirection where the system has sound: the user is told it is shared, the operator gets it with the picture', async (t) => {
  const rig = await startSessionRig(xvfb.display, { enrolled: true });
  t.after(() => rig.close());
  await waitForDeviceHost(rig);
  const admin = await firstAdmin(rig.relay);
  assert.equal(
    (await admin.call('PUT', '/policy', { product: { ...DEFAULT_POLICY, audioRedirection: true }, groups: {} })).status,
    200,
  );
  const response = await rig.relay.requestAssistance({ deviceId: rig.host.deviceId!, mode: 'unattended' });
  const askedForSound = await recordCaptureRequests(rig.host.page, true);
  await rig.operator.controller.openFile(await download(response));
  await trustRelay(rig);
  await rig.operator.page.getByLabel('One-time password').fill(response.password!);
  await rig.operator.page.getByRole('button', { name: 'Connect' }).click();
  await waitForPixel(rig.operator.page, 20, 20, 0x3366cc, 10_000);
  assert.deepEqual(await askedForSound(), [true]);
  assert.equal(await rig.host.page.getByTestId('sound-shared').textContent(), 'Your computer’s sound is shared.');
  await rig.operator.page.getByTestId('sound-on').waitFor();
  const tracks = await rig.operator.page.evaluate(() => {
    const video = document.querySelector('video')!;
    return {
      kinds: (video.srcObject as MediaStream)
        .getTracks()
        .map((t) => t.kind)
        .sort(),
      muted: video.muted,
    };
  });
  assert.deepEqual(tracks.kinds, ['audio', 'video']);
  assert.equal(tracks.muted, false, 'the operator hears it');
});

test('dynamic with a user active at the console becomes attended, and says why', async (t) => {
  const rig = await startSessionRig(xvfb.display, {
    enrolled: true,
    userSessions: [{ id: '2', user: 'alice', state: 'active', kind: 'console', display: xvfb.display }],
  });
  t.after(() => rig.close());
  await waitForDeviceHost(rig);
  await new Promise((r) => setTimeout(r, 200)); // the device's first user-session report
  const response = await rig.relay.requestAssistance({ deviceId: rig.host.deviceId!, mode: 'dynamic' });
  assert.equal(response.mode, 'attended');
  assert.match(response.modeReason, /alice/);
  await rig.operator.controller.openFile(await download(response));
  await trustRelay(rig);
  await rig.host.page.getByTestId('consent').waitFor();
});

test("the device's relay connection drops mid-session: it comes back, the picture stays live, input still lands, no consent again", async (t) => {
  const rig = await startSessionRig(xvfb.display, { enrolled: true });
  t.after(() => rig.close());
  await waitForDeviceHost(rig);
  const response = await rig.relay.requestAssistance({ deviceId: rig.host.deviceId!, mode: 'attended' });
  await rig.operator.controller.openFile(await download(response));
  await trustRelay(rig);
  await rig.host.page.getByTestId('consent').waitFor();
  await rig.host.page.getByRole('button', { name: 'Allow control' }).click();
  const op = rig.operator.page;
  await waitForPixel(op, 20, 20, 0x3366cc, 10_000);
  const consents = () => rig.host.states.filter((s) => s.status === 'consent').length;
  const consentsBefore = consents();

  // The host's relay connection drops (as a network failure would); it reconnects by itself.
  const dropped = performance.now();
  rig.host.session.dropConnection();
  await rig.host.page.getByTestId('host-reconnecting').waitFor({ timeout: 5_000 });
  // Back: the relay has the host in the same session again, and the operator's banner goes.
  await rig.host.page.getByTestId('host-reconnecting').waitFor({ state: 'detached', timeout: 10_000 });
  await op.getByTestId('device-away').waitFor({ state: 'detached', timeout: 10_000 });
  assert.ok(
    rig.operator.states.some((s) => s.status === 'active' && s.deviceAway === true),
    'the operator was told the device was reconnecting',
  );
  const backMs = performance.now() - dropped;
  assert.ok(
    rig.operator.controller.state.status === 'active' && rig.host.session.state.status === 'active',
    'both sides are still in the session',
  );

  // The picture is live (the peer never went through the relay) and input still lands.
  const restored = performance.now();
  setRootColour(xvfb, '#228844');
  await waitForPixel(op, 20, 20, 0x228844, 10_000);
  const liveMs = performance.now() - restored;
  const click = await op.evaluate<{ x: number; y: number }>(
    clientPointExpression(TARGET.x + 150, TARGET.y + 100, W, H),
  );
  await op.mouse.click(click.x, click.y);
  await waitForPixel(op, TARGET.x + 20, TARGET.y + 20, TARGET_COLOURS.clicked);
  assert.equal(consents(), consentsBefore, 'the user was not asked again');
  assert.ok(
    rig.relay.logs.some((e) => e.msg === 'assistance host away'),
    'the relay saw the host go away',
  );
  assert.ok(
    rig.relay.logs.some((e) => e.msg === 'host reconnected'),
    'the host came back with its resume token',
  );
  console.log(`host drop: back in the session after ${backMs.toFixed(0)} ms; live video ${liveMs.toFixed(0)} ms later`);
  setRootColour(xvfb, '#3366cc');

  // And the user's End session still ends it on both sides.
  await rig.host.page.getByRole('button', { name: 'End session' }).click();
  await op.getByText('The user ended the session.').waitFor();
});
