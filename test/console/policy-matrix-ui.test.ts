/**
 * The Policy page's capability matrix in Chromium against a real relay: from the Devices page to
 * a device's effective policy, a product-level cell switched on, the device's report group
 * overriding it, and back to inherit, each saved and seen in the device's effective value and
 * where it comes from; the stored policy is what the page showed. Needs `npm run build:console`.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../dev/chromium-host/renderer-harness.js';
import { PolicySettings } from '../../src/shared/policy.js';
import { DEFAULT_CONSOLE_DIR } from '../../src/relay/console/handler.js';
import { ADMIN_PASSWORD, firstAdmin, type ConsoleClient } from '../fixtures/console.js';
import { startTestRelay, type TestRelay } from '../../dev/rig/relay.js';
import { enrolScriptedAgent } from '../fixtures/scripted-agent.js';

const UI_TIMEOUT_MS = 6_000;

describe('the capability matrix in Chromium', () => {
  let relay: TestRelay;
  let browser: Browser;
  let admin: ConsoleClient;
  let page: Page;

  before(async () => {
    if (!existsSync(path.join(DEFAULT_CONSOLE_DIR, 'index.html')))
      throw new Error('out/console is missing: run `npm run build:console` first');
    relay = await startTestRelay();
    admin = await firstAdmin(relay);
    assert.equal((await admin.call('POST', '/roles', { name: 'helpdesk', description: 'First line' })).status, 201);
    await enrolScriptedAgent(relay, { hostname: 'lab-1', reportGroup: 'Lab' });
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(UI_TIMEOUT_MS);
    page = await context.newPage();
    page.on('pageerror', (err) => console.error(`[console page] ${err.message}`));
    await page.goto(`${relay.url}/console/devices`);
    await page.getByLabel('Username').fill('root-admin');
    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
  });
  after(async () => {
    await browser?.close();
    await relay?.close();
  });

  const effective = () => page.getByTestId('effective-tool.cmd-helpdesk');
  const save = async () => {
    await page.getByRole('button', { name: 'Save policy' }).click();
    await page.getByRole('status').filter({ hasText: 'Policy saved' }).waitFor();
  };
  const stored = async () => PolicySettings.parse((await admin.call('GET', '/policy')).body);

  it('edits the matrix and shows the device’s effective value and its source change', async () => {
    await page.getByRole('radio', { name: 'Select lab-1' }).check();
    await page.getByRole('button', { name: 'Effective policy' }).click();
    await page.getByRole('heading', { name: 'Effective policy on a device' }).waitFor();
    await page.getByRole('table', { name: 'Effective policy on lab-1' }).waitFor();
    assert.equal(await effective().textContent(), 'Off: the default');
    assert.equal(await page.getByTestId('effective-tool.cmd-admin').textContent(), 'On: the default');

    // Product level: CMD on for helpdesk.
    const productCell = page.getByLabel('CMD for helpdesk (product level)');
    assert.equal(await productCell.locator('option[value="unset"]').textContent(), 'default (off)');
    await productCell.selectOption('on');
    await save();
    await page.getByTestId('effective-tool.cmd-helpdesk').filter({ hasText: 'On: set at product level' }).waitFor();
    assert.deepEqual((await stored()).product.capabilities, { 'tool.cmd': { helpdesk: true } });

    // The device's group overrides it: off for Lab.
    await page.getByLabel('Override the policy for report group').fill('Lab');
    await page.getByRole('button', { name: 'Add group override' }).click();
    const groupCell = page.getByLabel('CMD for helpdesk (Lab)');
    assert.equal(await groupCell.locator('option[value="unset"]').textContent(), 'inherit (on)');
    await groupCell.selectOption('off');
    await save();
    await effective().filter({ hasText: 'Off: set for the report group' }).waitFor();
    assert.deepEqual((await stored()).groups.Lab, { capabilities: { 'tool.cmd': { helpdesk: false } } });

    // Back to inherit: the product's value again.
    await groupCell.selectOption('unset');
    await save();
    await effective().filter({ hasText: 'On: set at product level' }).waitFor();
    assert.deepEqual((await stored()).groups.Lab, {});
  });
});
