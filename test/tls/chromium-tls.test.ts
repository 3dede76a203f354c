/**
 * TLS on the relay as Debian's Chromium sees it, trusting the test CA the way a browser trusts
 * an organisation's authority: through the NSS database of its user (~/.pki/nssdb, under a HOME
 * made for this test, certutil from libnss3-tools). The operator sets the console up over HTTPS,
 * its session cookie is a Secure one, and from the console's own page an operator connects to the
 * relay over WSS with the token the setup gave (socket.io's protocol, spoken by hand). A relay
 * whose certificate nobody trusts is refused by the browser itself: no page, no way past it.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, BrowserContext } from 'playwright-core';
import { DEFAULT_CONSOLE_DIR } from '../../src/relay/console/handler.js';
import { SESSION_COOKIE } from '../../src/relay/console/console-sessions.js';
import { launchChromium } from '../../dev/chromium-host/renderer-harness.js';
import { startTestRelay, type TestRelay } from '../../dev/rig/relay.js';
import { createTestCa, type TestCa } from '../../dev/rig/test-ca.js';

const PASSWORD = 'correct horse battery';

let ca: TestCa;
let relay: TestRelay;
let browser: Browser;
let context: BrowserContext;

before(async () => {
  if (!existsSync(path.join(DEFAULT_CONSOLE_DIR, 'index.html')))
    throw new Error('out/console is missing: run `npm run build:console` first');
  ca = await createTestCa();
  relay = await startTestRelay({ relay: { tls: await ca.tls() }, ca: ca.caPem });
  browser = await launchChromium(undefined, { home: await ca.nssHome() });
  context = await browser.newContext();
  context.setDefaultTimeout(10_000);
});

after(async () => {
  await browser?.close();
  await relay?.close();
  await ca?.close();
});

/**
 * From the page: a websocket to the relay's socket.io endpoint, the operator's handshake, and
 * the first event the relay sends once connected (or why there is none).
 */
const OPERATOR_OVER_WSS = async ({ url, token }: { url: string; token: string }): Promise<string> =>
  new Promise((resolve) => {
    const ws = new WebSocket(url);
    const timer = setTimeout(() => resolve('timed out'), 5_000);
    ws.onmessage = (e: MessageEvent<string>) => {
      if (e.data.startsWith('0{')) ws.send(`40${JSON.stringify({ role: 'operator', token })}`);
      else if (e.data.startsWith('42') || e.data.startsWith('44')) {
        clearTimeout(timer);
        ws.close();
        resolve(e.data);
      }
    };
    ws.onerror = () => resolve('websocket error');
  });

test('the console over https and an operator over wss, in a browser that trusts the relay through NSS', async () => {
  assert.match(relay.handle.setupUrl ?? '', /^https:\/\/127\.0\.0\.1:\d+\/console\//);
  const page = await context.newPage();
  await page.goto(relay.handle.setupUrl!);
  await page.getByLabel('Username').fill('ada');
  await page.getByLabel('Your name').fill('Ada Admin');
  await page.getByLabel('Organisation').fill('Help Desk');
  await page.getByLabel('Password (at least 12 characters)').fill(PASSWORD);
  await page.getByLabel('Password again').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create administrator' }).click();
  await page.getByRole('heading', { name: 'Administrator created' }).waitFor();
  const token = (await page.getByLabel('Operator token').textContent())!;
  await page.getByRole('button', { name: 'Continue to the console' }).click();
  await page.getByRole('heading', { name: 'Devices' }).waitFor();
  const cookie = (await context.cookies(`${relay.url}/console/`)).find((c) => c.name === SESSION_COOKIE);
  assert.equal(cookie?.secure, true, 'the console session cookie is sent over https only');

  const wss = `${relay.url.replace('https:', 'wss:')}/socket.io/?EIO=4&transport=websocket`;
  const first = await page.evaluate(OPERATOR_OVER_WSS, { url: wss, token });
  assert.ok(first.startsWith('42["operator:ready",'), first);
  assert.match(first, /"name":"Ada Admin"/);
  await page.close();
});

test('a relay whose certificate nobody trusts: the browser refuses it, there is no page', async () => {
  const untrusted = await startTestRelay({ relay: { tls: await ca.tls(ca.selfSigned) } });
  const page = await context.newPage();
  try {
    const refused = await page.goto(`${untrusted.url}/console/`).then(
      () => 'loaded',
      (err: Error) => err.message,
    );
    // Playwright reports the failed navigation, or (when the error page wins the race) that one.
    if (!refused.includes('net::ERR_CERT_AUTHORITY_INVALID')) {
      assert.match(refused, /interrupted by another navigation to "chrome-error:\/\/chromewebdata\/"/);
      await page.waitForLoadState();
      assert.match(await page.content(), /ERR_CERT_AUTHORITY_INVALID/);
    }
    assert.equal(await page.getByRole('heading', { name: 'Sign in to the flxra console' }).count(), 0);
    // The trusted relay, in the same browser, still loads: the refusal is this certificate's.
    const other = await context.newPage();
    assert.equal((await other.goto(`${relay.url}/console/`))?.status(), 200);
    await other.close();
  } finally {
    await page.close();
    await untrusted.close();
  }
});
