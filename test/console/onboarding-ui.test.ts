/**
 * A new administrator's first hour in the console, in Debian's Chromium (playwright-core) against
 * a real relay: the relay's address leads to the console, whose sign-in page says where the setup
 * link is printed; a wrong setup link says so as the page opens, the right one makes the first
 * admin (the operator token with its Copy button); "Add devices" makes an enrolment token and
 * shows the command that enrols a device, which, copied with its Copy button, is run as a person
 * would paste it into a terminal here (sh, in this checkout): the real agent enrols and shows up
 * on the Devices page with its id. The same machine enrolling again with a fresh state folder keeps
 * that record (one row, the same id); the device is renamed and removed; a token is revoked.
 * Needs `npm run build:console` and `npm run build:main` (npm test builds both first).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../dev/chromium-host/renderer-harness.js';
import { DEFAULT_CONSOLE_DIR } from '../../src/relay/console/handler.js';
import { ADMIN_PASSWORD } from '../fixtures/console.js';
import { startTestRelay, type TestRelay } from '../../dev/rig/relay.js';
import { startShellCommand, type AgentProcess } from '../agent/agent-process.js';

const UI_TIMEOUT_MS = 6_000;
const ENROL_TIMEOUT_MS = 30_000;
const CHECKOUT = path.resolve(import.meta.dirname, '../..');

describe('onboarding in the console, in Chromium', () => {
  let relay: TestRelay;
  let browser: Browser;
  let page: Page;
  let dir: string;
  let linuxCommand: string;
  let deviceId: string;
  const agents: AgentProcess[] = [];

  before(async () => {
    if (!existsSync(path.join(DEFAULT_CONSOLE_DIR, 'index.html')))
      throw new Error('out/console is missing: run `npm run build:console` first');
    relay = await startTestRelay();
    dir = await mkdtemp(path.join(os.tmpdir(), 'flxra-onboarding-'));
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: relay.url });
    context.setDefaultTimeout(UI_TIMEOUT_MS);
    page = await context.newPage();
    page.on('pageerror', (err) => console.error(`[console page] ${err.message}`));
  });
  after(async () => {
    await Promise.all(agents.map((a) => a.killAll()));
    await browser?.close();
    await relay?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const nav = (name: string) =>
    page.getByRole('navigation', { name: 'Console' }).getByRole('button', { name, exact: true }).click();
  const deviceRows = () => page.getByRole('table', { name: 'Devices' }).getByRole('row');

  /** What a Copy button put on the clipboard. */
  async function copied(button: string): Promise<string> {
    await page.evaluate(() => navigator.clipboard.writeText(''));
    await page.getByRole('button', { name: button }).click();
    const text = await page.waitForFunction(async () => (await navigator.clipboard.readText()) || null);
    return (await text.jsonValue()) ?? '';
  }

  /**
   * The command as pasted into a terminal on this machine, in this checkout, with a state folder
   * of its own (XDG_STATE_HOME: the agent's default) and without npm's pre-step, which installs
   * and builds what npm test has built already.
   */
  function paste(command: string, stateHome: string): AgentProcess {
    const { DISPLAY: _, ...env } = process.env;
    const agent = startShellCommand(
      command,
      { ...env, XDG_STATE_HOME: path.join(dir, stateHome), npm_config_ignore_scripts: 'true' },
      CHECKOUT,
    );
    agents.push(agent);
    return agent;
  }

  it('leads the relay’s address to the console, which says where the setup link is printed', async () => {
    await page.goto(`${relay.url}/`);
    assert.equal(new URL(page.url()).pathname, '/console');
    await page.getByRole('heading', { name: 'This relay has no administrator yet' }).waitFor();
    const help = (await page.locator('main, #root').first().textContent()) ?? '';
    assert.match(help, /prints a one-time setup link on its standard output when it starts/);
    assert.match(help, /npm start/);
    assert.equal(await page.getByLabel('Password').count(), 0, 'no sign-in form nobody can use');
  });

  it('says at once that a wrong setup link does not work; the right one makes the first admin', async () => {
    await page.goto(`${relay.url}/console/setup#not-the-printed-token`);
    await page.getByRole('heading', { name: 'This setup link does not work' }).waitFor();
    assert.match((await page.getByRole('alert').textContent()) ?? '', /this setup link is not valid/);
    assert.equal(await page.getByLabel('Username').count(), 0, 'no form to fill in for nothing');

    await page.goto(relay.handle.setupUrl!);
    await page.getByRole('heading', { name: 'Set up the first administrator' }).waitFor();
    await page.getByLabel('Username').fill('ada');
    await page.getByLabel('Your name').fill('Ada Admin');
    await page.getByLabel('Organisation').fill('Help Desk');
    await page.getByLabel('Password (at least 12 characters)').fill(ADMIN_PASSWORD);
    await page.getByLabel('Password again').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Create administrator' }).click();
    await page.getByRole('heading', { name: 'Administrator created' }).waitFor();
    const shown = await page.getByLabel('Operator token').textContent();
    assert.equal(await copied('Copy operator token'), shown);
    await page.getByRole('button', { name: 'Continue to the console' }).click();
    await page.getByRole('heading', { name: 'Devices' }).waitFor();
  });

  it('makes an enrolment token on "Add devices"; the Linux command it shows enrols a real agent', async () => {
    await nav('Add devices');
    await page.getByLabel('Report group').fill('Kiosks');
    await page.getByLabel('Devices it may enrol').fill('2');
    await page.getByRole('button', { name: 'Create enrolment token' }).click();
    await page.getByRole('heading', { name: 'Enrolment token for Kiosks' }).waitFor();
    const token = (await page.getByLabel('Enrolment token', { exact: true }).textContent()) ?? '';
    assert.match(token, /^flxra_enrol_/);
    assert.equal(await copied('Copy token'), token);
    linuxCommand = await copied('Copy Linux command');
    assert.equal(linuxCommand, await page.getByLabel('Linux command').textContent());
    assert.ok(linuxCommand.includes(relay.url), 'the relay as devices reach it');
    const windows = (await page.getByLabel('Windows command').textContent()) ?? '';
    assert.match(windows, /\| node out\\agent\\cli\.mjs --relay '.*' --enroll-file -$/);
    const row = page.getByRole('table', { name: 'Enrolment tokens' }).getByRole('row', { name: /Kiosks/ });
    assert.match((await row.textContent()) ?? '', /2 of 2.*Usable/);

    const agent = paste(linuxCommand, 'first-install');
    [, deviceId] = (await agent.waitFor(/ready as device (\w+)/, { timeoutMs: ENROL_TIMEOUT_MS })) as [string, string];
    await nav('Devices');
    await deviceRows().filter({ hasText: deviceId }).filter({ hasText: 'Online' }).waitFor();
    assert.equal(await deviceRows().count(), 2, 'a header and one device');
    const cells = await deviceRows().nth(1).getByRole('cell').allTextContents();
    assert.deepEqual(cells.slice(1, 3), [deviceId, 'Online']);
  });

  it('the same machine enrolling again (its state folder lost) keeps its record: one row, the same id', async () => {
    await agents[0]!.killAll();
    const again = paste(linuxCommand, 'after-reinstall');
    await again.waitFor(new RegExp(`ready as device ${deviceId}`), { timeoutMs: ENROL_TIMEOUT_MS });
    await deviceRows().filter({ hasText: deviceId }).filter({ hasText: 'Online' }).waitFor();
    assert.equal(await deviceRows().count(), 2, 'still one device');
    await nav('Add devices');
    const row = page.getByRole('table', { name: 'Enrolment tokens' }).getByRole('row', { name: /Kiosks/ });
    await row.filter({ hasText: /0 of 2.*Used up/ }).waitFor();
  });

  it('renames the device and removes it; its agent is refused from then on', async () => {
    await nav('Devices');
    await page.getByRole('radio', { name: new RegExp(`^Select `) }).check();
    await page.getByLabel(/^New name for /).fill('Reception kiosk');
    await page.getByRole('button', { name: 'Rename', exact: true }).click();
    await page.getByRole('rowheader', { name: /^Reception kiosk/ }).waitFor();
    const [renamed] = relay.handle.audit.query({ deviceId }).filter((e) => e.action === 'device.renamed');
    assert.equal(renamed?.detail.to, 'Reception kiosk');

    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Remove this device' }).click();
    await page.getByRole('status').filter({ hasText: 'Reception kiosk was removed.' }).waitFor();
    await page.getByText('No device has enrolled yet.').waitFor();
    const agent = agents[1]!;
    await agent.waitFor(/the relay refused this device's credential/, { timeoutMs: ENROL_TIMEOUT_MS });
  });

  it('revokes an enrolment token: listed as revoked, audited', async () => {
    await nav('Add devices');
    await page.getByLabel('Report group').fill('Lab');
    await page.getByRole('button', { name: 'Create enrolment token' }).click();
    await page.getByRole('heading', { name: 'Enrolment token for Lab' }).waitFor();
    const row = page.getByRole('table', { name: 'Enrolment tokens' }).getByRole('row', { name: /Lab/ });
    await row.getByRole('button', { name: /^Revoke / }).click();
    await row.filter({ hasText: 'Revoked' }).waitFor();
    assert.equal(relay.handle.audit.query().filter((e) => e.action === 'enrolment-token.revoked').length, 1);
  });
});
