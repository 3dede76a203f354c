/**
 * The operator in the browser, end to end on the Xvfb rig: a console user signs in to the console
 * in Chromium, requests an assistance for a device run by the real agent (dev/rig/agent-rig.ts),
 * presses "Connect in the browser", and the viewer the relay serves (/console/operator/, signed in
 * through the console session) opens it: the device's consent window says the operator comes
 * through a browser page served by the help desk's relay, the user allows, the viewer shows the
 * device's screen (pixels read back) and a click lands on the device; the audit names the
 * browser operator, and the toolbar's ticket and notes reach it. Refused where the policy turns it
 * off, by a device that requires the verification words (nothing shown to its user), and an
 * unattended one asks for the one-time password and opens only once. A session the policy records
 * is recorded by the page itself (it has no main process): its chunks reach the relay, the session
 * is not ended for silence, a console sign-out stops them and the viewer's bar says so, and the
 * console plays it back with its chain intact.
 */
import assert from 'node:assert/strict';
import { after, before, test, type TestContext } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startAgentRig, type AgentRig } from '../../dev/rig/agent-rig.js';
import { clientPointExpression, waitForColour } from '../../dev/rig/page-probes.js';
import { startTestRelay, type TestRelay } from '../../dev/rig/relay.js';
import { startTargetWindow } from '../../dev/rig/target-window.js';
import { eventually, until } from '../../dev/rig/until.js';
import { TARGET_COLOURS } from '../../dev/rig/x-target.js';
import { setRootColour, startXvfb, type Xvfb } from '../../dev/rig/xvfb.js';
import { BROWSER_OPERATOR_NEEDS_WORDS, BROWSER_OPERATOR_NOTICE } from '../../src/shared/browser-operator.js';
import { CONTENT_SECURITY_POLICY } from '../../src/shared/content-security-policy.js';
import { PolicySettings } from '../../src/shared/policy.js';
import type { VerificationPolicy } from '../../src/shared/verification-policy.js';
import { ADMIN_PASSWORD, firstAdmin, type ConsoleClient } from '../fixtures/console.js';

const W = 1280;
const H = 720;
const BACKGROUND = 0x3366cc;
const TARGET = { x: 640, y: 300, width: 300, height: 200 };

let xvfb: Xvfb;

before(async () => {
  xvfb = await startXvfb({ width: W, height: H });
  setRootColour(xvfb, '#3366cc');
});
after(() => xvfb?.close());

const waitForPixel = (page: Page, x: number, y: number, colour: number, timeoutMs?: number) =>
  waitForColour(page, { x, y }, colour, { width: W, height: H }, timeoutMs);

interface Setup {
  relay: TestRelay;
  rig: AgentRig;
  admin: ConsoleClient;
}

/** A relay, the agent's device on it, its first admin; the browser operator allowed or not by the policy. */
async function setUp(
  t: TestContext,
  opts: { browserOperator: boolean; verification?: VerificationPolicy; recorded?: boolean },
) {
  const target = await startTargetWindow(xvfb, TARGET);
  t.after(() => target.kill());
  const relay = await startTestRelay();
  t.after(() => relay.close());
  const rig = await startAgentRig(xvfb.display, relay, opts.verification ? { verification: opts.verification } : {});
  t.after(() => rig.close());
  const admin = await firstAdmin(relay);
  if (opts.browserOperator) {
    const settings = PolicySettings.parse((await admin.call('GET', '/policy')).body);
    settings.product.capabilities['browser-operator'] = { admin: true, operator: true };
    if (opts.recorded) settings.product.capabilities.recording = { admin: true, operator: true };
    const saved = await admin.call('PUT', '/policy', settings);
    assert.equal(saved.status, 200, saved.text);
  }
  return { relay, rig, admin } satisfies Setup;
}

/** The console in a fresh browser context, signed in as the first admin, the device's assistance panel open. */
async function consoleOnDevice(t: TestContext, browser: Browser, relay: TestRelay): Promise<Page> {
  const context = await browser.newContext();
  t.after(() => context.close());
  const page = await context.newPage();
  await page.goto(`${relay.url}/console/`);
  await page.getByLabel('Username').fill('root-admin');
  await page.getByLabel('Password').fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Console' }).getByRole('button', { name: 'Devices', exact: true }).click();
  await page.getByRole('radio', { name: 'Select test-desktop' }).check();
  await page.getByRole('heading', { name: 'Remote assistance: test-desktop' }).waitFor();
  return page;
}

/** Requests an assistance of `type` on the console's page. */
async function request(page: Page, type: 'Attended' | 'Unattended'): Promise<void> {
  await page.getByRole('group', { name: 'Remote assistance' }).getByRole('button', { name: type, exact: true }).click();
  await page.getByRole('heading', { name: 'Assistance requested' }).waitFor();
}

/** "Connect in the browser": the viewer opens in a new tab of the same browser context. */
async function connectInBrowser(page: Page): Promise<{ viewer: Page; violations: string[] }> {
  const [viewer] = await Promise.all([
    page.context().waitForEvent('page'),
    page.getByRole('button', { name: 'Connect in the browser' }).click(),
  ]);
  const violations: string[] = [];
  viewer.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
  });
  viewer.on('pageerror', (err) => violations.push(`page error: ${err.message}`));
  await viewer.waitForLoadState('domcontentloaded');
  return { viewer, violations };
}

test('attended in the browser: the consent window says so, the user allows, pixels and a click; audited as the browser operator', async (t) => {
  const { relay, rig } = await setUp(t, { browserOperator: true });
  const consolePage = await consoleOnDevice(t, rig.browser, relay);
  await request(consolePage, 'Attended');
  const { viewer, violations } = await connectInBrowser(consolePage);
  assert.equal(new URL(viewer.url()).pathname, '/console/operator/');
  assert.equal(new URL(viewer.url()).hash, '', 'the assistance left the address bar');
  const served = await viewer.request.get(`${relay.url}/console/operator/`);
  assert.equal(served.headers()['content-security-policy'], CONTENT_SECURITY_POLICY, "the console's strict CSP");

  await viewer.getByText("Waiting for the user's consent").waitFor({ timeout: 10_000 });
  const sessionId = (await consolePage.locator('.session-id').textContent())!.replace(/\D/g, '');
  const host = await rig.hostFor(sessionId);
  const consent = host.page.getByTestId('consent');
  await consent.waitFor({ timeout: 10_000 });
  assert.equal(await host.page.getByTestId('consent-operator').textContent(), 'Ada Admin');
  assert.equal(await host.page.getByTestId('consent-browser').textContent(), BROWSER_OPERATOR_NOTICE);
  assert.match(BROWSER_OPERATOR_NOTICE, /browser page served by the help desk's relay/);
  await host.page.getByRole('button', { name: 'Allow control' }).click();

  await waitForPixel(viewer, 20, 20, BACKGROUND, 15_000);
  assert.match((await viewer.getByTestId('session-bar').textContent()) ?? '', /^test-desktop — session/);
  await waitForPixel(viewer, TARGET.x + 20, TARGET.y + 20, TARGET_COLOURS.idle);
  const at = await viewer.evaluate<{ x: number; y: number }>(
    clientPointExpression(TARGET.x + 150, TARGET.y + 100, W, H),
  );
  await viewer.mouse.click(at.x, at.y);
  await waitForPixel(viewer, TARGET.x + 20, TARGET.y + 20, TARGET_COLOURS.clicked);
  setRootColour(xvfb, '#228844');
  await waitForPixel(viewer, 20, 20, 0x228844);
  setRootColour(xvfb, '#3366cc');
  assert.deepEqual(violations, [], 'no CSP violation, no page error');

  const started = relay.handle.audit.query({ action: 'connection.started' }).filter((e) => e.sessionId === sessionId);
  assert.equal(started.length, 1);
  assert.equal(started[0]!.actor.name, 'Ada Admin');
  assert.equal(started[0]!.detail.via, 'browser', 'the audit says the operator came through the browser');
  const decided = relay.handle.audit.query({ action: 'consent.decided' }).find((e) => e.sessionId === sessionId);
  assert.equal(decided?.result, 'allowed-control');
  assert.equal(decided?.detail.via, 'browser');

  // The toolbar's ticket and notes reach the relay's audit trail from the browser too.
  await viewer.getByTestId('viewer-toolbar').getByRole('button', { name: 'Ticket and notes' }).click();
  await viewer.getByLabel('Ticket number').fill('HD-0042');
  await viewer.getByLabel('Notes', { exact: true }).fill('Helped from the browser.');
  await viewer.getByRole('button', { name: 'Save to the audit trail' }).click();
  await viewer.getByTestId('notes-saved').waitFor();
  const noted = relay.handle.audit.query({ action: 'assistance.notes' }).find((e) => e.sessionId === sessionId);
  assert.equal(noted?.detail.ticket, 'HD-0042');
  assert.equal(noted?.actor.name, 'Ada Admin');
  assert.deepEqual(violations, [], 'no CSP violation, no page error');

  await viewer.getByRole('button', { name: 'Leave session' }).click();
  await host.page.getByText('Ada Admin ended the session.').waitFor({ timeout: 5_000 });
});

test('the policy off: the browser operator is refused when it opens the assistance, in words, and audited', async (t) => {
  const { relay, rig } = await setUp(t, { browserOperator: false });
  const consolePage = await consoleOnDevice(t, rig.browser, relay);
  await request(consolePage, 'Attended');
  const { viewer } = await connectInBrowser(consolePage);
  await viewer
    .getByText('Browser operator is not allowed for the admin role on devices of report group Office', { exact: false })
    .waitFor({ timeout: 10_000 });
  const sessionId = (await consolePage.locator('.session-id').textContent())!.replace(/\D/g, '');
  const host = await rig.hostFor(sessionId);
  assert.ok(!host.states.some((s) => s.status === 'consent'), 'the user was never asked');
  const refused = relay.handle.audit
    .query({ action: 'assistance.refused' })
    .find((e) => e.sessionId === sessionId && e.detail.via === 'browser');
  assert.ok(refused, 'the refusal is in the audit trail');
  assert.equal(refused.actor.name, 'Ada Admin');
});

test('a device that requires the verification words refuses the browser operator; its user is not asked', async (t) => {
  const { relay, rig } = await setUp(t, {
    browserOperator: true,
    verification: { required: true, unattended: 'view' },
  });
  const consolePage = await consoleOnDevice(t, rig.browser, relay);
  await request(consolePage, 'Attended');
  const { viewer } = await connectInBrowser(consolePage);
  await viewer.getByText(BROWSER_OPERATOR_NEEDS_WORDS).waitFor({ timeout: 15_000 });
  const sessionId = (await consolePage.locator('.session-id').textContent())!.replace(/\D/g, '');
  const host = await rig.hostFor(sessionId);
  assert.ok(!host.states.some((s) => s.status === 'consent'), 'no consent window was shown');
  await until('the host says why', () =>
    host.states.some((s) => s.status === 'ended' && s.reason === 'browser-refused'),
  );
  const decided = relay.handle.audit.query({ action: 'consent.decided' }).find((e) => e.sessionId === sessionId);
  assert.equal(decided?.result, 'declined');
  assert.equal(relay.handle.audit.query({ action: 'connection.started' }).length, 0, 'nobody connected');
});

test('unattended in the browser: the one-time password is asked, the screen shows; the same assistance opens only once', async (t) => {
  const { relay, rig } = await setUp(t, { browserOperator: true });
  const consolePage = await consoleOnDevice(t, rig.browser, relay);
  await request(consolePage, 'Unattended');
  const password = (await consolePage.getByLabel('One-time password').textContent())!;
  const { viewer } = await connectInBrowser(consolePage);
  await viewer.getByTestId('password-prompt').waitFor({ timeout: 10_000 });
  await viewer.getByLabel('One-time password').fill(password);
  await viewer.getByRole('button', { name: 'Connect' }).click();
  await waitForPixel(viewer, 20, 20, BACKGROUND, 15_000);
  const sessionId = (await consolePage.locator('.session-id').textContent())!.replace(/\D/g, '');
  const host = await rig.hostFor(sessionId);
  await host.page.getByTestId('unattended-banner').waitFor();
  const started = relay.handle.audit.query({ action: 'connection.started' }).find((e) => e.sessionId === sessionId);
  assert.equal(started?.detail.via, 'browser');
  assert.equal(started?.detail.how, 'password');

  // Once used, the same assistance opens no more, in the browser as with its file.
  const second = await connectInBrowser(consolePage);
  await second.viewer
    .getByText('This activation file has already been used.', { exact: false })
    .waitFor({ timeout: 10_000 });
  await waitForPixel(viewer, 20, 20, BACKGROUND);
});

test('recorded in the browser: the page uploads its chunks, the session stays on, the console plays it back', async (t) => {
  const { relay, rig } = await setUp(t, { browserOperator: true, recorded: true });
  const consolePage = await consoleOnDevice(t, rig.browser, relay);
  await request(consolePage, 'Attended');
  const { viewer, violations } = await connectInBrowser(consolePage);
  const sessionId = (await consolePage.locator('.session-id').textContent())!.replace(/\D/g, '');
  const host = await rig.hostFor(sessionId);
  await host.page.getByTestId('consent-recorded').waitFor({ timeout: 10_000 });
  await host.page.getByRole('button', { name: 'Allow control' }).click();
  await viewer.getByTestId('recording-on').waitFor({ timeout: 10_000 });
  await waitForPixel(viewer, 20, 20, BACKGROUND, 15_000);
  const at = await viewer.evaluate<{ x: number; y: number }>(
    clientPointExpression(TARGET.x + 150, TARGET.y + 100, W, H),
  );
  await viewer.mouse.click(at.x, at.y);

  const chunks = () => relay.handle.audit.query({ sessionId, action: 'recording.chunk' }).length;
  await until('two chunks reached the relay from the page', () => chunks() >= 2, { timeoutMs: 30_000 });
  // 40 s of the relay's time since admission, never 30 s without a chunk: the session stays on.
  relay.clock.advance(20_000);
  const before = chunks();
  await until('one more chunk', () => chunks() > before, { timeoutMs: 15_000 });
  relay.clock.advance(20_000);
  await relay.handle.sweep();
  await until('one more chunk after the sweep', () => chunks() > before + 1, { timeoutMs: 15_000 });
  assert.ok(!host.states.some((s) => s.status === 'ended'), 'the host was not ended');
  assert.equal(relay.handle.audit.query({ sessionId, action: 'assistance.ended' }).length, 0, 'not ended');
  assert.equal(await viewer.getByTestId('recording-problem').count(), 0, 'no upload problem shown');
  const rows = relay.handle.audit.query({ sessionId, action: 'recording.chunk' });
  assert.ok(rows.every((e) => e.actor.name === 'Ada Admin'));

  // Signed out of the console: the page's chunks are refused, and the viewer's bar says so in words.
  await consolePage.getByRole('button', { name: 'Sign out' }).click();
  const problem = viewer.getByTestId('recording-problem');
  await problem.waitFor({ timeout: 15_000 });
  assert.equal(
    await problem.textContent(),
    'The recording does not reach the relay (sign in to the console first); the session ends if this lasts 30 seconds.',
  );
  // Signed in again: the chunks go on (a fresh CSRF token), and the warning goes.
  await consolePage.getByLabel('Username').fill('root-admin');
  await consolePage.getByLabel('Password').fill(ADMIN_PASSWORD);
  await consolePage.getByRole('button', { name: 'Sign in' }).click();
  const afterSignIn = chunks();
  await problem.waitFor({ state: 'detached', timeout: 15_000 });
  assert.ok(chunks() > afterSignIn, 'a chunk was taken again');

  await viewer.getByRole('button', { name: 'Leave session' }).click();
  await host.page.getByText('Ada Admin ended the session.').waitFor({ timeout: 5_000 });
  // The console (the same signed-in context) plays it back, its chain intact.
  await consolePage.goto(`${relay.url}/console/recordings`);
  await consolePage.getByRole('button', { name: `Play ${sessionId}` }).click();
  const recording = consolePage.getByTestId('recording');
  assert.equal(await recording.getByTestId('chain-status').getAttribute('data-intact'), 'true');
  const video = recording.getByTestId('recording-video');
  await eventually(
    'the video knows its duration',
    async () =>
      video.evaluate((v: HTMLVideoElement) => Number.isFinite(v.duration) && v.duration > 0 && v.videoWidth > 0),
    { timeoutMs: 15_000 },
  );
  const pointer = await recording.locator('[data-testid="timeline"] li[data-kind="pointer"]').count();
  assert.ok(pointer >= 2, `the click is in the timeline (${pointer} pointer events)`);
  assert.deepEqual(violations, [], 'no CSP violation, no page error');
});
