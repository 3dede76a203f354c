/**
 * The viewer toolbar's features as capabilities of the policy, end to end on the Xvfb rig (real relay and console
 * API, real WebRTC, real XTest input, two RandR monitors): before consent the host's main carries out no special key
 * and shows no other display; where the policy forbids asking for control, the special keys and the other displays,
 * the toolbar shows each disabled with the policy's reason, a Windows key pressed anyway is refused by the host
 * (nothing reaches the device's X window, the refusal shown and audited) while ordinary keys pass; once the policy
 * allows other displays the operator switches to the second monitor, and when it forbids them again the host goes
 * back to the primary display by itself.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { startSessionRig } from '../../dev/rig/session-rig.js';
import { onTargetReports, startTargetWindow } from '../../dev/rig/target-window.js';
import { TARGET_COLOURS } from '../../dev/rig/x-target.js';
import { runX, setRootColour, startXvfb, type Xvfb } from '../../dev/rig/xvfb.js';
import { clientPointExpression, waitForColour } from '../../dev/rig/page-probes.js';
import { eventually, until } from '../../dev/rig/until.js';
import type { Capability } from '../../src/shared/capabilities.js';
import type { PolicySettings } from '../../src/shared/policy.js';
import { firstAdmin } from '../fixtures/console.js';

const W = 1280;
const H = 720;
const DESKTOP = { width: W, height: H };
const TARGET = { x: 700, y: 100, width: 520, height: 500 };
const SAMPLE = { x: TARGET.x + 30, y: TARGET.y + 30 };
/** X keycodes (evdev + 8). */
const X_KEY = { superL: 133, a: 38 };

let xvfb: Xvfb;
let target: ChildProcess;
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

const videoWidth = (page: Page) => page.getByTestId('remote-screen').evaluate((v: HTMLVideoElement) => v.videoWidth);

test('viewer capabilities: nothing before consent; forbidden ones disabled with the reason and refused by the host', async (t) => {
  const rig = await startSessionRig(xvfb.display);
  t.after(() => rig.close());
  const { host, operator, relay } = rig;
  const op = operator.page;
  await op.setViewportSize({ width: 1000, height: 700 });
  const admin = await firstAdmin(relay);
  const initial = (await admin.call('GET', '/policy')).body as PolicySettings;
  const setPolicy = async (off: Capability[]) => {
    const cells = Object.fromEntries(off.map((c) => [c, { operator: false }]));
    const product = { ...initial.product, capabilities: { ...initial.product.capabilities, ...cells } };
    assert.equal((await admin.call('PUT', '/policy', { ...initial, product })).status, 200);
  };
  await setPolicy(['control.request', 'keys.special', 'displays.switch']);

  const idText = await host.page.getByTestId('session-id').textContent({ timeout: 10_000 });
  const sessionId = idText!.replace(/ /g, '');
  await op.getByLabel('Session ID').fill(idText!);
  await op.getByRole('button', { name: 'Join' }).click();
  await host.page.getByTestId('consent').waitFor();
  const trail = (action: string) =>
    relay.handle.audit
      .query({ sessionId })
      .filter((e) => e.action === action)
      .sort((a, b) => a.id - b.id)
      .map((e) => ({ result: e.result, ...e.detail }));

  // Before consent: the host's main carries out nothing and shows no other display.
  const early = keys.length;
  assert.equal(host.session.handleInput({ t: 'key', code: 'MetaLeft', down: true, mods: NO_MODS }), null);
  assert.equal(host.session.view.choose(null)?.code, 'not-permitted');

  // View only: Request control is there, disabled, with the policy's reason.
  await host.page.getByRole('button', { name: 'Allow view only' }).click();
  await waitForColour(op, SAMPLE, TARGET_COLOURS.idle, DESKTOP, 10_000);
  const toolbar = op.getByTestId('viewer-toolbar');
  const request = toolbar.getByTestId('request-control');
  await eventually('Request control says why not', async () =>
    /Asking for control is not allowed for the operator role/.test((await request.getAttribute('title')) ?? ''),
  );
  assert.equal(await request.isDisabled(), true);

  // Control given by the user: the special keys stay disabled, with the policy's reason.
  await host.page.getByRole('button', { name: 'Allow control' }).click();
  await op.getByTestId('access-mode').getByText('You have control').waitFor();
  const windowsKey = toolbar.getByRole('button', { name: 'Windows key' });
  assert.equal(await windowsKey.isDisabled(), true);
  assert.match((await windowsKey.getAttribute('title')) ?? '', /Special keys is not allowed for the operator role/);
  assert.equal(await toolbar.getByRole('button', { name: 'Ctrl+Alt+Del' }).isDisabled(), true);

  // The Windows key pressed on the operator's keyboard anyway: the host refuses it, an ordinary key passes.
  const p = await op.evaluate<{ x: number; y: number }>(clientPointExpression(TARGET.x + 160, TARGET.y + 100, W, H));
  await op.mouse.click(p.x, p.y);
  await waitForColour(op, SAMPLE, TARGET_COLOURS.clicked, DESKTOP);
  await op.keyboard.press('Meta');
  const refused = op.getByTestId('input-refused');
  await refused.waitFor();
  assert.equal(await refused.getAttribute('data-code'), 'not-permitted');
  assert.match((await refused.textContent()) ?? '', /Special keys is not allowed/);
  await op.keyboard.press('KeyA');
  await until('the ordinary key reached the device', () => keys.slice(early).includes(X_KEY.a));
  assert.ok(!keys.slice(early).includes(X_KEY.superL), `no Windows key on the device: ${keys.slice(early).join(',')}`);
  await until('the refusal audited', () => trail('special-key.sent').length === 1);
  assert.deepEqual(trail('special-key.sent'), [{ result: 'refused', key: 'windows-key', code: 'not-permitted' }]);

  // Two monitors come: the picker lists them, disabled with the policy's reason; the host refuses another anyway.
  await runX(xvfb, 'xrandr', ['--output', 'screen', '--primary']);
  await runX(xvfb, 'xrandr', ['--setmonitor', 'left', '640/169x720/190+0+0', 'none']);
  await runX(xvfb, 'xrandr', ['--setmonitor', 'right', '640/169x720/190+640+0', 'none']);
  const picker = op.getByLabel('Monitor');
  await eventually('both monitors listed', async () => (await picker.locator('option').count()) === 4, {
    timeoutMs: 5_000,
  });
  assert.equal(await picker.isDisabled(), true);
  assert.match(
    (await op.getByTestId('monitor-picker').getAttribute('title')) ?? '',
    /Other displays is not allowed for the operator role/,
  );
  assert.equal(host.session.view.choose('2')?.code, 'not-permitted');
  assert.equal(host.session.view.choose(null)?.code, 'not-permitted');

  // Allowed: the operator switches to the right monitor; forbidden again: the host shows the primary one by itself.
  await setPolicy(['control.request', 'keys.special']);
  await eventually('the picker is enabled', async () => !(await picker.isDisabled()));
  await picker.selectOption({ label: 'Display 3 · 640×720' });
  await eventually('the right monitor alone', async () => (await videoWidth(op)) === 640, { timeoutMs: 10_000 });
  await waitForColour(op, { x: TARGET.x - 640 + 40, y: TARGET.y + 40 }, TARGET_COLOURS.typed, {
    width: 640,
    height: 720,
  });
  await setPolicy(['control.request', 'keys.special', 'displays.switch']);
  await eventually('back to the primary display', async () => (await videoWidth(op)) === W, { timeoutMs: 10_000 });
  await eventually('the picker is disabled again', () => picker.isDisabled());
  assert.equal(await picker.inputValue(), '0', 'the picker shows the primary display');
  assert.deepEqual(trail('display.shown'), [
    { result: 'refused', display: '2', code: 'not-permitted' },
    { result: 'refused', display: 'all', code: 'not-permitted' },
    { result: 'ok', display: '2' },
  ]);
});

const NO_MODS = { shift: false, ctrl: false, alt: false, meta: false };
