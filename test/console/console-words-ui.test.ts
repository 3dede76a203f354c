/**
 * The console's words and live states in Debian's Chromium (playwright-core), against real
 * relays: the Assistances page lists a live assistance (a real host and operator through the
 * relay) and an administrator ends it there, both sides are told ended-by-admin and the audit
 * says "Assistance ended" by "Ada Admin, admin"; the policy page explains its settings and shows
 * the relay's refusal of one next to it, naming it; the audit's results are words (the code in
 * the cell's title); the Devices page marks its live states "last known" in its text while the
 * relay does not answer it; and, with the relay as the process a desk
 * runs (`relay serve`), stopping it puts the unreachable banner above the page and greys what it
 * last had, starting it again takes the banner away, and the audit says "Relay restarted" by
 * "the relay". Needs `npm run build:console`.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../dev/chromium-host/renderer-harness.js';
import { startRelayProcess, type RelayProcess } from '../../dev/rig/relay-process.js';
import { startTestRelay, type TestRelay } from '../../dev/rig/relay.js';
import { until } from '../../dev/rig/until.js';
import { parseActivationEnvelope } from '../../src/shared/activation-file.js';
import { AuditPage, CONSOLE_API, PolicySettings } from '../../src/shared/console-api.js';
import { ApiError, AssistanceResponse } from '../../src/shared/relay-api.js';
import { DEFAULT_CONSOLE_DIR } from '../../src/relay/console/handler.js';
import { ADMIN_PASSWORD, firstAdmin, type ConsoleClient } from '../fixtures/console.js';
import { enrolScriptedAgent, type ScriptedAgent } from '../fixtures/scripted-agent.js';

const UI_TIMEOUT_MS = 6_000;

async function newPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(UI_TIMEOUT_MS);
  const page = await context.newPage();
  page.on('pageerror', (err) => console.error(`[console page] ${err.message}`));
  return page;
}

async function signIn(page: Page, url: string, where = 'devices'): Promise<void> {
  await page.goto(`${url}/console/${where}`);
  await page.getByLabel('Username').fill('root-admin');
  await page.getByLabel('Password').fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

const nav = (page: Page, name: string) =>
  page.getByRole('navigation', { name: 'Console' }).getByRole('button', { name, exact: true }).click();

describe('the console in words, in Chromium', () => {
  let relay: TestRelay;
  let browser: Browser;
  let admin: ConsoleClient & { operatorToken: string };
  let agent: ScriptedAgent;
  let page: Page;

  before(async () => {
    if (!existsSync(path.join(DEFAULT_CONSOLE_DIR, 'index.html')))
      throw new Error('out/console is missing: run `npm run build:console` first');
    relay = await startTestRelay();
    admin = await firstAdmin(relay);
    agent = await enrolScriptedAgent(relay, { hostname: 'ws-07', reportGroup: 'Office' });
    browser = await launchChromium();
    page = await newPage(browser);
    await signIn(page, relay.url);
  });
  after(async () => {
    await browser?.close();
    await relay?.close();
  });

  it("marks the Devices page's live states as last known, in words, while the relay cannot be reached", async () => {
    await nav(page, 'Devices');
    const row = page.getByRole('table', { name: 'Devices' }).getByRole('row').filter({ hasText: 'ws-07' });
    const status = row.getByRole('cell').nth(2); // after Select and Device ID (the name is the row's header)
    await status.getByText('Online', { exact: true }).waitFor();
    assert.equal(await page.getByTestId('devices-last-known').count(), 0);
    // The relay stops answering this page (its requests fail as a network would).
    await page.route('**/console/api/**', (route) => route.abort('connectionrefused'));
    await page.getByRole('alert').filter({ hasText: 'The relay cannot be reached' }).waitFor({ timeout: 10_000 });
    assert.equal((await status.textContent())?.trim(), 'Online (last known)');
    assert.match(
      (await page.getByTestId('devices-last-known').textContent()) ?? '',
      /^These are the devices as the relay last reported them: whether each is online/,
    );
    await page.unroute('**/console/api/**');
    await page.getByTestId('devices-last-known').waitFor({ state: 'detached', timeout: 10_000 });
    assert.equal((await status.textContent())?.trim(), 'Online');
  });

  it('ends a live assistance from the Assistances page: both sides are told, and the audit names the admin', async () => {
    const requested = await admin.call('POST', '/assistances', { deviceId: agent.deviceId, mode: 'attended' });
    assert.equal(requested.status, 201, requested.text);
    const { sessionId, activation } = AssistanceResponse.parse(requested.body);
    const host = await agent.nextHost();
    const envelope = parseActivationEnvelope(activation.content);
    assert.ok(envelope.ok);
    const op = await relay.connectOperator(admin.operatorToken);
    op.emit('assistance:open', { activation: envelope.token });
    await host.next('session:join-request');
    host.emit('session:consent', { sessionId, decision: 'control' });
    await op.next('session:admitted');

    await nav(page, 'Assistances');
    const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'ws-07' }) });
    await row.filter({ hasText: 'Connected' }).waitFor();
    assert.match((await row.textContent()) ?? '', /Ada Admin/, 'the operator by name');
    page.once('dialog', (dialog) => {
      assert.match(dialog.message(), /End the assistance on ws-07 by Ada Admin\?/);
      void dialog.accept();
    });
    await row.getByRole('button', { name: 'End the assistance on ws-07' }).click();

    assert.deepEqual(await op.next('session:ended'), { sessionId, reason: 'ended-by-admin' });
    assert.deepEqual(await host.next('session:ended'), { sessionId, reason: 'ended-by-admin' });
    await row.filter({ hasText: 'Ended: an administrator ended it' }).waitFor();
    assert.equal(await row.getByRole('button').count(), 0, 'an ended assistance has no End');

    const audit = AuditPage.parse((await admin.call('GET', '/audit?limit=20')).body).entries;
    const ended = audit.find((e) => e.action === 'assistance.ended' && e.sessionId === sessionId);
    assert.deepEqual(ended?.actor, { kind: 'admin', id: 'root-admin', name: 'Ada Admin' });
    assert.equal(ended?.detail.reason, 'ended-by-admin');
    // In words on the Audit page: what, who, and why.
    await nav(page, 'Audit');
    const auditRow = page
      .getByRole('table', { name: 'Audit trail' })
      .getByRole('row')
      .filter({ hasText: 'Assistance ended' })
      .first();
    await auditRow.waitFor();
    const cells = await auditRow.getByRole('cell').allTextContents();
    assert.equal(cells[1], 'Ada Admin, admin');
    assert.equal(cells[3], 'ws-07');
    assert.equal(cells[6], 'reason: an administrator ended it');
    assert.equal(cells[5], 'Done', 'the result in words');
    // The user's decision: in words, not the code the relay records (allowed-control).
    const decided = page
      .getByRole('table', { name: 'Audit trail' })
      .getByRole('row')
      .filter({ hasText: sessionId })
      .filter({ hasText: 'user at ws-07' })
      .first();
    await decided.waitFor();
    const decidedCells = await decided.getByRole('cell').allTextContents();
    assert.equal(decidedCells[5], 'Allowed with control');
    assert.equal(await decided.getByRole('cell').nth(5).getAttribute('title'), 'allowed-control');
    const enrolled = page.getByRole('row').filter({ hasText: 'Device enrolled' });
    assert.equal((await enrolled.getByRole('cell').allTextContents())[1], 'ws-07, device');
    const started = page.getByRole('row').filter({ hasText: 'Relay started' });
    assert.equal((await started.getByRole('cell').allTextContents())[1], 'the relay');

    // Over already: a second End is refused in words.
    const again = await admin.call('POST', `/assistances/${sessionId}/end`);
    assert.equal(again.status, 409, again.text);
    op.close();
  });

  it('explains each policy setting and shows what the relay refused next to it, by name', async () => {
    await nav(page, 'Policy');
    const dynamic = page.getByLabel('Minimum agent version for dynamic assistance', { exact: true });
    const cmd = page.getByLabel('CMD for operator (product level)', { exact: true });
    const [cmdHelp] = await describedByIds(cmd);
    assert.match(
      (await page.locator(`#${cmdHelp}`).textContent()) ?? '',
      /A command prompt on the device, run by the agent with its rights/,
    );
    await dynamic.fill('26');
    await page.getByRole('button', { name: 'Save policy' }).click();
    const next = await describedByIds(dynamic);
    const error = page.locator(`#${next.at(-1)}`);
    await error.waitFor();
    assert.equal(
      (await error.textContent())?.trim(),
      'Minimum agent version for dynamic assistance: a version is YY.M or YY.M.patch',
    );
    assert.equal(await dynamic.getAttribute('aria-invalid'), 'true');
    const other = page.getByLabel('Minimum agent version for remote assistance', { exact: true });
    assert.equal(await other.getAttribute('aria-invalid'), null, 'only the refused field is marked');
    await page.getByText('The policy was not saved: see the settings marked below.').waitFor();
    // The relay answered the field's path; the page placed it next to that field.
    const { product } = PolicySettings.parse((await admin.call('GET', '/policy')).body);
    const answer = await admin.call('PUT', '/policy', {
      product: { ...product, minAgentVersion: { ...product.minAgentVersion, dynamic: '26' } },
      groups: {},
    });
    assert.equal(answer.status, 400);
    assert.deepEqual(ApiError.parse(answer.body).error.fields, [
      { path: ['product', 'minAgentVersion', 'dynamic'], message: 'a version is YY.M or YY.M.patch' },
    ]);
  });
});

/** The ids an element names in aria-describedby. */
async function describedByIds(locator: ReturnType<Page['locator']>): Promise<string[]> {
  return ((await locator.getAttribute('aria-describedby')) ?? '').split(' ').filter(Boolean);
}

describe('the console while the relay process is stopped and started again, in Chromium', () => {
  let relay: RelayProcess;
  let browser: Browser;

  before(async () => {
    if (!existsSync(path.join(DEFAULT_CONSOLE_DIR, 'index.html')))
      throw new Error('out/console is missing: run `npm run build:console` first');
    relay = await startRelayProcess();
    // Printed just after it listens.
    const link = await until(
      'relay serve printed its setup link',
      () => relay.lines.map((l) => /Set up the first administrator: (\S+)/.exec(l)?.[1]).find(Boolean),
      { seen: () => relay.lines },
    );
    const setup = await fetch(`${relay.url}${CONSOLE_API}/setup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        setupToken: new URL(link).hash.slice(1),
        username: 'root-admin',
        name: 'Ada Admin',
        organisation: 'Help Desk',
        password: ADMIN_PASSWORD,
      }),
    });
    assert.equal(setup.status, 201, await setup.text());
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await relay?.close();
  });

  it('says so in a banner while the relay cannot be reached, greys what it last had, and is gone once it answers', async () => {
    const page = await newPage(browser);
    await signIn(page, relay.url, 'assistances');
    await page.getByRole('heading', { name: 'Assistances' }).waitFor();
    const banner = page.getByRole('alert').filter({ hasText: 'The relay cannot be reached' });
    assert.equal(await banner.count(), 0);

    await relay.kill('SIGTERM');
    // The page's next poll finds no relay.
    await banner.waitFor({ timeout: 10_000 });
    assert.equal(
      (await banner.textContent())?.trim(),
      'The relay cannot be reached; what you see may be out of date — retrying…',
    );
    assert.equal(await page.locator('main.stale').count(), 1, 'what the page shows is marked as last known');
    // On every page: one that polls nothing says so too.
    await nav(page, 'Policy');
    await banner.waitFor();

    await relay.start();
    await banner.waitFor({ state: 'detached', timeout: 10_000 });
    assert.equal(await page.locator('main.stale').count(), 0);

    // Signed in still (the same cookie), the restart is in the trail as the relay's.
    await nav(page, 'Audit');
    const restarted = page.getByRole('row').filter({ hasText: 'Relay restarted' });
    await restarted.waitFor();
    assert.equal((await restarted.getByRole('cell').allTextContents())[1], 'the relay');
    assert.equal(await page.getByRole('row').filter({ hasText: 'Relay started' }).count(), 1, 'the first start');
  });
});
