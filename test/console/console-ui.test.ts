/**
 * The console in Debian's Chromium (playwright-core), served by a real relay with devices whose
 * agents enrolled and report through the relay's agent protocol: setup from the printed link,
 * sign-in, the devices' live status, the policy page, each assistance type requested with its
 * result (password and .flxra download; the attended state following a real host's consent
 * through the relay), disabled types with their reasons, the Signed-in users page, and the audit rows
 * with their exports, and a user's role changed and the user removed on the Users page. Needs
 * `npm run build:console`.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { launchChromium } from '../../dev/chromium-host/renderer-harness.js';
import { AUDIT_CSV_COLUMNS } from '../../src/shared/audit.js';
import { ActivationClaims, parseActivationEnvelope } from '../../src/shared/activation-file.js';
import { DEFAULT_CONSOLE_DIR } from '../../src/relay/console/handler.js';
import { ADMIN_PASSWORD, ConsoleClient } from '../fixtures/console.js';
import { startTestRelay, type TestRelay } from '../../dev/rig/relay.js';
import { enrolScriptedAgent, type ScriptedAgent } from '../fixtures/scripted-agent.js';

const UI_TIMEOUT_MS = 6_000;
const alice = { id: '2', user: 'alice', state: 'active', kind: 'console' } as const;

describe('the console in Chromium', () => {
  let relay: TestRelay;
  let browser: Browser;
  let page: Page;
  let operatorToken: string;
  const agents: Record<string, ScriptedAgent> = {};

  before(async () => {
    if (!existsSync(path.join(DEFAULT_CONSOLE_DIR, 'index.html')))
      throw new Error('out/console is missing: run `npm run build:console` first');
    relay = await startTestRelay();
    browser = await launchChromium();
    const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(UI_TIMEOUT_MS);
    page = await context.newPage();
    page.on('pageerror', (err) => console.error(`[console page] ${err.message}`));
    const devices: Array<[string, string, string, (typeof alice)[]]> = [
      ['ws-01', 'Office', '26.11', [alice]],
      ['kiosk-old', 'Kiosks', '24.8.1', []],
      ['srv-01', 'Servers', '25.1', []],
      ['lab-01', 'Lab', '26.11', []],
    ];
    for (const [hostname, reportGroup, agentVersion, userSessions] of devices) {
      agents[hostname] = await enrolScriptedAgent(relay, { hostname, reportGroup, agentVersion, userSessions });
    }
  });
  after(async () => {
    await browser?.close();
    await relay?.close();
  });

  const nav = (name: string) =>
    page.getByRole('navigation', { name: 'Console' }).getByRole('button', { name, exact: true }).click();
  const typeButton = (name: string) =>
    page.getByRole('group', { name: 'Remote assistance' }).getByRole('button', { name, exact: true });
  const state = () => page.getByRole('status', { name: 'Assistance state' });
  const deviceRow = (hostname: string) =>
    page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: new RegExp(`^${hostname}`) }) });

  /** The text a button is described by: where the console says why a type is disabled. */
  async function reasonOf(button: Locator): Promise<string> {
    const id = await button.getAttribute('aria-describedby');
    assert.ok(id, 'the button names its description');
    return (await page.locator(`#${id}`).textContent()) ?? '';
  }

  async function selectDevice(hostname: string): Promise<void> {
    await nav('Devices');
    await page.getByRole('radio', { name: `Select ${hostname}` }).check();
    await page.getByRole('heading', { name: `Remote assistance: ${hostname}` }).waitFor();
  }

  async function waitForText(locator: Locator, text: string): Promise<void> {
    await locator.filter({ hasText: text }).waitFor();
  }

  it('sets up the first admin from the printed link; no default password; wrong passwords refused', async () => {
    await page.goto(relay.handle.setupUrl!);
    await page.getByLabel('Username').fill('ada');
    await page.getByLabel('Your name').fill('Ada Admin');
    await page.getByLabel('Organisation').fill('Help Desk');
    await page.getByLabel('Password (at least 12 characters)').fill(ADMIN_PASSWORD);
    await page.getByLabel('Password again').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Create administrator' }).click();
    await page.getByRole('heading', { name: 'Administrator created' }).waitFor();
    assert.ok(!page.url().includes('#'), 'the token left the address bar');
    operatorToken = (await page.getByLabel('Operator token').textContent())!;
    assert.match(operatorToken, /^flxra_op_/);
    await page.getByRole('button', { name: 'Continue to the console' }).click();
    await page.getByRole('heading', { name: 'Devices' }).waitFor();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to the flxra console' }).waitFor();
    for (const [username, password] of [
      ['admin', 'admin'],
      ['ada', 'not the password'],
    ]) {
      await page.getByLabel('Username').fill(username!);
      await page.getByLabel('Password').fill(password!);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await waitForText(page.getByRole('alert'), 'wrong username or password');
    }
    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Devices' }).waitFor();
    // The setup link is dead now.
    await page.goto(relay.handle.setupUrl!);
    await page.getByRole('heading', { name: 'Setup is done' }).waitFor();
    await page.goto(`${relay.url}/console/devices`);
  });

  it('lists the devices with their live status', async () => {
    await page.getByRole('table', { name: 'Devices' }).waitFor();
    const ws = deviceRow('ws-01');
    await waitForText(ws, 'Online');
    const cells = await ws.getByRole('cell').allTextContents();
    assert.deepEqual(cells.slice(1, 6), [agents['ws-01']!.deviceId, 'Online', '26.11', 'Office', 'alice (active)']);
    assert.deepEqual((await deviceRow('kiosk-old').getByRole('cell').allTextContents()).slice(2, 5), [
      'Online',
      '24.8.1',
      'Kiosks',
    ]);
    // The device's agent leaves: the list shows it within its next poll, without reloading.
    agents['lab-01']!.disconnect();
    await waitForText(deviceRow('lab-01'), 'Offline');
  });

  it('sets report groups to dynamic only and to off on the Policy page', async () => {
    await nav('Policy');
    for (const group of ['Servers', 'Lab']) {
      await page.getByLabel('Override the policy for report group').fill(group);
      await page.getByRole('button', { name: 'Add group override' }).click();
    }
    const servers = page.getByRole('group', { name: 'Report group Servers' });
    await servers.getByRole('checkbox', { name: 'Override allowed types for Servers' }).check();
    const types = servers.getByRole('group', { name: 'Allowed types (Servers)' });
    await types.getByRole('checkbox', { name: 'attended', exact: true }).uncheck();
    await types.getByRole('checkbox', { name: 'unattended', exact: true }).uncheck();
    const lab = page.getByRole('group', { name: 'Report group Lab' });
    await lab.getByRole('checkbox', { name: 'Override remote assistance for Lab' }).check();
    await lab.getByRole('checkbox', { name: 'Remote assistance enabled (Lab)' }).uncheck();
    await page.getByRole('button', { name: 'Save policy' }).click();
    await waitForText(page.getByRole('status'), 'Policy saved');
    const [changed] = relay.handle.audit.query({ action: 'policy.changed', limit: 1 });
    const settings = JSON.parse(changed!.detail.settings as string) as { groups: unknown };
    assert.deepEqual(settings.groups, { Servers: { allowedTypes: ['dynamic'] }, Lab: { remoteAssistance: false } });
  });

  it('shows each disabled type with its reason', async () => {
    // A click anywhere on the row selects it, like its radio.
    await nav('Devices');
    await deviceRow('kiosk-old').getByRole('cell').last().click();
    assert.equal(await page.getByRole('radio', { name: 'Select kiosk-old' }).isChecked(), true);
    await page.getByRole('heading', { name: 'Remote assistance: kiosk-old' }).waitFor();
    assert.equal(await typeButton('Dynamic').isDisabled(), true);
    assert.equal(
      await reasonOf(typeButton('Dynamic')),
      'Agent 24.8.1 is too old: dynamic assistance needs 24.9.2 or later.',
    );
    assert.equal(await typeButton('Attended').isEnabled(), true);

    await selectDevice('srv-01');
    for (const name of ['Attended', 'Unattended']) {
      assert.equal(await typeButton(name).isDisabled(), true, name);
      assert.equal(
        await reasonOf(typeButton(name)),
        'Report group Servers is set to dynamic assistance, so only dynamic is offered.',
      );
    }
    assert.equal(await typeButton('Dynamic').isEnabled(), true);

    await selectDevice('lab-01');
    for (const name of ['Attended', 'Unattended', 'Dynamic']) {
      assert.equal(await reasonOf(typeButton(name)), 'Remote assistance is not enabled for report group Lab.', name);
    }
  });

  it('requests unattended: session ID, the password once, and the .flxra download', async () => {
    await selectDevice('ws-01');
    await typeButton('Unattended').click();
    const result = page.getByRole('region', { name: 'Assistance requested' });
    await result.waitFor();
    await agents['ws-01']!.nextHost();
    const sessionId = (await result.locator('.session-id').textContent())!.replaceAll(' ', '');
    assert.match(sessionId, /^\d{9}$/);
    const password = (await result.getByLabel('One-time password').textContent())!;
    assert.match(password, /\S{8,}/);
    await waitForText(result, 'It is shown only now and is not shown again.');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      result.getByRole('button', { name: `Download flxra-${sessionId}.flxra` }).click(),
    ]);
    assert.equal(download.suggestedFilename(), `flxra-${sessionId}.flxra`);
    const envelope = parseActivationEnvelope(await readFile(await download.path(), 'utf8'));
    assert.ok(envelope.ok);
    const claims = ActivationClaims.parse(
      JSON.parse(Buffer.from(envelope.token.split('.')[1]!, 'base64url').toString()),
    );
    assert.deepEqual([claims.sid, claims.mode, claims.requested], [sessionId, 'unattended', 'unattended']);

    // The operator opens it in the app with the password the console showed.
    const op = await relay.connectOperator(operatorToken);
    op.emit('assistance:open', { activation: envelope.token, password });
    await op.next('session:admitted');
    await waitForText(state(), 'Connected');
    op.close();
  });

  it('requests attended and follows its state as the user consents through the relay', async () => {
    await selectDevice('ws-01');
    await typeButton('Attended').click();
    const result = page.getByRole('region', { name: 'Assistance requested' });
    await waitForText(state(), 'Waiting for the operator to open the file');
    const host = await agents['ws-01']!.nextHost();
    assert.equal(await result.getByLabel('One-time password').count(), 0, 'attended has no password');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      result.getByRole('button', { name: /^Download flxra-\d{9}\.flxra$/ }).click(),
    ]);
    const envelope = parseActivationEnvelope(await readFile(await download.path(), 'utf8'));
    assert.ok(envelope.ok);

    const op = await relay.connectOperator(operatorToken);
    op.emit('assistance:open', { activation: envelope.token });
    const { sessionId } = await host.next('session:join-request');
    await waitForText(state(), 'Waiting for the user’s consent');
    host.emit('session:consent', { sessionId, decision: 'deny' });
    await waitForText(state(), 'Declined by the user');
    op.emit('assistance:open', { activation: envelope.token });
    await host.next('session:join-request');
    host.emit('session:consent', { sessionId, decision: 'control' });
    await op.next('session:admitted');
    await waitForText(state(), 'Connected');
    host.emit('session:end', { sessionId });
    await op.next('session:ended');
    await waitForText(state(), 'Ended');
    op.close();
  });

  it('requests dynamic and says which way it went and why', async () => {
    await selectDevice('ws-01');
    await typeButton('Dynamic').click();
    const result = page.getByRole('region', { name: 'Assistance requested' });
    await waitForText(
      result,
      "attended (dynamic: alice is signed in at the device's console, so they are asked for consent)",
    );
    await agents['ws-01']!.nextHost();
  });

  it('offers the Signed-in users page, where unattended is for devices, not sessions', async () => {
    await nav('Signed-in users');
    await page.getByRole('radio', { name: 'Select alice on ws-01' }).check();
    assert.equal(await typeButton('Unattended').isDisabled(), true);
    assert.match(
      await reasonOf(typeButton('Unattended')),
      /unattended assistance is started at device level, not on a session/,
    );
    await typeButton('Attended').click();
    await waitForText(state(), 'Waiting for the operator to open the file');
    await agents['ws-01']!.nextHost();
  });

  it('shows the audit rows and exports them as CSV and JSON', async () => {
    await nav('Audit');
    const table = page.getByRole('table', { name: 'Audit trail' });
    // In words; the exports keep the codes.
    for (const action of [
      'Signed in to the console',
      'Policy changed',
      'Assistance requested',
      'User answered the consent request',
      'Operator connected',
      'Operator disconnected',
    ]) {
      await table.getByRole('cell', { name: action, exact: true }).first().waitFor();
    }
    await waitForText(
      table.getByRole('row').filter({ hasText: 'User answered the consent request' }).first(),
      'Allowed with control', // the result in words; the exports keep the code
    );
    const [csv] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Export CSV' }).click(),
    ]);
    const csvText = await readFile(await csv.path(), 'utf8');
    assert.equal(csvText.split('\r\n')[0], AUDIT_CSV_COLUMNS.join(','));
    const [json] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Export JSON' }).click(),
    ]);
    const { entries } = JSON.parse(await readFile(await json.path(), 'utf8')) as {
      entries: Array<{ action: string }>;
    };
    assert.deepEqual(entries.length, csvText.trimEnd().split('\r\n').length - 1);
    assert.ok(entries.some((e) => e.action === 'assistance.requested'));
  });

  it('changes a role and removes a user on the Users page, after a confirmation on the page', async () => {
    const api = new ConsoleClient(relay);
    assert.equal((await api.login('ada', ADMIN_PASSWORD)).status, 200);
    const olivia = await api.newUser('olivia', 'operator');
    const bob = await api.newUser('bob', 'operator');
    await nav('Users');
    const users = page.getByRole('table', { name: 'Console users' });
    const userRow = (username: string) =>
      users.getByRole('row').filter({ has: page.getByRole('rowheader', { name: username, exact: true }) });
    const roleOf = (username: string) => page.getByRole('combobox', { name: `Role of ${username}` });
    const removeButton = (username: string) => page.getByRole('button', { name: `Remove ${username}`, exact: true });
    await userRow('olivia').waitFor();
    assert.equal(await roleOf('ada').isDisabled(), true, 'not one’s own role');
    assert.equal(await removeButton('ada').isDisabled(), true, 'not one’s own account');

    await roleOf('olivia').selectOption('admin');
    await waitForText(page.getByRole('status'), 'olivia is now an administrator.');
    assert.equal((await olivia.call('GET', '/users')).status, 200, 'the relay made her an admin');
    await roleOf('olivia').selectOption('operator');
    await waitForText(page.getByRole('status'), 'olivia is now an operator.');
    assert.equal((await olivia.call('GET', '/users')).status, 403);
    assert.equal(await roleOf('olivia').inputValue(), 'operator');

    // Remove asks first, on the page; Cancel keeps the user.
    const confirmation = page.getByRole('region', { name: 'Remove olivia (User olivia)?' });
    await removeButton('olivia').click();
    await waitForText(confirmation, 'Their flxra app is disconnected and its token revoked');
    await confirmation.getByRole('button', { name: 'Cancel' }).click();
    await confirmation.waitFor({ state: 'detached' });
    assert.equal((await olivia.call('GET', '/me')).status, 200);

    await removeButton('olivia').click();
    await confirmation.getByRole('button', { name: 'Yes, remove olivia' }).click();
    await waitForText(page.getByRole('status'), 'olivia was removed and signed out of the console and the app.');
    await userRow('olivia').waitFor({ state: 'detached' });
    assert.deepEqual(await users.getByRole('rowheader').allTextContents(), ['ada', 'bob']);
    assert.equal((await olivia.call('GET', '/me')).status, 401, 'her session ended');
    const [removed] = relay.handle.audit.query({ action: 'user.removed' });
    assert.deepEqual([removed?.actor.id, removed?.detail.username], ['ada', 'olivia']);

    // When the relay refuses, the page says why: bob is removed elsewhere while the page asks.
    await removeButton('bob').click();
    assert.equal((await api.call('DELETE', '/users/bob')).status, 200);
    await page.getByRole('button', { name: 'Yes, remove bob' }).click();
    await waitForText(page.getByRole('alert'), 'there is no console user bob');
    await userRow('bob').waitFor({ state: 'detached' });
    assert.equal((await bob.call('GET', '/me')).status, 401);
  });

  it('the page of an admin demoted meanwhile drops the admin links; of a user removed meanwhile, goes to sign-in', async () => {
    const api = new ConsoleClient(relay);
    assert.equal((await api.login('ada', ADMIN_PASSWORD)).status, 200);
    await api.newUser('carol', 'admin');
    const context = await browser.newContext();
    context.setDefaultTimeout(UI_TIMEOUT_MS);
    const carol = await context.newPage();
    try {
      await carol.goto(`${relay.url}/console/users`);
      await carol.getByLabel('Username').fill('carol');
      await carol.getByLabel('Password').fill('carol password 123');
      await carol.getByRole('button', { name: 'Sign in' }).click();
      const links = carol.getByRole('navigation', { name: 'Console' }).getByRole('button');
      await carol.getByRole('button', { name: 'Audit', exact: true }).click();
      await carol.getByRole('table', { name: 'Audit trail' }).waitFor();

      assert.equal((await api.call('PATCH', '/users/carol', { role: 'operator' })).status, 200);
      // Her next call (the page polls the trail) is refused: the page asks who she is now.
      await carol.getByRole('heading', { name: 'Devices' }).waitFor({ timeout: 15_000 });
      assert.deepEqual(await links.allTextContents(), ['Devices', 'Signed-in users', 'Assistances', 'Security']);

      assert.equal((await api.call('DELETE', '/users/carol')).status, 200);
      await carol.getByRole('heading', { name: 'Sign in to the flxra console' }).waitFor({ timeout: 15_000 });
    } finally {
      await context.close();
    }
  });

  it('lets an administrator remove a device, after confirming: it leaves the list', async () => {
    await selectDevice('lab-01');
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Remove this device' }).click();
    await page.getByRole('status').filter({ hasText: 'lab-01 was removed.' }).waitFor();
    await deviceRow('lab-01').waitFor({ state: 'detached' });
    assert.equal(
      relay.handle.audit.query({ action: 'device.removed', deviceId: agents['lab-01']!.deviceId }).length,
      1,
    );
  });
});
