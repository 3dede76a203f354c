/**
 * Several monitors end to end on the Xvfb rig (real relay, real WebRTC, real XTest input): the
 * session starts on one 1280×720 X screen, which is then split into two RandR monitors (`xrandr
 * --setmonitor`, as X clients see a second screen), the left half blue, the right one holding the
 * rig's target window. The picker follows (one display, then three: the output's own and the two
 * halves); the host then sends the chosen monitor only (its pixels in the operator's video, at
 * its own size); a click there lands on that monitor (the X pointer and the target window both
 * say so); "All displays" shows the whole desktop; a monitor removed mid-session leaves the
 * picker, and the picture falls back to the primary display.
 */
import assert from 'node:assert/strict';
import { execFileSync, type ChildProcess } from 'node:child_process';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { startSessionRig } from '../../dev/rig/session-rig.js';
import { onTargetReports, startTargetWindow } from '../../dev/rig/target-window.js';
import { TARGET_COLOURS } from '../../dev/rig/x-target.js';
import { runX, setRootColour, startXvfb, type Xvfb } from '../../dev/rig/xvfb.js';
import { clientPointExpression, waitForColour } from '../../dev/rig/page-probes.js';
import { eventually, until } from '../../dev/rig/until.js';

const W = 1280;
const H = 720;
const HALF = { width: W / 2, height: H };
const BLUE = 0x3366cc;
/** On the right monitor, in desktop pixels. */
const TARGET = { x: 700, y: 100, width: 520, height: 500 };

let xvfb: Xvfb;
let target: ChildProcess;
const clicks: string[] = [];

before(async () => {
  xvfb = await startXvfb({ width: W, height: H });
  setRootColour(xvfb, '#3366cc');
  target = await startTargetWindow(xvfb, TARGET);
  onTargetReports(target, /^(button.*)$/gm, (m) => clicks.push(m[1]!));
});

after(async () => {
  target?.kill();
  await xvfb?.close();
});

async function videoSize(page: Page) {
  return page.getByTestId('remote-screen').evaluate((v: HTMLVideoElement) => ({ w: v.videoWidth, h: v.videoHeight }));
}

/**
 * Waits until the video has a size, and returns it. WebRTC starts a stream small and raises its
 * resolution as the bandwidth estimate grows: the full size comes within seconds.
 */
async function sizeBecomes(page: Page, w: number, h: number) {
  return eventually(
    `the video at ${w}×${h}`,
    async () => {
      const s = await videoSize(page);
      return s.w === w && s.h === h && s;
    },
    { timeoutMs: 10_000 },
  );
}

/** The picker's options, as the operator reads them. */
async function pickerOptions(page: Page): Promise<string[]> {
  return page.getByLabel('Monitor').locator('option').allTextContents();
}

function pointer(): { x: number; y: number } {
  const out = execFileSync('xdotool', ['getmouselocation', '--shell'], { env: xvfb.env, encoding: 'utf8' });
  return { x: Number(/X=(\d+)/.exec(out)![1]), y: Number(/Y=(\d+)/.exec(out)![1]) };
}

test('several monitors: picker lists both, the second shown alone, a click lands on it, a removed one leaves the picker', async (t) => {
  const rig = await startSessionRig(xvfb.display);
  t.after(() => rig.close());
  const { host, operator } = rig;
  const op = operator.page;
  await op.setViewportSize({ width: 1000, height: 700 });

  const idText = await host.page.getByTestId('session-id').textContent({ timeout: 10_000 });
  await op.getByLabel('Session ID').fill(idText!);
  await op.getByRole('button', { name: 'Join' }).click();
  await host.page.getByRole('button', { name: 'Allow control' }).first().click();
  await op.getByTestId('access-mode').getByText('You have control').waitFor({ timeout: 10_000 });

  // One monitor: the picker has it (and all, the same), nothing to choose.
  const picker = op.getByLabel('Monitor');
  await eventually('the one monitor listed', async () => (await pickerOptions(op)).length === 2);
  assert.deepEqual(await pickerOptions(op), ['Display 1 · 1280×720 (primary)', 'All displays']);
  assert.equal(await picker.isDisabled(), true);
  await sizeBecomes(op, W, H);

  // Two monitors come during the session: the screen split into a left and a right half, as X
  // reports them (the output's own monitor, primary and shown, stays: a screen split in two).
  // Monitors are set on a running capture with no output of their own: Chromium's capture of the
  // entire screen stops sending frames when an output is moved onto a new RandR monitor.
  await runX(xvfb, 'xrandr', ['--output', 'screen', '--primary']);
  await runX(xvfb, 'xrandr', ['--setmonitor', 'left', '640/169x720/190+0+0', 'none']);
  await runX(xvfb, 'xrandr', ['--setmonitor', 'right', '640/169x720/190+640+0', 'none']);
  await eventually('both monitors listed', async () => (await pickerOptions(op)).length === 4, { timeoutMs: 5_000 });
  assert.deepEqual(await pickerOptions(op), [
    'Display 1 · 1280×720 (primary)',
    'Display 2 · 640×720',
    'Display 3 · 640×720',
    'All displays',
  ]);
  assert.equal(await picker.isDisabled(), false);

  // The left monitor alone: 640 px wide, blue throughout.
  await picker.selectOption({ label: 'Display 2 · 640×720' });
  await sizeBecomes(op, 640, 720);
  await waitForColour(op, { x: 600, y: 300 }, BLUE, HALF);

  // The second monitor: the host now sends it alone; its target window where it is on that monitor.
  await picker.selectOption({ label: 'Display 3 · 640×720' });
  const inRight = { x: TARGET.x - 640 + 40, y: TARGET.y + 40 };
  await waitForColour(op, inRight, TARGET_COLOURS.idle, HALF);
  await waitForColour(op, { x: 20, y: 20 }, BLUE, HALF); // left of the target: the right monitor's own edge
  await sizeBecomes(op, 640, 720);

  // A click on the second monitor's picture lands on the second monitor.
  const at = { x: TARGET.x - 640 + 200, y: TARGET.y + 150 };
  const p = await op.evaluate<{ x: number; y: number }>(clientPointExpression(at.x, at.y, HALF.width, HALF.height));
  await op.mouse.click(p.x, p.y);
  await until('the target window saw the click', () => clicks.length > 0);
  await waitForColour(op, inRight, TARGET_COLOURS.clicked, HALF);
  const where = pointer();
  assert.ok(
    Math.abs(where.x - (640 + at.x)) <= 2 && Math.abs(where.y - at.y) <= 2,
    `pointer at ${JSON.stringify(where)}`,
  );

  // All displays: the whole desktop, both monitors side by side.
  await picker.selectOption({ label: 'All displays' });
  await sizeBecomes(op, W, H);
  await waitForColour(op, { x: 300, y: 300 }, BLUE, { width: W, height: H });
  await waitForColour(op, { x: TARGET.x + 40, y: TARGET.y + 40 }, TARGET_COLOURS.clicked, { width: W, height: H });

  // Back to the right one; then it is removed: it leaves the picker, and the primary one is shown.
  await picker.selectOption({ label: 'Display 3 · 640×720' });
  await sizeBecomes(op, 640, 720);
  await runX(xvfb, 'xrandr', ['--delmonitor', 'right']);
  await eventually('the removed monitor left the picker', async () => (await pickerOptions(op)).length === 3, {
    timeoutMs: 5_000,
  });
  assert.deepEqual(await pickerOptions(op), ['Display 1 · 1280×720 (primary)', 'Display 2 · 640×720', 'All displays']);
  await sizeBecomes(op, W, H);
  await waitForColour(op, { x: TARGET.x + 40, y: TARGET.y + 40 }, TARGET_COLOURS.clicked, { width: W, height: H });
  assert.equal(await picker.inputValue(), '0', 'the picker shows the display the picture fell back to');
});
