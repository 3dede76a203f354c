/**
 * The operator's home screen on the Xvfb rig, with a real relay and a real host: an activation
 * file opened with "Open activation file…" and one dropped on the window each reach the session
 * (the host's screen in the viewer), Ask again after the user declined starts a new request for
 * the same device, a file that is gone says so in a sentence, and "Open the console" opens the
 * configured relay's console and nothing else.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { RELAY_KEYS_PATH, type AssistanceResponse } from '../../src/shared/relay-api.js';
import { startSessionRig, type SessionRig } from '../../dev/rig/session-rig.js';
import { startTargetWindow } from '../../dev/rig/target-window.js';
import { setRootColour, startXvfb, type Xvfb } from '../../dev/rig/xvfb.js';
import { waitForColour } from '../../dev/rig/page-probes.js';

const W = 1280;
const H = 720;

let xvfb: Xvfb;
let target: ChildProcess;
let downloads: string;

before(async () => {
  xvfb = await startXvfb({ width: W, height: H });
  setRootColour(xvfb, '#3366cc');
  target = await startTargetWindow(xvfb, { x: 700, y: 300, width: 300, height: 200 });
  downloads = await mkdtemp(path.join(os.tmpdir(), 'flxra-home-'));
});

after(async () => {
  target?.kill();
  await xvfb?.close();
  await rm(downloads, { recursive: true, force: true });
});

async function enrolledRig(t: { after(fn: () => Promise<void>): void }): Promise<SessionRig> {
  const rig = await startSessionRig(xvfb.display, { enrolled: true });
  t.after(() => rig.close());
  await rig.host.page.getByTestId('session-id').waitFor({ timeout: 10_000 });
  return rig;
}

async function download(response: AssistanceResponse): Promise<string> {
  const file = path.join(downloads, response.activation.fileName);
  await writeFile(file, response.activation.content);
  return file;
}

async function trustRelay(rig: SessionRig): Promise<void> {
  const page = rig.operator.page;
  await page.getByTestId('trust-relay').waitFor();
  const published = (await (await fetch(`${rig.relay.url}${RELAY_KEYS_PATH}`)).json()) as {
    keys: Array<{ fingerprint: string }>;
  };
  assert.equal(await page.getByTestId('fingerprint').textContent(), published.keys[0]!.fingerprint);
  await page.getByRole('button', { name: 'The fingerprints match: trust it' }).click();
}

/** The user allows control and the operator sees the device's screen: the session is real. */
async function allowAndSee(rig: SessionRig): Promise<void> {
  await rig.host.page.getByTestId('consent').waitFor();
  await rig.host.page.getByRole('button', { name: 'Allow control' }).click();
  await waitForColour(rig.operator.page, { x: 20, y: 20 }, 0x3366cc, { width: W, height: H }, 10_000);
  assert.match((await rig.operator.page.getByTestId('session-bar').textContent()) ?? '', /test-desktop/);
}

/** Drops a file with this name and content on the home screen, as the operator's file manager would. */
async function dropFile(page: Page, name: string, content: string): Promise<void> {
  const dataTransfer = await page.evaluateHandle(
    ([name, content]) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([content], name, { type: 'application/octet-stream' }));
      return transfer;
    },
    [name, content] as const,
  );
  await page.getByTestId('home').dispatchEvent('dragover', { dataTransfer });
  await page.getByTestId('home').dispatchEvent('drop', { dataTransfer });
}

test('"Open activation file…": the chosen file reaches the session; the waiting screen counts down', async (t) => {
  const rig = await enrolledRig(t);
  const op = rig.operator.page;
  const response = await rig.relay.requestAssistance({ deviceId: rig.host.deviceId!, mode: 'attended' });
  rig.operator.desktop.choose(await download(response));
  await op.getByRole('button', { name: 'Open activation file…' }).click();
  await trustRelay(rig);
  const countdown = op.getByTestId('request-countdown');
  await countdown.waitFor();
  assert.match((await countdown.textContent()) ?? '', /^This request expires in \d+ min \d\d s\.$/);
  await allowAndSee(rig);
});

test('a dropped .flxra reaches the session; a dropped file of another kind is refused in words', async (t) => {
  const rig = await enrolledRig(t);
  const op = rig.operator.page;
  await dropFile(op, 'notes.txt', 'hello');
  assert.equal(
    await op.getByTestId('home-problem').textContent(),
    'notes.txt is not an activation file: those end in .flxra.',
  );
  const response = await rig.relay.requestAssistance({ deviceId: rig.host.deviceId!, mode: 'attended' });
  await dropFile(op, response.activation.fileName, response.activation.content);
  await trustRelay(rig);
  await allowAndSee(rig);
});

test('Ask again after the user declined: one click, a new request for the same device', async (t) => {
  const rig = await enrolledRig(t);
  const op = rig.operator.page;
  const first = await rig.relay.requestAssistance({ deviceId: rig.host.deviceId!, mode: 'attended' });
  rig.operator.desktop.choose(await download(first));
  await op.getByRole('button', { name: 'Open activation file…' }).click();
  await trustRelay(rig);
  await rig.host.page.getByTestId('consent').waitFor();
  await rig.host.page.getByRole('button', { name: 'Deny' }).click();
  await op.getByText('The user declined your request.').waitFor();
  assert.equal(await op.getByText('A new request to test-desktop.').count(), 1);

  await op.getByRole('button', { name: 'Ask again' }).click();
  await op.getByTestId('waiting').waitFor();
  const waiting = rig.operator.controller.state;
  assert.equal(waiting.status, 'waiting');
  assert.notEqual(waiting.status === 'waiting' && waiting.sessionId, first.sessionId, 'a new assistance');
  assert.equal(waiting.status === 'waiting' && waiting.deviceName, 'test-desktop');
  await allowAndSee(rig);
});

test('Ask again after leaving an unattended assistance: back in at once with the password the relay gave the app', async (t) => {
  const rig = await enrolledRig(t);
  const op = rig.operator.page;
  const first = await rig.relay.requestAssistance({ deviceId: rig.host.deviceId!, mode: 'unattended' });
  rig.operator.desktop.choose(await download(first));
  await op.getByRole('button', { name: 'Open activation file…' }).click();
  await trustRelay(rig);
  await op.getByLabel('One-time password').fill(first.password!);
  await op.getByRole('button', { name: 'Connect' }).click();
  await op.getByTestId('session-bar').waitFor();
  await op.getByRole('button', { name: 'Leave session' }).click();
  await op.getByText('You left the session.').waitFor();
  const before = rig.operator.states.length;
  await op.getByRole('button', { name: 'Ask again' }).click();
  await waitForColour(op, { x: 20, y: 20 }, 0x3366cc, { width: W, height: H }, 10_000);
  const shown = rig.operator.states.slice(before).map((s) => s.status);
  assert.ok(!shown.includes('password'), `no password asked again (${shown.join(', ')})`);
  const now = rig.operator.controller.state;
  assert.ok(now.status === 'active' && now.sessionId !== first.sessionId, 'a new assistance, admitted');
  await rig.host.page.getByTestId('unattended-banner').waitFor();
});

test('Ask again where the relay says no: why, in its words', async (t) => {
  const rig = await enrolledRig(t);
  const op = rig.operator.page;
  const first = await rig.relay.requestAssistance({ deviceId: rig.host.deviceId!, mode: 'attended' });
  rig.operator.desktop.choose(await download(first));
  await op.getByRole('button', { name: 'Open activation file…' }).click();
  await trustRelay(rig);
  await op.getByTestId('waiting').waitFor();
  await op.getByRole('button', { name: 'Cancel' }).click();
  await op.getByText('You left the session.').waitFor();
  // The device leaves the relay: a new request cannot reach it.
  rig.host.session.stop();
  await op.getByRole('button', { name: 'Ask again' }).click();
  await op.getByText(/^flxra could not ask test-desktop again: Device .* is not connected to the relay\.$/).waitFor();
});

test('a chosen file that no longer exists says so, by name; the console opens at the configured relay', async (t) => {
  const rig = await enrolledRig(t);
  const op = rig.operator.page;
  rig.operator.desktop.choose(path.join(downloads, 'flxra-123456789.flxra'));
  await op.getByRole('button', { name: 'Open activation file…' }).click();
  await op.getByText('The file flxra-123456789.flxra no longer exists.', { exact: false }).waitFor({ timeout: 5_000 });
  assert.doesNotMatch((await op.getByTestId('refused').textContent()) ?? '', /ENOENT/);

  await op.getByRole('button', { name: 'Open the console' }).click();
  await op.waitForFunction(() => true);
  for (let i = 0; i < 50 && rig.operator.desktop.opened.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(rig.operator.desktop.opened, [`${new URL(rig.relay.url).origin}/console/`]);
});
