/**
 * The verification words end to end on the Xvfb rig, where the device's configuration requires
 * them: on a direct connection the user and the operator see the same four words, the operator
 * has the screen at once but control only after the user confirms them; through a relay in the
 * middle (dev/rig/mitm-relay.ts: a real third peer holding one connection to each side and
 * forwarding the screen and the data channel) the words differ and control is refused. Every
 * check of what the operator can do is made on the operator's pixels.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { VerificationPolicy } from '../../src/shared/verification-policy.js';
import { launchChromium } from '../../dev/chromium-host/renderer-harness.js';
import { startMitmRelay } from '../../dev/rig/mitm-relay.js';
import { clientPointExpression, pixelExpression, waitForColour } from '../../dev/rig/page-probes.js';
import { startTestRelay } from '../../dev/rig/relay.js';
import { startSessionRig, startSessionRigOn, type RigRelay, type SessionRig } from '../../dev/rig/session-rig.js';
import { startTargetWindow } from '../../dev/rig/target-window.js';
import { TARGET_COLOURS } from '../../dev/rig/x-target.js';
import { setRootColour, startXvfb, type Xvfb } from '../../dev/rig/xvfb.js';

const W = 1280;
const H = 720;
const BACKGROUND = 0x3366cc;
const TARGET = { x: 500, y: 260, width: 300, height: 200 };
const TARGET_CENTRE = { x: TARGET.x + TARGET.width / 2, y: TARGET.y + TARGET.height / 2 };
const TARGET_SAMPLE = { x: TARGET.x + 30, y: TARGET.y + 30 };
const REQUIRED: VerificationPolicy = { required: true, unattended: 'view' };

let xvfb: Xvfb;

const waitForPixel = (page: Page, at: { x: number; y: number }, colour: number, timeoutMs?: number) =>
  waitForColour(page, at, colour, { width: W, height: H }, timeoutMs);

/** The operator joins by the ID the host shows; the user allows control (which waits for the words). */
async function joinAndAllowControl<R extends RigRelay>(rig: SessionRig<R>) {
  const id = await rig.host.page.getByTestId('session-id').textContent({ timeout: 10_000 });
  await rig.operator.page.getByLabel('Session ID').fill(id!);
  await rig.operator.page.getByRole('button', { name: 'Join' }).click();
  await rig.host.page.getByTestId('consent-words').waitFor();
  await rig.host.page.getByRole('button', { name: 'Allow control' }).click();
}

/** The words each side shows, once both have them. */
async function shownWords<R extends RigRelay>(rig: SessionRig<R>) {
  const host = await rig.host.page.getByTestId('host-words').textContent({ timeout: 5_000 });
  const operator = await rig.operator.page.getByTestId('operator-words').locator('strong').textContent();
  assert.match(host ?? '', /^[a-z]+ [a-z]+ [a-z]+ [a-z]+$/);
  assert.match(operator ?? '', /^[a-z]+ [a-z]+ [a-z]+ [a-z]+$/);
  return { host: host!, operator: operator! };
}

/** Clicks the target through the operator's viewer and gives the device time to react, were input let through. */
async function clickTargetFromOperator(page: Page) {
  const p = await page.evaluate<{ x: number; y: number }>(
    clientPointExpression(TARGET_CENTRE.x, TARGET_CENTRE.y, W, H),
  );
  await page.mouse.click(p.x, p.y);
  await page.keyboard.press('g');
}

async function assertTargetUntouched(page: Page, why: string) {
  await new Promise((r) => setTimeout(r, 700));
  const pixel = await page.evaluate<number[] | null>(pixelExpression(TARGET_SAMPLE.x, TARGET_SAMPLE.y, W, H));
  const idle = [(TARGET_COLOURS.idle >> 16) & 255, (TARGET_COLOURS.idle >> 8) & 255, TARGET_COLOURS.idle & 255];
  assert.ok(pixel && idle.every((v, i) => Math.abs(v - pixel[i]!) <= 40), `${why} (pixel ${JSON.stringify(pixel)})`);
}

/** A fresh target window for each test: it keeps the colour of the last input it had. */
async function freshTarget(t: { after(fn: () => unknown): void }) {
  const target: ChildProcess = await startTargetWindow(xvfb, TARGET);
  t.after(() => target.kill());
}

before(async () => {
  xvfb = await startXvfb({ width: W, height: H });
  setRootColour(xvfb, '#3366cc');
});

after(async () => {
  await xvfb?.close();
});

test('words required, direct: the same words on both sides; the screen at once, control once the user confirms', async (t) => {
  await freshTarget(t);
  const rig = await startSessionRig(xvfb.display, { verification: REQUIRED });
  t.after(() => rig.close());
  const { host, operator } = rig;
  await joinAndAllowControl(rig);

  // The operator sees the screen straight away, view only, while the words are compared.
  await waitForPixel(operator.page, { x: 20, y: 20 }, BACKGROUND, 10_000);
  await waitForPixel(operator.page, TARGET_SAMPLE, TARGET_COLOURS.idle);
  const words = await shownWords(rig);
  assert.equal(words.host, words.operator, 'one connection, the same words on both sides');
  await operator.page.getByText('View only').waitFor();
  await host.page.getByTestId('words-check').waitFor();
  await clickTargetFromOperator(operator.page);
  await assertTargetUntouched(operator.page, 'no control before the user confirmed the words');

  // The operator reads them out; they are the user's: control.
  await host.page.getByRole('button', { name: 'They read these words: give control' }).click();
  await operator.page.getByText('You have control').waitFor();
  await clickTargetFromOperator(operator.page);
  await waitForPixel(operator.page, TARGET_SAMPLE, TARGET_COLOURS.g);
  await host.page.getByTestId('words-shown').getByText('(confirmed)').waitFor();
  await host.page.getByRole('button', { name: 'End session' }).click();
  await operator.page.getByText('The user ended the session.').waitFor();
});

test('words required, through a relay in the middle: the words differ and control is refused', async (t) => {
  await freshTarget(t);
  const upstream = await startTestRelay();
  t.after(() => upstream.close());
  const middleBrowser = await launchChromium();
  t.after(() => middleBrowser.close());
  const middle = await startMitmRelay(upstream, middleBrowser);
  t.after(() => middle.close());
  const rig = await startSessionRigOn(xvfb.display, middle.relay, { verification: REQUIRED });
  t.after(() => rig.close());
  const { host, operator } = rig;
  await joinAndAllowControl(rig);

  // The middle works: the operator sees the device's screen, carried through its peers. Its peer to
  // the operator comes up after the host's to it, on a still screen that sends frames only when
  // asked (a key-frame request, read every 2 s) or as repairs: the first takes a few seconds more.
  await waitForPixel(operator.page, { x: 20, y: 20 }, BACKGROUND, 20_000);
  await waitForPixel(operator.page, TARGET_SAMPLE, TARGET_COLOURS.idle);
  assert.ok((await middle.hostConnections()) >= 1, 'the host’s connection ends in the middle');
  const words = await shownWords(rig);
  assert.notEqual(words.host, words.operator, 'two connections, two sets of words');

  // What the operator reads out is not what the device shows: it cannot be confirmed, and input is dropped.
  assert.throws(() => host.session.confirmWords(words.operator.split(' ')), /not the words of the current connection/);
  await clickTargetFromOperator(operator.page);
  await assertTargetUntouched(operator.page, 'the middle’s input never reached the desktop');
  const state = host.session.state;
  assert.ok(state.status === 'active' && state.mode === 'view' && state.verification.controlPending);
  await operator.page.getByText('View only').waitFor();

  // The user says so: the session ends on both sides.
  await host.page.getByRole('button', { name: 'The words are different: end session' }).click();
  await host.page.getByText('You ended the session because the words were different.').waitFor();
  await operator.page.getByText('The user ended the session.').waitFor();
  assert.ok(!host.states.some((s) => s.status === 'active' && s.mode === 'control'), 'the device never gave control');
});
