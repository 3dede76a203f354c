/**
 * Unattended assistance with nobody signed in (issue 12, item 3; docs/secure-desktop.md, "Nobody
 * signed in"), end to end on the Xvfb rig: the real agent, as a service with no display of its own
 * and no user session, a real relay and the operator app. A dynamic request resolves to unattended;
 * the agent starts no host (there is no user) and takes the assistance's place itself; nothing is
 * started or captured before the one-time password; once the operator is in, the agent starts the
 * helper in the console's session and the viewer shows its stream (the logon screen's pixels read
 * back from the canvas), and the operator's click goes to the helper; files (allowed by the policy)
 * cannot go, since there is no host: the Files panel says why in words and a file dropped on the
 * logon screen is refused at once, not left waiting. The helper cannot run on
 * Linux: a stand-in at the agent's platform seam plays it (dev/rig/stand-in-helper.ts).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startAgentRig } from '../../dev/rig/agent-rig.js';
import { openActivation } from '../../dev/rig/operator-activation.js';
import { startTestRelay } from '../../dev/rig/relay.js';
import { standInHelper } from '../../dev/rig/stand-in-helper.js';
import { eventually, until } from '../../dev/rig/until.js';
import { setRootColour, startXvfb, type Xvfb } from '../../dev/rig/xvfb.js';
import { waitForColour } from '../../dev/rig/page-probes.js';
import { FILES_NO_USER_SESSION } from '../../src/shared/file-transfer.js';
import { PolicySettings } from '../../src/shared/policy.js';
import type { UserSession } from '../../src/shared/user-sessions.js';
import { firstAdmin } from '../fixtures/console.js';
import { waitForCanvasPicture } from '../fixtures/secure-desktop-canvas.js';

/** The logon screen's picture: top half white, bottom half dark blue (BGRA). */
const FW = 300;
const FH = 200;
const PIXELS = Buffer.alloc(FW * FH * 4);
for (let y = 0; y < FH; y++)
  for (let x = 0; x < FW; x++) PIXELS.set(y < FH / 2 ? [255, 255, 255, 255] : [80, 20, 0, 255], (y * FW + x) * 4);

let xvfb: Xvfb;
before(async () => {
  xvfb = await startXvfb({ width: 1280, height: 720 });
  // The desktop of whoever signs in: what the host's video shows once it took the assistance over.
  setRootColour(xvfb, '#3366cc');
});
after(() => xvfb?.close());

test('nobody signed in: admitted by the password, no host, the logon screen from the helper, clicks to the helper', async (t) => {
  const relay = await startTestRelay();
  t.after(() => relay.close());
  const helper = standInHelper({ console: 1, desktop: 'Winlogon', frame: { width: FW, height: FH, pixels: PIXELS } });
  const rig = await startAgentRig(xvfb.display, relay, {
    userSessions: [],
    ownDisplay: false,
    secureDesktopHelper: { platform: helper.platform, connect: helper.connect },
  });
  t.after(() => rig.close());
  // Files both ways allowed during unattended too: what stops them is that nobody is signed in.
  const admin = await firstAdmin(relay);
  const settings = PolicySettings.parse((await admin.call('GET', '/policy')).body);
  settings.product.capabilities['files.to-device'] = { operator: true };
  settings.product.capabilities['files.from-device'] = { operator: true };
  assert.equal((await admin.call('PUT', '/policy', settings)).status, 200);

  const assistance = await relay.requestAssistance({ deviceId: rig.device.id, mode: 'dynamic' });
  assert.equal(assistance.mode, 'unattended');
  assert.match(assistance.modeReason, /nobody is active/);
  assert.ok(assistance.password);
  assert.ok(
    rig.device.log.some((l) =>
      l.includes(`assistance ${assistance.sessionId} waits for its operator at the logon screen`),
    ),
    rig.device.log.join('\n'),
  );

  await openActivation(rig.operator, relay.url, assistance);
  const op = rig.operator.page;
  await op.getByTestId('password-prompt').waitFor();
  // Until the password: no helper started, nothing captured.
  await op.waitForTimeout(1_000);
  assert.equal(helper.starts.length, 0);
  assert.equal(helper.captures(), 0);

  await op.getByLabel('One-time password').fill(assistance.password);
  await op.getByRole('button', { name: 'Connect' }).click();
  await op.getByTestId('secure-desktop-screen').waitFor({ timeout: 10_000 });
  // Started for this assistance in the console's session, on a pipe named for it.
  assert.equal(helper.starts.length, 1);
  assert.equal(helper.starts[0]!.session, 1);
  assert.match(helper.starts[0]!.pipe, /^\\\\\.\\pipe\\flxra-desktop-1-[0-9a-f]{16}$/);
  await waitForCanvasPicture(op, [
    { x: 10, y: 10, rgb: 0xffffff },
    { x: FW - 10, y: FH - 10, rgb: 0x001450 },
  ]);
  assert.equal(rig.hosts.length, 0, 'no host: nobody is signed in');
  // No peer, no video: the logon screen is the picture, and the operator has control of it.
  assert.equal(await op.getByTestId('access-mode').textContent(), 'You have control');

  // The operator's click on the logon screen reaches the helper, at the frame's point.
  const box = (await op.getByTestId('secure-desktop-screen').boundingBox())!;
  await op.mouse.click(box.x + box.width / 4, box.y + (box.height * 3) / 4);
  const down = await until('the click at the helper', () =>
    helper.inputs.find((i) => i.kind === 'pointer' && i.action === 'down'),
  );
  assert.ok(down.kind === 'pointer');
  assert.ok(Math.abs(down.x - FW / 4) <= 2 && Math.abs(down.y - (FH * 3) / 4) <= 2, JSON.stringify(down));

  // Files: no host, so nothing to send them to or fetch them from. Said in words, not a wait.
  await op.getByTestId('viewer-toolbar').getByRole('button', { name: 'Files', exact: true }).click();
  assert.equal(await op.getByTestId('files-no-host').textContent(), FILES_NO_USER_SESSION);
  assert.match(FILES_NO_USER_SESSION, /^Nobody is signed in on the device/);
  assert.equal(await op.getByTestId('device-browser').count(), 0, 'no browser of files that never answers');
  const dropped = await op.evaluateHandle(() => {
    const dt = new DataTransfer();
    dt.items.add(new File(['hello'], 'readme.txt', { type: 'text/plain' }));
    return dt;
  });
  await op.getByTestId('screen-frame').dispatchEvent('drop', { dataTransfer: dropped });
  const row = op.locator('[data-testid="file-transfer"][data-name="readme.txt"]');
  await row.waitFor({ timeout: 5_000 });
  await eventually('the drop refused', async () => (await row.getAttribute('data-state')) === 'failed');
  assert.equal(await row.getByTestId('file-status').textContent(), FILES_NO_USER_SESSION);

  // Ended by an administrator: the agent gives the place up and closes the helper's pipe.
  const ended = await admin.call('POST', `/assistances/${assistance.sessionId}/end`);
  assert.equal(ended.status, 200, ended.text);
  await until(
    'the helper closed',
    () => helper.closed() && rig.device.agent.secureDesktopHelperStatus(assistance.sessionId) === null,
  );
  assert.equal(rig.hosts.length, 0);
});

test('nobody signed in and attended asked for: nobody can consent, so the request fails saying so', async (t) => {
  const relay = await startTestRelay();
  t.after(() => relay.close());
  const helper = standInHelper({ console: 1, desktop: 'Winlogon', frame: { width: FW, height: FH, pixels: PIXELS } });
  const rig = await startAgentRig(xvfb.display, relay, {
    userSessions: [],
    ownDisplay: false,
    secureDesktopHelper: { platform: helper.platform, connect: helper.connect },
  });
  t.after(() => rig.close());
  await assert.rejects(relay.requestAssistance({ deviceId: rig.device.id, mode: 'attended' }), (err: Error) => {
    assert.match(err.message, /nobody is signed in to this device, so nobody can consent/);
    return true;
  });
  assert.equal(helper.starts.length, 0);
  assert.equal(rig.hosts.length, 0);
});

test('the operator signs in through the logon screen: the host starts in the new session, takes the assistance over, and the video is back', async (t) => {
  const relay = await startTestRelay();
  t.after(() => relay.close());
  const helper = standInHelper({ console: 1, desktop: 'Winlogon', frame: { width: FW, height: FH, pixels: PIXELS } });
  let sessions: UserSession[] = [];
  const rig = await startAgentRig(xvfb.display, relay, {
    userSessions: () => sessions,
    ownDisplay: false,
    secureDesktopHelper: { platform: helper.platform, connect: helper.connect },
  });
  t.after(() => rig.close());
  const assistance = await relay.requestAssistance({ deviceId: rig.device.id, mode: 'dynamic' });
  assert.equal(assistance.mode, 'unattended');
  await openActivation(rig.operator, relay.url, assistance);
  const op = rig.operator.page;
  await op.getByTestId('password-prompt').waitFor();
  await op.getByLabel('One-time password').fill(assistance.password!);
  await op.getByRole('button', { name: 'Connect' }).click();
  await op.getByTestId('secure-desktop-screen').waitFor({ timeout: 10_000 });
  assert.equal(rig.hosts.length, 0);

  // The sign-in: Windows makes the new user's session on the console, and the input desktop is Default again.
  sessions = [{ id: '1', user: 'operator-ana', state: 'active', kind: 'console', display: xvfb.display }];
  helper.switchDesktop('Default');
  const host = await rig.hostFor(assistance.sessionId, 15_000);
  assert.equal(host.request.userSessionId, '1');
  assert.equal(host.request.takeOver?.sessionId, assistance.sessionId);
  assert.equal(host.request.takeOver?.operator.id, relay.operatorIdentity.id);
  // The host is the assistance's now: its banner (no consent), the video of the new session in the viewer.
  await host.page.getByTestId('unattended-banner').waitFor({ timeout: 10_000 });
  assert.ok(!host.states.some((s) => s.status === 'consent'), 'no consent asked');
  await op.getByTestId('secure-desktop-screen').waitFor({ state: 'detached', timeout: 5_000 });
  await waitForColour(op, { x: 20, y: 20 }, 0x3366cc, { width: 1280, height: 720 }, 15_000);
  assert.ok(
    rig.device.log.some((l) => new RegExp(`takes assistance ${assistance.sessionId} over`).test(l)),
    rig.device.log.join('\n'),
  );
  // The helper stays for the new session's UAC prompts; the assistance runs on.
  assert.equal(helper.closed(), false);
  assert.equal(await op.getByTestId('access-mode').textContent(), 'You have control');
});
