/**
 * The clipboard, text both ways, end to end on the Xvfb rig: the host's real X clipboard (the Xvfb's CLIPBOARD
 * selection, read and set here with xclip as any other program on that desktop would), the real data channel
 * between the two pages, the real relay deciding each direction and auditing each transfer. Nothing before consent;
 * operator → device on Send; device → operator on the operator's fetch, and by itself only while the user shares it
 * from the indicator (only when it changed); refused in view-only, beyond the size limit, and where the policy
 * forbids it, each with its sentence. Text typed rather than pasted arrives whatever the device's layout.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { joinById } from '../../dev/rig/join-by-id.js';
import { startSessionRig } from '../../dev/rig/session-rig.js';
import { eventually, until } from '../../dev/rig/until.js';
import { startXvfb } from '../../dev/rig/xvfb.js';
import { CLIPBOARD_MAX_CHARS } from '../../src/shared/assist-protocol.js';
import { DEFAULT_POLICY } from '../../src/shared/policy.js';
import { firstAdmin } from '../fixtures/console.js';

let xvfb: Awaited<ReturnType<typeof startXvfb>>;
before(async () => {
  xvfb = await startXvfb({ width: 1280, height: 720 });
});
after(() => xvfb?.close());

/** The X clipboard as another program on the device's desktop sees it. */
const xClipboard = () =>
  execFileSync('xclip', ['-selection', 'clipboard', '-o', '-target', 'UTF8_STRING'], {
    env: xvfb.env,
    encoding: 'utf8',
  });
/** Another program on the device's desktop copies `text` (xclip stays as the selection's owner). */
async function copyOnDevice(text: string) {
  const xclip = spawn('xclip', ['-selection', 'clipboard', '-i', '-target', 'UTF8_STRING'], {
    env: xvfb.env,
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  xclip.stdin.end(text);
  await until('the copy is on the X clipboard', () => {
    try {
      return xClipboard() === text;
    } catch {
      return false;
    }
  });
}

const result = (page: Page) => page.getByTestId('clipboard-result').textContent({ timeout: 5_000 });
const fromDevice = (page: Page) =>
  page
    .getByTestId('clipboard-from-device')
    .inputValue({ timeout: 500 })
    .catch(() => null);

/** The operator's clipboard button, in the viewer's toolbar. */
const clipboardButton = (page: Page) =>
  page.getByTestId('viewer-toolbar').getByRole('button', { name: 'Clipboard', exact: true });

/**
 * The user flips the indicator's "Share my clipboard" switch. The checkbox shows what main confirms (a round trip
 * over IPC), so it changes a moment after the click, not during it (Playwright's check() wants it during).
 */
async function setSharing(page: Page, on: boolean) {
  const box = page.getByTestId('share-clipboard');
  await box.click();
  await eventually(`sharing ${on ? 'on' : 'off'}`, async () => (await box.isChecked()) === on);
}

async function sendToDevice(page: Page, text: string) {
  await page.getByTestId('clipboard-to-device').fill(text);
  await page.getByRole('button', { name: 'Send to the device' }).click();
}

test('clipboard: nothing before consent, both ways on the X clipboard, shared only while allowed, refusals', async (t) => {
  const rig = await startSessionRig(xvfb.display);
  t.after(() => rig.close());
  const { host, operator, relay } = rig;
  await copyOnDevice('before the session');
  const sessionId = await joinById(rig);
  const trail = () =>
    relay.handle.audit
      .query({ sessionId })
      .filter((e) => e.action === 'clipboard.transferred')
      .sort((a, b) => a.id - b.id)
      .map((e) => ({ result: e.result, ...e.detail }));

  // Before the user answered: main refuses both ways, the X clipboard untouched, nothing audited.
  await host.page.getByTestId('consent').waitFor();
  assert.equal((await host.session.assist.toDevice('too early')).ok, false);
  const early = await host.session.assist.fromDevice();
  assert.deepEqual(early.ok ? early : early.code, 'not-active');
  assert.equal(xClipboard(), 'before the session');
  assert.equal(await clipboardButton(operator.page).count(), 0);

  await host.page.getByRole('button', { name: 'Allow control' }).click();
  await clipboardButton(operator.page).click({ timeout: 10_000 });
  await operator.page.getByTestId('panel-clipboard').getByTestId('clipboard-panel').waitFor();
  assert.deepEqual(trail(), []);

  // Operator → device: text with characters beyond Latin-1 lands on the device's real X clipboard.
  const text = 'Grüße → 世界 ✓ C:\\Temp\\error.log';
  await sendToDevice(operator.page, text);
  assert.equal(await result(operator.page), "Copied to the device's clipboard.");
  await until('the X clipboard holds it', () => xClipboard() === text);
  // The same text again is not sent again.
  await operator.page.getByRole('button', { name: 'Send to the device' }).click();
  assert.equal(await result(operator.page), 'This text is on the device already.');

  // Device → operator on the operator's fetch: what another program copied, onto the operator's clipboard too.
  await copyOnDevice('Error 0x80070005: access denied');
  assert.equal(await fromDevice(operator.page), null, 'nothing comes by itself while the user does not share');
  await operator.page.getByRole('button', { name: "Get the device's clipboard" }).click();
  await eventually(
    'the fetched text',
    async () => (await fromDevice(operator.page)) === 'Error 0x80070005: access denied',
  );
  await until('on the operator clipboard', () => operator.desktop.clipboard === 'Error 0x80070005: access denied');

  // Where pasting does not work, the text is typed instead, whatever the layout: the Unicode input path (X keysyms on
  // spare keycodes) into a terminal on the device, which writes what it receives to a file.
  const typedFile = path.join(mkdtempSync(path.join(tmpdir(), 'flxra-typed-')), 'typed.txt');
  const terminal = spawn(
    'xterm',
    ['-geometry', '60x5+0+0', '-u8', '-e', 'sh', '-c', `stty -echo; cat > ${typedFile}`],
    {
      env: { ...xvfb.env, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' },
      stdio: 'ignore',
    },
  );
  t.after(() => terminal.kill());
  await until('the terminal is up', () => existsSync(typedFile), { timeoutMs: 10_000 });
  execFileSync('xdotool', ['mousemove', '100', '40'], { env: xvfb.env }); // the X focus follows the pointer
  await operator.page.getByTestId('clipboard-to-device').fill('Grüße 世界 ✓ Ünïcødé\n');
  await operator.page.getByRole('button', { name: 'Type it on the device' }).click();
  await until('typed on the device', () => readFileSync(typedFile, 'utf8') === 'Grüße 世界 ✓ Ünïcødé\n', {
    seen: () => readFileSync(typedFile, 'utf8'),
  });

  // While the user shares from the indicator, a change arrives by itself; once they stop, nothing does.
  await setSharing(host.page, true);
  await copyOnDevice('shared by the user 1');
  await eventually('the shared text', async () => (await fromDevice(operator.page)) === 'shared by the user 1');
  assert.match((await operator.page.getByTestId('clipboard-panel').textContent()) ?? '', /Shared by the user/);
  await setSharing(host.page, false);
  await copyOnDevice('not shared any more');
  await new Promise((r) => setTimeout(r, 1_500));
  assert.equal(await fromDevice(operator.page), 'shared by the user 1');

  // Too large: refused with the limit in words, in the panel and in main.
  await sendToDevice(operator.page, 'x'.repeat(CLIPBOARD_MAX_CHARS + 1));
  assert.match((await result(operator.page)) ?? '', /at most 65,536 are sent/);
  const big = await host.session.assist.toDevice('y'.repeat(CLIPBOARD_MAX_CHARS + 1));
  assert.equal(big.ok ? 'ok' : big.code, 'too-large');

  // View only: the operator is told before sending; main refuses what comes anyway.
  await host.page.getByRole('button', { name: 'Take back control' }).click();
  await operator.page
    .getByTestId('clipboard-to-device-refused')
    .getByText(/View only/)
    .waitFor();
  assert.equal(await operator.page.getByRole('button', { name: 'Send to the device' }).isDisabled(), true);
  const viewOnly = await host.session.assist.toDevice('while view only');
  assert.equal(viewOnly.ok ? 'ok' : viewOnly.code, 'view-only');
  assert.equal(xClipboard(), 'not shared any more');
  await host.page.getByRole('button', { name: 'Allow control' }).click();

  // The policy forbids text to the device for the operator role: the panel says why; main refuses; fetch still works.
  const admin = await firstAdmin(relay);
  const toDeviceOff = {
    ...DEFAULT_POLICY,
    capabilities: { ...DEFAULT_POLICY.capabilities, 'clipboard.to-device': { operator: false } },
  };
  assert.equal((await admin.call('PUT', '/policy', { product: toDeviceOff, groups: {} })).status, 200);
  await operator.page
    .getByTestId('clipboard-to-device-refused')
    .getByText(/Clipboard to the device is not allowed for the operator role/)
    .waitFor();
  await until('main knows', () => host.session.assist.view.features?.clipboardToDevice.allowed === false);
  const forbidden = await host.session.assist.toDevice('forbidden');
  assert.equal(forbidden.ok ? 'ok' : forbidden.code, 'not-permitted');
  assert.equal(xClipboard(), 'not shared any more');

  // Each transfer audited: direction, how, size; never the text.
  await until('audited', () => trail().length === 3);
  assert.deepEqual(trail(), [
    { result: 'ok', direction: 'to-device', how: 'sent', chars: text.length },
    { result: 'ok', direction: 'from-device', how: 'fetched', chars: 'Error 0x80070005: access denied'.length },
    { result: 'ok', direction: 'from-device', how: 'shared', chars: 'shared by the user 1'.length },
  ]);
});

test('clipboard: off by default during unattended assistance', async () => {
  const { capabilityDecision } = await import('../../src/shared/capability-decision.js');
  const settings = { product: DEFAULT_POLICY, groups: {} };
  const ask = (mode: 'attended' | 'unattended', s = settings) =>
    capabilityDecision(s, { group: 'g', role: 'operator', capability: 'clipboard.to-device', mode }).allowed;
  assert.equal(ask('attended'), true);
  assert.equal(ask('unattended'), false);
  const allowed = {
    product: {
      ...DEFAULT_POLICY,
      capabilities: { ...DEFAULT_POLICY.capabilities, 'clipboard.to-device': { operator: true } },
    },
    groups: {},
  };
  assert.equal(ask('unattended', allowed), true, 'unless the policy allows it');
});
