/**
 * Passwords in the console's pages, in Debian's Chromium (playwright-core) against a real relay:
 * a user changes their own password on the Security page (a common one is refused by the field,
 * saying why; then the old password stops working, the new one works, their other sign-in is
 * signed out and this one stays); an administrator resets a user's password on the Users page
 * (a temporary one, shown once with a Copy button), and that user, signing in with it, is held on
 * the change-password form until they have chosen their own. Needs `npm run build:console`.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../dev/chromium-host/renderer-harness.js';
import { DEFAULT_CONSOLE_DIR } from '../../src/relay/console/handler.js';
import { ADMIN_PASSWORD, ConsoleClient, firstAdmin } from '../fixtures/console.js';
import { startTestRelay, type TestRelay } from '../../dev/rig/relay.js';

const UI_TIMEOUT_MS = 6_000;
const OLIVIA_FIRST = 'olivia password 123';
const OLIVIA_OWN = 'amber falcon quietly 17';
const OLIVIA_AFTER_RESET = 'walnut orbit pebble 88';

describe('passwords in Chromium', () => {
  let relay: TestRelay;
  let browser: Browser;
  let admin: ConsoleClient;
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

  async function newPage(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(UI_TIMEOUT_MS);
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: relay.url });
    const page = await context.newPage();
    page.on('pageerror', (err) => console.error(`[console page] ${err.message}`));
    return page;
  }

  async function signIn(page: Page, username: string, password: string, path = 'devices'): Promise<void> {
    await page.goto(`${relay.url}/console/${path}`);
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  /** Fills the Security page's change form and sends it. */
  async function changePassword(page: Page, current: string, next: string): Promise<void> {
    const form = page.getByRole('form', { name: 'Change your password' });
    await form.getByLabel('Current password', { exact: true }).fill(current);
    await form.getByLabel('New password', { exact: true }).fill(next);
    await form.getByLabel('New password again', { exact: true }).fill(next);
    await form.getByRole('button', { name: 'Change password' }).click();
  }

  const nav = (page: Page) => page.getByRole('navigation', { name: 'Console' }).getByRole('button');

  it('a user changes their own password: refused by the field when common, then the old one is dead', async () => {
    // Olivia is signed in elsewhere too (the API client newUser returns).
    const elsewhere = await admin.newUser('olivia', 'operator');
    const page = await newPage();
    await signIn(page, 'olivia', OLIVIA_FIRST);
    await page.getByRole('heading', { name: 'Devices' }).waitFor();
    await nav(page).filter({ hasText: 'Security' }).click();

    await changePassword(page, OLIVIA_FIRST, 'Password123!');
    const refused = page.getByRole('alert').filter({ hasText: 'small change to one of the most common passwords' });
    await refused.waitFor();
    // Said by the field it is about.
    const described = await page.getByLabel('New password', { exact: true }).getAttribute('aria-describedby');
    assert.equal(described, await refused.getAttribute('id'));
    assert.equal((await elsewhere.call('GET', '/me')).status, 200, 'a refused change ends nothing');

    await changePassword(page, OLIVIA_FIRST, OLIVIA_OWN);
    await page.getByRole('status').filter({ hasText: 'Your password is changed' }).waitFor();
    assert.equal((await elsewhere.call('GET', '/me')).status, 401, 'the other sign-in has ended');
    await nav(page).filter({ hasText: 'Devices' }).click();
    await page.getByRole('heading', { name: 'Devices' }).waitFor();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(page, 'olivia', OLIVIA_FIRST);
    await page.getByRole('alert').filter({ hasText: 'wrong username or password' }).waitFor();
    await page.getByLabel('Password').fill(OLIVIA_OWN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Devices' }).waitFor();
    await page.context().close();
  });

  it('an admin resets a password; the user signs in with it and is held on the change form until done', async () => {
    const oliviaPage = await newPage();
    await signIn(oliviaPage, 'olivia', OLIVIA_OWN);
    await oliviaPage.getByRole('heading', { name: 'Devices' }).waitFor();

    const adminPage = await newPage();
    await signIn(adminPage, 'root-admin', ADMIN_PASSWORD, 'users');
    await adminPage.getByRole('heading', { name: 'Users' }).waitFor();
    await adminPage.getByRole('button', { name: 'Reset the password of olivia', exact: true }).click();
    await adminPage.getByRole('button', { name: 'Yes, reset the password of olivia' }).click();
    const shown = adminPage.getByLabel('Temporary password');
    await shown.waitFor();
    const temporary = ((await shown.textContent()) ?? '').trim();
    assert.match(temporary, /^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/);
    await adminPage.getByRole('button', { name: 'Copy', exact: true }).click();
    await adminPage.getByRole('button', { name: 'Copied' }).waitFor();
    assert.equal(await adminPage.evaluate(() => navigator.clipboard.readText()), temporary, 'copied as shown');
    await adminPage.getByRole('button', { name: 'Done' }).click();
    await adminPage
      .getByRole('row', { name: /olivia/ })
      .getByText('Must change password')
      .waitFor();

    // Her open page is signed out at its next call (a poll may come first; a reload is one for sure).
    await oliviaPage.reload();
    await oliviaPage.getByRole('heading', { name: 'Sign in to the flxra console' }).waitFor();
    await oliviaPage.getByLabel('Username').fill('olivia');
    await oliviaPage.getByLabel('Password').fill(temporary);
    await oliviaPage.getByRole('button', { name: 'Sign in' }).click();
    await oliviaPage.getByText('An administrator reset your password').waitFor();
    assert.deepEqual(await nav(oliviaPage).allTextContents(), ['Security'], 'only the change is open');
    // Going to another page by its address still shows only the change.
    await oliviaPage.goto(`${relay.url}/console/devices`);
    await oliviaPage.getByText('An administrator reset your password').waitFor();
    assert.equal(await oliviaPage.getByRole('heading', { name: 'Devices' }).count(), 0);
    assert.equal(await oliviaPage.getByRole('heading', { name: 'Second factor' }).count(), 0);

    await changePassword(oliviaPage, temporary, 'qwertyuiopasdf');
    await oliviaPage.getByRole('alert').filter({ hasText: 'common passwords' }).waitFor();
    await changePassword(oliviaPage, temporary, OLIVIA_AFTER_RESET);
    await nav(oliviaPage).filter({ hasText: 'Devices' }).click();
    await oliviaPage.getByRole('heading', { name: 'Devices' }).waitFor();
    assert.equal((await new ConsoleClient(relay).login('olivia', temporary)).status, 401, 'the temporary one is dead');
    assert.equal((await new ConsoleClient(relay).login('olivia', OLIVIA_AFTER_RESET)).status, 200);
    await adminPage.context().close();
    await oliviaPage.context().close();
  });
});
