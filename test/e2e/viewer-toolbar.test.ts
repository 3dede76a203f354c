/**
 * The viewer toolbar end to end on the Xvfb rig (real relay, real WebRTC, real XTest input on the
 * host's display): the user allows view only, the operator's Request control is asked in the
 * indicator and the user's yes gives control; fit / 100 % change the video's size, full screen
 * takes the page and gives it back; the Windows key, Alt+Tab and Print Screen arrive as key
 * events in an X window on the host's display;
 * Ctrl+Alt+Del is refused on Linux with its reason and nothing is typed; the quality shows fps,
 * round trip and bitrate; the ticket and notes are in the relay's audit trail; the toolbar folds
 * away and its shortcut brings it back; the end-of-session summary says what was used.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { startSessionRig } from '../../dev/rig/session-rig.js';
import { onTargetReports, startTargetWindow } from '../../dev/rig/target-window.js';
import { TARGET_COLOURS } from '../../dev/rig/x-target.js';
import { setRootColour, startXvfb } from '../../dev/rig/xvfb.js';
import { clientPointExpression, waitForColour } from '../../dev/rig/page-probes.js';
import { eventually, until } from '../../dev/rig/until.js';

const W = 1280;
const H = 720;
const DESKTOP = { width: W, height: H };
const TARGET = { x: 400, y: 250, width: 320, height: 200 };
const SAMPLE = { x: TARGET.x + 30, y: TARGET.y + 30 };
/** X keycodes (evdev + 8) of the keys the toolbar sends. */
const X_KEY = { superL: 133, altL: 64, tab: 23, print: 107, delete: 119, controlL: 37 };

let xvfb: Awaited<ReturnType<typeof startXvfb>>;
let target: ChildProcess;
/** Every key press the target window received, as X keycodes, in order. */
const keys: number[] = [];

before(async () => {
  xvfb = await startXvfb({ width: W, height: H });
  setRootColour(xvfb, '#3366cc');
  target = await startTargetWindow(xvfb, TARGET);
  onTargetReports(target, /^key (\d+)/gm, (m) => keys.push(Number(m[1])));
});

after(async () => {
  target?.kill();
  await xvfb?.close();
});

/** The picture's size on the operator's screen (object-fit: contain letterboxes it inside the element). */
async function videoBox(page: Page) {
  return page.getByTestId('remote-screen').evaluate((v: HTMLVideoElement) => {
    const r = v.getBoundingClientRect();
    const scale = Math.min(r.width / v.videoWidth, r.height / v.videoHeight);
    return {
      width: Math.round(v.videoWidth * scale),
      height: Math.round(v.videoHeight * scale),
      videoWidth: v.videoWidth,
    };
  });
}

/** The key presses that arrive after `act`, once `expected` are all among them (in that order). */
async function keysAfter(act: () => Promise<void>, expected: number[]): Promise<number[]> {
  const from = keys.length;
  await act();
  return until(
    `keys ${expected.join(', ')} reached the host's X window`,
    () => {
      const got = keys.slice(from);
      let i = 0;
      for (const k of got) if (k === expected[i]) i++;
      return i === expected.length && got;
    },
    { seen: () => keys.slice(from) },
  );
}

test('viewer toolbar: request control, sizes, special keys, Ctrl+Alt+Del refused, quality, notes in the audit, summary', async (t) => {
  const rig = await startSessionRig(xvfb.display);
  t.after(() => rig.close());
  const { host, operator, relay } = rig;
  const op = operator.page;
  await op.setViewportSize({ width: 1000, height: 700 });

  const idText = await host.page.getByTestId('session-id').textContent({ timeout: 10_000 });
  const sessionId = idText!.replace(/ /g, '');
  await op.getByLabel('Session ID').fill(idText!);
  await op.getByRole('button', { name: 'Join' }).click();
  await host.page.getByRole('button', { name: 'Allow view only' }).click();
  await waitForColour(op, SAMPLE, TARGET_COLOURS.idle, DESKTOP, 10_000);
  const trail = (action: string) => relay.handle.audit.query({ sessionId }).filter((e) => e.action === action);

  // View only: the special keys wait for control; Ctrl+Alt+Del too.
  const toolbar = op.getByTestId('viewer-toolbar');
  await toolbar.getByTestId('toolbar-mode').getByText('Viewing').waitFor();
  assert.equal(await toolbar.getByRole('button', { name: 'Windows key' }).isDisabled(), true);
  assert.equal(await toolbar.getByRole('button', { name: 'Ctrl+Alt+Del' }).isDisabled(), true);

  // Fit to window scales the 1280×720 picture into the 1000 px window; 100 % shows it pixel for pixel.
  const fit = await videoBox(op);
  assert.equal(fit.videoWidth, W);
  assert.ok(fit.width <= 1000 && fit.height < 700 && fit.width < W, `fitted ${fit.width}×${fit.height}`);
  await toolbar.getByRole('button', { name: '100 %' }).click();
  const actual = await eventually('the video at 100 %', async () => {
    const b = await videoBox(op);
    return b.width === W && b.height === H && b;
  });
  assert.deepEqual([actual.width, actual.height], [W, H]);
  await toolbar.getByRole('button', { name: 'Fit to window' }).click();
  await eventually('the video fitted again', async () => (await videoBox(op)).width === fit.width);
  await toolbar.getByRole('button', { name: 'Full screen' }).click();
  await toolbar.getByRole('button', { name: 'Leave full screen' }).waitFor();
  assert.equal(await op.evaluate(() => document.fullscreenElement === document.documentElement), true);
  await toolbar.getByRole('button', { name: 'Leave full screen' }).click();
  await toolbar.getByRole('button', { name: 'Full screen' }).waitFor();

  // Request control: the user is asked in the indicator; their yes changes the mode on both sides.
  await toolbar.getByRole('button', { name: 'Request control' }).click();
  const question = host.page.getByTestId('control-request');
  await question.waitFor();
  assert.match((await question.textContent()) ?? '', new RegExp(`${relay.operatorIdentity.name} asks to control`));
  assert.equal(trail('control.requested').length, 1, 'the request is audited');
  assert.equal(await op.getByTestId('access-mode').textContent(), 'View only: the user has not given you control');
  await host.page.getByRole('button', { name: 'Give control' }).click();
  await op.getByTestId('access-mode').getByText('You have control').waitFor();
  await toolbar.getByTestId('toolbar-mode').getByText('Controlling').waitFor();
  assert.equal(await question.count(), 0, 'the question is gone once answered');

  // The pointer over the target window gives it the keyboard (no window manager: focus follows it).
  const p = await op.evaluate<{ x: number; y: number }>(clientPointExpression(TARGET.x + 160, TARGET.y + 100, W, H));
  await op.mouse.click(p.x, p.y);
  await waitForColour(op, SAMPLE, TARGET_COLOURS.clicked, DESKTOP);

  // The keys the operator's own system would catch arrive as the remote keystroke.
  await keysAfter(() => toolbar.getByRole('button', { name: 'Windows key' }).click(), [X_KEY.superL]);
  await keysAfter(() => toolbar.getByRole('button', { name: 'Alt+Tab' }).click(), [X_KEY.altL, X_KEY.tab]);
  await keysAfter(() => toolbar.getByRole('button', { name: 'Print Screen' }).click(), [X_KEY.print]);
  await waitForColour(op, SAMPLE, TARGET_COLOURS.typed, DESKTOP);

  // Ctrl+Alt+Del on Linux: refused by the device with its reason, and no key of it typed.
  const before = keys.length;
  await toolbar.getByRole('button', { name: 'Ctrl+Alt+Del' }).click();
  const refused = op.getByTestId('input-refused');
  await refused.waitFor();
  assert.equal(await refused.getAttribute('data-code'), 'sas-unsupported');
  assert.match((await refused.textContent()) ?? '', /Ctrl\+Alt\+Del was not sent: this device does not run Windows/);
  await new Promise((r) => setTimeout(r, 500));
  assert.deepEqual(keys.slice(before), [], 'nothing of Ctrl+Alt+Del was typed on the device');

  // Connection quality from getStats: frames per second, round trip, bitrate, and the path.
  const quality = toolbar.getByTestId('connection-quality');
  const measured = await eventually('fps, round trip and bitrate measured', async () => {
    const [fps, kbps, rtt] = await Promise.all(
      ['data-fps', 'data-kbps', 'data-rtt'].map((a) => quality.getAttribute(a)),
    );
    return (
      Number(fps) > 0 && Number(kbps) > 0 && rtt !== '' && { fps: Number(fps), kbps: Number(kbps), rtt: Number(rtt) }
    );
  });
  assert.match((await quality.textContent()) ?? '', /\d+ fps · \d+ ms round trip · [\d.]+ (kbit|Mbit)\/s · direct/);
  console.log(`toolbar quality: ${measured.fps} fps, ${measured.rtt} ms round trip, ${measured.kbps} kbit/s`);

  // Ticket and notes: saved by the relay in the audit trail, which says so.
  await toolbar.getByRole('button', { name: 'Ticket and notes' }).click();
  await op.getByLabel('Ticket number').fill('HD-4711');
  await op.getByLabel('Notes', { exact: true }).fill('Printer driver reinstalled; user confirmed printing works.');
  await op.getByRole('button', { name: 'Save to the audit trail' }).click();
  await op.getByTestId('notes-saved').waitFor();
  const noted = trail('assistance.notes');
  assert.equal(noted.length, 1);
  assert.equal(noted[0]!.detail.ticket, 'HD-4711');
  assert.equal(noted[0]!.detail.notes, 'Printer driver reinstalled; user confirmed printing works.');
  assert.equal(noted[0]!.actor.id, relay.operatorIdentity.id);

  // The toolbar folds away to one button; from the remote screen, Ctrl+Alt+Shift+T brings it back focused.
  await toolbar.getByRole('button', { name: 'Hide the toolbar' }).click();
  assert.equal(await toolbar.getByRole('button', { name: 'Windows key' }).count(), 0);
  await op.getByTestId('remote-screen').focus();
  const fromShortcut = keys.length;
  await op.keyboard.press('Control+Alt+Shift+KeyT');
  await toolbar.getByRole('button', { name: 'Windows key' }).waitFor();
  await eventually('the toolbar has the focus', () =>
    op.evaluate(() => document.activeElement?.closest('[data-testid="viewer-toolbar"]') !== null),
  );
  await new Promise((r) => setTimeout(r, 300));
  assert.ok(!keys.slice(fromShortcut).includes(28), 'the T of the shortcut never reached the device');

  // Leaving: the summary says how long it lasted, what was used and the ticket.
  await toolbar.getByRole('button', { name: 'Leave session' }).click();
  const summary = op.getByTestId('session-summary');
  await summary.waitFor();
  assert.match((await op.getByTestId('summary-duration').textContent()) ?? '', /^Duration: \d+ (s|min)/);
  const used = (await op.getByTestId('summary-used').textContent()) ?? '';
  for (const what of ['Request control', 'Windows key', 'Alt+Tab', 'Print Screen', 'Ctrl+Alt+Del', 'Ticket and notes'])
    assert.ok(used.includes(what), `summary names ${what}: ${used}`);
  assert.match((await op.getByTestId('summary-ticket').textContent()) ?? '', /Ticket HD-4711: Printer driver/);
});
