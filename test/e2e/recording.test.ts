/**
 * Session recording end to end on the Xvfb rig (real relay, real host and operator main-process
 * modules, both windows in Chromium, the console in Chromium): where the policy requires recording,
 * the consent window says so before Allow and nothing is taken before it; once allowed, the
 * operator's viewer records the remote screen (MediaRecorder, WebM) with the pointer events and
 * uploads it in chunks while the session goes on; the console plays it back (a video with a
 * duration) with its input timeline and says its chain is intact; then one chunk changed on disk
 * and the console reports the break. A recorded unattended assistance (the real agent starting the
 * host) shows a notice on the device's screen while its chunks arrive.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startAgentRig } from '../../dev/rig/agent-rig.js';
import { joinById } from '../../dev/rig/join-by-id.js';
import { openActivation } from '../../dev/rig/operator-activation.js';
import { startTestRelay } from '../../dev/rig/relay.js';
import { startSessionRig } from '../../dev/rig/session-rig.js';
import { eventually, until } from '../../dev/rig/until.js';
import { startXvfb } from '../../dev/rig/xvfb.js';
import { DEFAULT_POLICY } from '../../src/shared/policy.js';
import { ADMIN_PASSWORD, firstAdmin } from '../fixtures/console.js';

let xvfb: Awaited<ReturnType<typeof startXvfb>>;
before(async () => {
  xvfb = await startXvfb({ width: 1280, height: 720 });
});
after(() => xvfb?.close());

test('recording: told before consent, recorded while on, played back in the console, a changed chunk shown', async (t) => {
  const rig = await startSessionRig(xvfb.display);
  t.after(() => rig.close());
  const { host, operator, relay } = rig;
  const admin = await firstAdmin(relay);
  const recorded = { ...DEFAULT_POLICY, capabilities: { recording: { operator: true } } };
  assert.equal((await admin.call('PUT', '/policy', { product: recorded, groups: {} })).status, 200);

  const sessionId = await joinById(rig);
  const chunks = () => relay.handle.audit.query({ sessionId, action: 'recording.chunk' });
  const notice = host.page.getByTestId('consent-recorded');
  await notice.waitFor();
  assert.match((await notice.textContent()) ?? '', /This session will be recorded/);
  assert.equal(chunks().length, 0);
  assert.equal(
    relay.handle.audit.query({ sessionId, action: 'recording.started' }).length,
    0,
    'nothing before consent',
  );

  await host.page.getByRole('button', { name: 'Allow control' }).click();
  await operator.page.getByTestId('recording-on').waitFor({ timeout: 10_000 });
  await host.page.getByTestId('recording-notice').waitFor();
  const screen = operator.page.getByTestId('remote-screen');
  await eventually('the remote screen plays', async () =>
    screen.evaluate((v: HTMLVideoElement) => v.videoWidth > 0 && v.readyState >= 2),
  );
  // Pointer events over the remote screen, while it records.
  const box = (await screen.boundingBox())!;
  for (let i = 1; i <= 5; i++) await operator.page.mouse.move(box.x + (box.width * i) / 6, box.y + box.height / 2);
  await operator.page.mouse.click(box.x + box.width / 2, box.y + box.height / 3);
  // Typed text: its keys counted, never kept; a named key by its name.
  await operator.page.keyboard.type('hunter2');
  await operator.page.keyboard.press('Enter');
  await until('three chunks reached the relay', () => chunks().length >= 3, { timeoutMs: 30_000 });
  const folder = path.join(relay.dataDir, 'recordings', sessionId);
  const stored = await Promise.all(
    (await fs.readdir(folder))
      .filter((f) => f.endsWith('.events.json'))
      .map((f) => fs.readFile(path.join(folder, f), 'utf8')),
  );
  const events = stored.flatMap((text) => JSON.parse(text) as Array<{ kind: string; key?: string; count?: number }>);
  assert.equal(stored.join('').includes('hunter2'), false, 'typed text is not stored');
  assert.deepEqual(
    events.filter((e) => e.kind === 'key').map((e) => e.key),
    ['Enter', 'Enter'],
    'only named keys, down and up',
  );
  assert.equal(
    events.filter((e) => e.kind === 'typed').reduce((n, e) => n + e.count!, 0),
    7,
    'the printable keys counted',
  );

  // The console: the recording, its chain intact, its video with a duration, its pointer timeline.
  const context = await rig.browser.newContext({ viewport: { width: 1280, height: 900 } });
  t.after(() => context.close());
  const page = await context.newPage();
  page.on('pageerror', (err) => console.error(`[console page] ${err.message}`));
  await page.goto(`${relay.url}/console/recordings`);
  await page.getByLabel('Username').fill('root-admin');
  await page.getByLabel('Password').fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  const open = async () => {
    await page.getByRole('button', { name: `Play ${sessionId}` }).click();
    return page.getByTestId('recording');
  };
  const recording = await open();
  assert.equal(await recording.getByTestId('chain-status').getAttribute('data-intact'), 'true');
  const video = recording.getByTestId('recording-video');
  await eventually(
    'the video knows its duration',
    async () =>
      video.evaluate((v: HTMLVideoElement) => Number.isFinite(v.duration) && v.duration > 0 && v.videoWidth > 0),
    { timeoutMs: 15_000 },
  );
  const pointerEvents = await recording.locator('[data-testid="timeline"] li[data-kind="pointer"]').count();
  assert.ok(pointerEvents >= 3, `the timeline shows the pointer events (${pointerEvents})`);

  // One chunk changed on disk: the console says the chain is broken, and which chunk. (A still
  // screen's chunks carry no video: the first with bytes after the first one is changed.)
  const webms = (await fs.readdir(folder))
    .filter((f) => /^\d+\.webm$/.test(f))
    .sort((x, y) => parseInt(x) - parseInt(y));
  const sizes = await Promise.all(webms.map(async (f) => (await fs.stat(path.join(folder, f))).size));
  const changed = webms.find((f, i) => i > 0 && sizes[i]! > 0) ?? webms[0]!;
  const file = path.join(folder, changed);
  const bytes = await fs.readFile(file);
  bytes[bytes.length >> 1] = (bytes[bytes.length >> 1] ?? 0) ^ 0xff;
  await fs.writeFile(file, bytes);
  await page.reload();
  const again = await open();
  await again.getByTestId('chain-status').waitFor();
  assert.equal(await again.getByTestId('chain-status').getAttribute('data-intact'), 'false');
  assert.match((await again.getByTestId('chain-status').textContent()) ?? '', /The chain is broken/);
  assert.match(
    (await again.locator('[data-testid="chunks"] tr[data-status="changed"]').textContent()) ?? '',
    new RegExp(`^${parseInt(changed)}`),
  );
});

test('recording: an unattended assistance the policy records shows a notice on the device and is recorded', async (t) => {
  const relay = await startTestRelay();
  t.after(() => relay.close());
  const admin = await firstAdmin(relay);
  const recorded = { ...DEFAULT_POLICY, capabilities: { recording: { operator: true } } };
  assert.equal((await admin.call('PUT', '/policy', { product: recorded, groups: {} })).status, 200);
  const rig = await startAgentRig(xvfb.display, relay);
  t.after(() => rig.close());

  const assistance = await relay.requestAssistance({ deviceId: rig.device.id, mode: 'unattended' });
  const host = await rig.hostFor(assistance.sessionId);
  await openActivation(rig.operator, relay.url, assistance);
  const op = rig.operator.page;
  await op.getByTestId('password-prompt').waitFor();
  await op.getByLabel('One-time password').fill(assistance.password!);
  await op.getByRole('button', { name: 'Connect' }).click();

  await host.page.getByTestId('unattended-banner').waitFor({ timeout: 10_000 });
  const notice = host.page.getByTestId('recording-notice');
  await notice.waitFor();
  assert.match((await notice.textContent()) ?? '', /This session is being recorded/);
  await op.getByTestId('recording-on').waitFor();
  const { sessionId } = assistance;
  await until(
    'a chunk reached the relay',
    () => relay.handle.audit.query({ sessionId, action: 'recording.chunk' }).length >= 1,
    { timeoutMs: 20_000 },
  );
  const started = relay.handle.audit.query({ sessionId, action: 'recording.started' });
  assert.deepEqual([started.length, started[0]?.detail.mode], [1, 'unattended']);
});
