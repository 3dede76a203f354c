/**
 * Second factors and sign-in alerts in the console's pages, in Debian's Chromium (playwright-core)
 * against a real relay: a user sets up TOTP from the Security page (the otpauth:// link and its
 * secret, a code from the "app" turns it on), then signing in asks for the code after the
 * password; an administrator requires second factors and a user without one sees only its setup
 * until it is done; repeated failed sign-ins from another address show as an alert above the
 * admin's pages. Codes are computed as an authenticator app does (otpauth, at the relay's clock).
 * Needs `npm run build:console`.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Secret, TOTP } from 'otpauth';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../dev/chromium-host/renderer-harness.js';
import { DEFAULT_CONSOLE_DIR } from '../../src/relay/console/handler.js';
import { ADMIN_PASSWORD, ConsoleClient, firstAdmin } from '../fixtures/console.js';
import { startTestRelay, type TestRelay } from '../../dev/rig/relay.js';

const UI_TIMEOUT_MS = 6_000;
const STEP_MS = 30_000;

describe('second factors and sign-in alerts in Chromium', () => {
  let relay: TestRelay;
  let browser: Browser;
  let admin: ConsoleClient;
  /** The admin's authenticator app, from the first test on. */
  let adminSecret = '';
  before(async () => {
    if (!existsSync(path.join(DEFAULT_CONSOLE_DIR, 'index.html')))
      throw new Error('out/console is missing: run `npm run build:console` first');
    relay = await startTestRelay();
    admin = await firstAdmin(relay);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await relay?.close();
  });

  const code = (secret: string) => TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: relay.clock.now() });

  async function newPage(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(UI_TIMEOUT_MS);
    const page = await context.newPage();
    page.on('pageerror', (err) => console.error(`[console page] ${err.message}`));
    return page;
  }

  async function signIn(page: Page, username: string, password: string): Promise<void> {
    await page.goto(`${relay.url}/console/devices`);
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  /** On the Security page: sets up a second factor as a user with an authenticator app would; its secret. */
  async function setUpSecondFactor(page: Page): Promise<string> {
    await page.getByRole('button', { name: 'Set up a second factor' }).click();
    const secret = ((await page.getByLabel('Secret').textContent()) ?? '').replaceAll(' ', '');
    const link = await page.getByRole('link', { name: 'Setup link' }).getAttribute('href');
    assert.match(link ?? '', new RegExp(`^otpauth://totp/.*[?&]secret=${secret}(&|$)`));
    await page.getByLabel('Code from your app').fill(code(secret));
    await page.getByRole('button', { name: 'Turn on' }).click();
    await page.getByText('Your second factor is on: signing in asks for the code').waitFor();
    return secret;
  }

  it('sets up a second factor, then asks for its code after the password', async () => {
    const page = await newPage();
    await signIn(page, 'root-admin', ADMIN_PASSWORD);
    await page.getByRole('heading', { name: 'Devices' }).waitFor();
    await page.getByRole('navigation', { name: 'Console' }).getByRole('button', { name: 'Security' }).click();
    const secret = await setUpSecondFactor(page);
    adminSecret = secret;

    await page.getByRole('button', { name: 'Sign out' }).click();
    relay.clock.advance(STEP_MS);
    await signIn(page, 'root-admin', ADMIN_PASSWORD);
    await page.getByRole('heading', { name: 'Enter your code' }).waitFor();
    const right = code(secret);
    await page.getByRole('textbox', { name: 'Code' }).fill(right === '123456' ? '654321' : '123456');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'wrong code' }).waitFor();
    await page.getByRole('textbox', { name: 'Code' }).fill(right);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Devices' }).waitFor();
    await page.context().close();
  });

  it('shows the admins an alert for repeated failed sign-ins from another address', async () => {
    const attacker = new ConsoleClient(relay, { from: '127.0.0.7' });
    for (let i = 0; i < 12; i++) await attacker.login('root-admin', `guess number ${i}`);
    const page = await newPage();
    relay.clock.advance(STEP_MS);
    await signIn(page, 'root-admin', ADMIN_PASSWORD);
    await page.getByRole('textbox', { name: 'Code' }).fill(code(adminSecret));
    await page.getByRole('button', { name: 'Sign in' }).click();
    const banner = page.getByRole('alert').filter({ hasText: 'Repeated failed sign-ins' });
    await banner.waitFor();
    const text = (await banner.textContent()) ?? '';
    assert.match(text, /12 failed sign-ins from address 127\.0\.0\.7, 9 of them turned away while it had to wait/);
    // The account counts the first test's wrong code too, from the browser's own address.
    assert.match(text, /failed sign-ins to the account root-admin from 2 addresses/);
    await page.context().close();
  });

  it('sends a user without a second factor to set one up once administrators require it', async () => {
    const page = await newPage();
    relay.clock.advance(STEP_MS);
    await signIn(page, 'root-admin', ADMIN_PASSWORD);
    await page.getByRole('textbox', { name: 'Code' }).fill(code(adminSecret));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Console' }).getByRole('button', { name: 'Security' }).click();
    await page.getByRole('checkbox', { name: 'Require a second factor' }).click();
    await page.getByRole('checkbox', { name: 'Require a second factor', checked: true }).waitFor();
    await page.context().close();

    await admin.newUser('nora', 'operator');
    const nora = await newPage();
    await signIn(nora, 'nora', 'nora password 123');
    await nora.getByText('Your administrators require a second factor for the console').waitFor();
    const links = nora.getByRole('navigation', { name: 'Console' }).getByRole('button');
    assert.deepEqual(await links.allTextContents(), ['Security']);
    await setUpSecondFactor(nora);
    await nora.getByRole('navigation', { name: 'Console' }).getByRole('button', { name: 'Devices' }).click();
    await nora.getByRole('heading', { name: 'Devices' }).waitFor();
    await nora.context().close();
  });
});
