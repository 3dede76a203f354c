/**
 * The operator's viewer and the device's secure desktop, end to end on the Xvfb rig with the real
 * agent (dev/rig/agent-rig.ts), real relay, real host and operator pages in Chromium: when the
 * agent's secure-desktop helper says the input desktop is Winlogon, the agent's captures (deflated,
 * over its own relay connection) are drawn in the viewer in place of the video (pixels read back
 * from the canvas), the host's indicator says a secure screen is up, the operator's click and the
 * keys typed on the canvas go as secure-desktop:input through the relay and the agent to the
 * helper (as the pointer and scan-code key requests of its pipe), and when the desktop is Default
 * again the viewer shows the host's video. The toolbar's Ctrl+Alt+Del: with no helper this Linux
 * device refuses it with its reason; once the agent has a helper it reaches the helper's SendSAS,
 * and the helper's refusal comes back to the toolbar in words; a helper attached before the user
 * let the operator in (as the agent starts it, with the host) captures nothing of a secure
 * desktop up before then, and is known to the toolbar once the operator is admitted. The helper itself cannot run on
 * Linux: a helper client that answers captures with a known image and records what it is asked
 * stands in for its pipe (the real helper under Wine is test/windows/secure-desktop-wine.test.ts).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startAgentRig } from '../../dev/rig/agent-rig.js';
import { openActivation } from '../../dev/rig/operator-activation.js';
import { waitForColour } from '../../dev/rig/page-probes.js';
import { startTestRelay } from '../../dev/rig/relay.js';
import { setRootColour, startXvfb, type Xvfb } from '../../dev/rig/xvfb.js';
import type { HelperClient, HelperReply } from '../../src/platform/secure-desktop/pipe-client.js';
import type { HelperRequest } from '../../src/platform/secure-desktop/pipe-codec.js';
import { eventually, until } from '../../dev/rig/until.js';
import { waitForCanvasPicture } from '../fixtures/secure-desktop-canvas.js';

const W = 1280;
const H = 720;
const BACKGROUND = 0x3366cc;
/** The secure desktop's picture: left half red, right half green (BGRA). */
const FW = 320;
const FH = 200;
const PIXELS = Buffer.alloc(FW * FH * 4);
for (let y = 0; y < FH; y++)
  for (let x = 0; x < FW; x++) PIXELS.set(x < FW / 2 ? [0, 0, 255, 255] : [0, 255, 0, 255], (y * FW + x) * 4);

let xvfb: Xvfb;
before(async () => {
  xvfb = await startXvfb({ width: W, height: H });
  setRootColour(xvfb, '#3366cc');
});
after(() => xvfb?.close());

/**
 * Stands in for the helper's pipe (the helper cannot run on Linux): answers captures with the
 * known image, records the input it is asked for, answers SendSAS as told (then ok).
 */
interface StandIn {
  captures: number;
  sasCalls: number;
  inputs: Array<Extract<HelperRequest, { kind: 'pointer' | 'key' }>>;
  helper: HelperClient;
}
function standInHelper(sasAnswers: Array<HelperReply<null>> = []): StandIn {
  const inputs: StandIn['inputs'] = [];
  const stand: StandIn = {
    captures: 0,
    sasCalls: 0,
    inputs,
    helper: {
      hello: { protocol: 1, helper: '1.0.0', pid: 1, pipeSddl: 'D:P(A;;GA;;;SY)', session: 1, desktop: 'Default' },
      capture: async () => {
        stand.captures++;
        return { ok: true, value: { width: FW, height: FH, left: 0, top: 0, pixels: PIXELS } };
      },
      input: async (request) => {
        inputs.push(request);
        return { ok: true, value: null };
      },
      sas: async () => sasAnswers[stand.sasCalls++] ?? { ok: true, value: null },
      sessions: async () => ({ ok: true, value: [] }),
      close: () => undefined,
    },
  };
  return stand;
}

test("the viewer draws the secure desktop's frames while it is up, sends its input to the agent, and goes back to the video", async (t) => {
  const relay = await startTestRelay();
  t.after(() => relay.close());
  const rig = await startAgentRig(xvfb.display, relay);
  t.after(() => rig.close());
  const assistance = await relay.requestAssistance({ deviceId: rig.device.id, mode: 'attended' });
  const host = await rig.hostFor(assistance.sessionId);
  await openActivation(rig.operator, relay.url, assistance);
  const op = rig.operator.page;
  await host.page.getByTestId('consent').waitFor({ timeout: 10_000 });
  await host.page.getByRole('button', { name: 'Allow control' }).click();
  await waitForColour(op, { x: 20, y: 20 }, BACKGROUND, { width: W, height: H }, 10_000);

  // Ctrl+Alt+Del before the agent has a helper: this Linux device says why not.
  const toolbar = op.getByTestId('special-keys');
  const sasButton = toolbar.getByRole('button', { name: 'Ctrl+Alt+Del' });
  assert.equal(await sasButton.getAttribute('data-route'), 'host');
  await sasButton.click();
  const refused = toolbar.getByTestId('input-refused');
  await refused.waitFor({ timeout: 5_000 });
  assert.equal(await refused.getAttribute('data-code'), 'sas-unsupported');
  assert.match((await refused.textContent()) ?? '', /does not run Windows/);

  const stand = standInHelper([
    { ok: true, value: null },
    {
      ok: false,
      code: 'sas-unavailable',
      message: 'This Windows has no SendSAS (sas.dll), so Ctrl+Alt+Del cannot be sent.',
    },
  ]);
  const { helper, inputs } = stand;
  rig.device.agent.attachSecureDesktopHelper(assistance.sessionId, helper);
  assert.equal(stand.captures, 0, 'nothing is captured while the user’s desktop has the input');

  // The relay tells the viewer that the agent has a helper: Ctrl+Alt+Del goes to its SendSAS.
  await eventually(
    'the toolbar sends Ctrl+Alt+Del to the helper',
    async () => (await sasButton.getAttribute('data-route')) === 'helper',
  );
  await sasButton.click();
  await until('the helper was asked for SendSAS', () => stand.sasCalls === 1);
  await refused.waitFor({ state: 'detached', timeout: 5_000 });
  const audited = () =>
    relay.handle.audit.query({ sessionId: assistance.sessionId }).filter((e) => e.action === 'secure-desktop.sas');
  assert.deepEqual(
    audited().map((e) => [e.actor.kind, e.result]),
    [['operator', 'forwarded']],
  );
  // The helper's refusal (what a Windows without sas.dll answers) reaches the toolbar in words.
  await sasButton.click();
  await refused.waitFor({ timeout: 5_000 });
  assert.equal(await refused.getAttribute('data-code'), 'sas-unavailable');
  assert.equal(
    await refused.textContent(),
    'Ctrl+Alt+Del was not sent: This Windows has no SendSAS (sas.dll), so Ctrl+Alt+Del cannot be sent.',
  );
  assert.equal(stand.sasCalls, 2);

  rig.device.agent.secureDesktopChanged(assistance.sessionId, 'Winlogon');
  await op.getByTestId('secure-desktop-screen').waitFor({ timeout: 10_000 });
  await waitForCanvasPicture(op, [
    { x: 10, y: 10, rgb: 0xff0000 },
    { x: FW - 10, y: FH - 10, rgb: 0x00ff00 },
  ]);
  assert.equal(await op.getByTestId('remote-screen').isHidden(), true, "the host's video is not shown meanwhile");
  await host.page.getByTestId('secure-desktop-up').waitFor({ timeout: 5_000 });
  assert.match((await host.page.getByTestId('secure-desktop-up').textContent()) ?? '', /A secure screen is up/);

  // A click on the secure screen goes through the relay and the agent to the helper, in the frame's pixels.
  const box = (await op.getByTestId('secure-desktop-screen').boundingBox())!;
  await op.mouse.click(box.x + box.width / 4, box.y + box.height / 2);
  const buttons = () => inputs.filter((i) => i.kind === 'pointer' && i.action !== 'move');
  await until('the click reached the helper', () => buttons().length === 2, { seen: () => inputs });
  for (const [i, action] of (['down', 'up'] as const).entries()) {
    const got = buttons()[i]!;
    assert.ok(got.kind === 'pointer');
    assert.deepEqual([got.action, got.button], [action, 'left']);
    assert.ok(Math.abs(got.x - FW / 4) <= 1 && Math.abs(got.y - FH / 2) <= 1, `clicked at ${got.x},${got.y}`);
  }

  // Keys typed on the canvas: the helper gets each press and release by Windows scan code (E0 keys extended).
  await op.keyboard.press('a');
  await op.keyboard.press('Enter');
  await op.keyboard.press('Shift+Tab');
  await op.keyboard.press('ArrowLeft');
  const keys = () => inputs.filter((i) => i.kind === 'key');
  await until('the keys reached the helper', () => keys().length === 10, { seen: () => keys() });
  const key = (scan: number, down: boolean, extended = false) => ({
    kind: 'key',
    vk: 0,
    scan,
    down,
    ...(extended ? { extended: true } : {}),
  });
  assert.deepEqual(keys(), [
    key(0x1e, true),
    key(0x1e, false),
    key(0x1c, true),
    key(0x1c, false),
    key(0x2a, true),
    key(0x0f, true),
    key(0x0f, false),
    key(0x2a, false),
    key(0x4b, true, true),
    key(0x4b, false, true),
  ]);
  assert.equal(await op.locator('.secure-desktop .error').count(), 0, 'the helper took every input');

  rig.device.agent.secureDesktopChanged(assistance.sessionId, 'Default');
  await op.getByTestId('secure-desktop-screen').waitFor({ state: 'detached', timeout: 5_000 });
  await host.page.getByTestId('secure-desktop-up').waitFor({ state: 'detached', timeout: 5_000 });
  await waitForColour(op, { x: 20, y: 20 }, BACKGROUND, { width: W, height: H }, 10_000);
});

test('a helper the agent attached before the user let the operator in: nothing captured before, and the toolbar sends Ctrl+Alt+Del to it once admitted', async (t) => {
  const relay = await startTestRelay();
  t.after(() => relay.close());
  const rig = await startAgentRig(xvfb.display, relay);
  t.after(() => rig.close());
  const assistance = await relay.requestAssistance({ deviceId: rig.device.id, mode: 'attended' });
  const host = await rig.hostFor(assistance.sessionId);
  // As the agent does when it starts the helper with the host: before anyone is admitted.
  const stand = standInHelper();
  rig.device.agent.attachSecureDesktopHelper(assistance.sessionId, stand.helper);
  // A UAC prompt comes up while the user is still being asked: none of it leaves the device.
  rig.device.agent.secureDesktopChanged(assistance.sessionId, 'Winlogon');
  await openActivation(rig.operator, relay.url, assistance);
  const op = rig.operator.page;
  await host.page.getByTestId('consent').waitFor({ timeout: 10_000 });
  await new Promise((r) => setTimeout(r, 1_000));
  assert.equal(stand.captures, 0, 'the secure desktop is not captured before the user lets the operator in');
  await host.page.getByRole('button', { name: 'Allow control' }).click();
  await until('captured once the operator is in', () => stand.captures > 0);
  await op.getByTestId('secure-desktop-screen').waitFor({ timeout: 10_000 });
  rig.device.agent.secureDesktopChanged(assistance.sessionId, 'Default');
  await waitForColour(op, { x: 20, y: 20 }, BACKGROUND, { width: W, height: H }, 10_000);

  const sasButton = op.getByTestId('special-keys').getByRole('button', { name: 'Ctrl+Alt+Del' });
  await eventually(
    'the toolbar sends Ctrl+Alt+Del to the helper',
    async () => (await sasButton.getAttribute('data-route')) === 'helper',
  );
  await sasButton.click();
  await until('the helper was asked for SendSAS', () => stand.sasCalls === 1);
  assert.equal(await op.getByTestId('input-refused').count(), 0);
});
