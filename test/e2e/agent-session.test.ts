/**
 * Assistances for a device run by its agent, end to end on the Xvfb rig (dev/rig/agent-rig.ts): the
 * real agent enrolled on a real relay starts the real host (host page capturing the Xvfb screen, X11
 * input) with the relay's one-time host token when an assistance is requested; the operator app opens
 * its `.flxra` file; the user allows (attended) or the operator types the password (unattended); the
 * pixels prove the session; and once the assistance is over the host the agent started is closed, which
 * its launcher tells the agent.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { after, before, test, type TestContext } from 'node:test';
import type { Page } from 'playwright-core';
import { startAgentRig, type AgentHost } from '../../dev/rig/agent-rig.js';
import { openActivation } from '../../dev/rig/operator-activation.js';
import { clientPointExpression, waitForColour } from '../../dev/rig/page-probes.js';
import { startTestRelay, type ApiRefusal, type TestRelay } from '../../dev/rig/relay.js';
import type { UserSession } from '../../src/shared/user-sessions.js';
import { firstAdmin } from '../fixtures/console.js';
import { startTargetWindow } from '../../dev/rig/target-window.js';
import { until } from '../../dev/rig/until.js';
import { TARGET_COLOURS } from '../../dev/rig/x-target.js';
import { setRootColour, startXvfb, type Xvfb } from '../../dev/rig/xvfb.js';

const W = 1280;
const H = 720;
const BACKGROUND = 0x3366cc;
const TARGET = { x: 640, y: 300, width: 300, height: 200 };

let xvfb: Xvfb;

const waitForPixel = (page: Page, x: number, y: number, colour: number, timeoutMs?: number) =>
  waitForColour(page, { x, y }, colour, { width: W, height: H }, timeoutMs);

/** A click in the target window through the operator's viewer lands on the device: the target shows it clicked. */
async function clickTarget(page: Page): Promise<void> {
  await waitForPixel(page, TARGET.x + 20, TARGET.y + 20, TARGET_COLOURS.idle);
  const at = await page.evaluate<{ x: number; y: number }>(clientPointExpression(TARGET.x + 150, TARGET.y + 100, W, H));
  await page.mouse.click(at.x, at.y);
  await waitForPixel(page, TARGET.x + 20, TARGET.y + 20, TARGET_COLOURS.clicked);
}

/** Whether a promise has settled, seen without waiting for it. */
function settled(promise: Promise<unknown>): () => boolean {
  let done = false;
  void promise.then(() => (done = true));
  return () => done;
}

/** A fresh target window (idle until clicked), closed with the test. */
async function targetWindow(t: TestContext): Promise<ChildProcess> {
  const target = await startTargetWindow(xvfb, TARGET);
  t.after(() => target.kill());
  return target;
}

/**
 * The host's window, showing its last screen, is set to close itself; the host runs until it does,
 * then its launcher tells the agent it exited. The assistance is over on the relay, for `reason`
 * ('host-closed': it ended with its host).
 */
async function hostClosesItself(
  relay: TestRelay,
  host: AgentHost,
  exited: () => boolean,
  reason: string,
): Promise<void> {
  const { sessionId } = host.request;
  await until('the window set to close itself', () => host.closeTimer.pending() !== null);
  assert.equal(exited(), false, 'the host runs while its last screen shows');
  host.closeTimer.fire();
  await until("the launcher's host exited", exited);
  assert.equal(host.page.isClosed(), true, 'its window is closed');
  const over = () => relay.logs.find((e) => e.msg === 'assistance ended' && e.fields.session === sessionId);
  const ended = await until('the assistance over on the relay', over);
  assert.equal(ended.fields.reason, reason);
}

before(async () => {
  xvfb = await startXvfb({ width: W, height: H });
  setRootColour(xvfb, '#3366cc');
});

after(() => xvfb?.close());

test('attended: the agent starts the host, the user allows, the operator sees the screen; the host closes after the operator leaves', async (t) => {
  await targetWindow(t);
  const relay = await startTestRelay();
  t.after(() => relay.close());
  const rig = await startAgentRig(xvfb.display, relay);
  t.after(() => rig.close());
  assert.equal(rig.hosts.length, 0, 'no host before an assistance is asked for');

  const assistance = await relay.requestAssistance({ deviceId: rig.device.id, mode: 'attended' });
  const host = await rig.hostFor(assistance.sessionId);
  assert.equal(host.request.mode, 'attended');
  assert.equal(host.request.display, xvfb.display, "the host runs on the agent's own display");
  assert.ok(
    relay.logs.some((e) => e.msg === 'agent started a host' && e.fields.session === assistance.sessionId),
    'the relay heard from the agent that its host started',
  );
  const exited = settled(host.exited);

  await openActivation(rig.operator, relay.url, assistance);
  const op = rig.operator.page;
  await op.getByText("Waiting for the user's consent").waitFor();
  const consent = host.page.getByTestId('consent');
  await consent.waitFor({ timeout: 10_000 });
  assert.equal(await host.page.getByTestId('consent-operator').textContent(), relay.operatorIdentity.name);
  assert.match((await consent.textContent()) ?? '', /wants to view and control your screen\./);

  await host.page.getByRole('button', { name: 'Allow control' }).click();
  await waitForPixel(op, 20, 20, BACKGROUND, 10_000);
  assert.match((await op.getByTestId('session-bar').textContent()) ?? '', /^test-desktop — session/);
  // An operator's role has no admin tools by default: the relay said which (none), and there is no panel.
  await until('the tools list', () => rig.operator.controller.tools.available?.tools.every((t) => !t.allowed));
  assert.equal(await op.getByTestId('tools-panel').count(), 0, 'no panel for a role without the tools');
  await clickTarget(op);
  // A change on the device's screen reaches the operator: the picture is live.
  setRootColour(xvfb, '#228844');
  await waitForPixel(op, 20, 20, 0x228844);
  setRootColour(xvfb, '#3366cc');

  // The operator leaves: the host shows its last screen, then its window closes itself, and with it the host.
  await op.getByRole('button', { name: 'Leave session' }).click();
  await host.page.getByText(`${relay.operatorIdentity.name} ended the session.`).waitFor({ timeout: 5_000 });
  await hostClosesItself(relay, host, exited, 'host-closed');
  assert.equal(host.session.state.status, 'ended');
});

test('unattended: the password, no consent, the pixels; the user ends it and the host the agent started closes', async (t) => {
  await targetWindow(t);
  const relay = await startTestRelay();
  t.after(() => relay.close());
  const rig = await startAgentRig(xvfb.display, relay);
  t.after(() => rig.close());

  const assistance = await relay.requestAssistance({ deviceId: rig.device.id, mode: 'unattended' });
  assert.ok(assistance.password, 'an unattended assistance comes with a password');
  const host = await rig.hostFor(assistance.sessionId);
  assert.equal(host.request.mode, 'unattended');
  const exited = settled(host.exited);

  await openActivation(rig.operator, relay.url, assistance);
  const op = rig.operator.page;
  await op.getByTestId('password-prompt').waitFor();
  await op.getByLabel('One-time password').fill(assistance.password);
  await op.getByRole('button', { name: 'Connect' }).click();
  await waitForPixel(op, 20, 20, BACKGROUND, 10_000);
  await host.page.getByTestId('unattended-banner').waitFor();
  assert.ok(!host.states.some((s) => s.status === 'consent'), 'no consent window in unattended mode');
  await clickTarget(op);

  await host.page.getByRole('button', { name: 'End session' }).click();
  await op.getByText('The user ended the session.').waitFor();
  await hostClosesItself(relay, host, exited, 'host-closed');
  assert.equal(rig.hosts.length, 1, 'one host for one assistance');
});

test('an administrator ends the assistance: the agent is told to stop its host, which closes after its last screen', async (t) => {
  await targetWindow(t);
  const relay = await startTestRelay();
  t.after(() => relay.close());
  const rig = await startAgentRig(xvfb.display, relay);
  t.after(() => rig.close());
  const admin = await firstAdmin(relay);

  const assistance = await relay.requestAssistance({ deviceId: rig.device.id, mode: 'attended' });
  const host = await rig.hostFor(assistance.sessionId);
  const exited = settled(host.exited);
  await openActivation(rig.operator, relay.url, assistance);
  await host.page.getByRole('button', { name: 'Allow control' }).click();
  await waitForPixel(rig.operator.page, 20, 20, BACKGROUND, 10_000);

  const ended = await admin.call('POST', `/assistances/${assistance.sessionId}/end`);
  assert.equal(ended.status, 200, ended.text);
  await until('the agent told to stop its host', () => host.stopRequested(), { seen: () => rig.device.log });
  await host.page.getByTestId('host-over').waitFor({ timeout: 5_000 });
  await hostClosesItself(relay, host, exited, 'ended-by-admin');
});

test("the agent's user sessions: a session-level request starts the host in that session; one on a display the rig lacks fails, saying why", async (t) => {
  const relay = await startTestRelay();
  t.after(() => relay.close());
  const sessions: UserSession[] = [
    { id: '2', user: 'alice', state: 'active', kind: 'console', display: xvfb.display },
    { id: '7', user: 'bob', state: 'active', kind: 'remote', display: ':77' },
  ];
  const rig = await startAgentRig(xvfb.display, relay, { userSessions: sessions });
  t.after(() => rig.close());

  await assert.rejects(
    relay.requestAssistance({ deviceId: rig.device.id, mode: 'attended', userSessionId: '7' }),
    (err: ApiRefusal) => err.code === 'host-failed' && /the rig has one X display/.test(err.message),
  );
  assert.equal(rig.hosts.length, 0);

  const assistance = await relay.requestAssistance({ deviceId: rig.device.id, mode: 'attended', userSessionId: '2' });
  const host = await rig.hostFor(assistance.sessionId);
  const { userSessionId, user, display } = host.request;
  assert.deepEqual({ userSessionId, user, display }, { userSessionId: '2', user: 'alice', display: xvfb.display });
  await openActivation(rig.operator, relay.url, assistance);
  await host.page.getByTestId('consent').waitFor({ timeout: 10_000 });
});
