/**
 * The operator's portable .exe offered beside an assistance's .flxra, in Debian's Chromium
 * (playwright-core) against real relays with a scripted enrolled agent: with a folder of release
 * artifacts the result shows the .exe's file name, size and the SHA-256 the relay computed, and its
 * link downloads exactly those bytes under that name; without a folder the console says so in the
 * relay's sentence and offers no link. Needs `npm run build:console`.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { launchChromium } from '../../dev/chromium-host/renderer-harness.js';
import { startTestRelay, type TestRelay } from '../../dev/rig/relay.js';
import { DEFAULT_CONSOLE_DIR } from '../../src/relay/console/handler.js';
import { NO_ARTIFACTS_CONFIGURED } from '../../src/relay/downloads/artifacts.js';
import { ADMIN_PASSWORD, firstAdmin } from '../fixtures/console.js';
import { enrolScriptedAgent, type ScriptedAgent } from '../fixtures/scripted-agent.js';

const UI_TIMEOUT_MS = 6_000;
const PORTABLE = 'flxra-operator-26.11.0-portable.exe';

/** A signed-in console page of `relay` showing the result of an unattended request for ws-01. */
async function requestedAssistance(browser: Browser, relay: TestRelay, agent: ScriptedAgent): Promise<Locator> {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(UI_TIMEOUT_MS);
  const page: Page = await context.newPage();
  page.on('pageerror', (err) => console.error(`[console page] ${err.message}`));
  await page.goto(`${relay.url}/console/devices`);
  await page.getByLabel('Username').fill('root-admin');
  await page.getByLabel('Password').fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('radio', { name: 'Select ws-01' }).check();
  await page.getByRole('group', { name: 'Remote assistance' }).getByRole('button', { name: 'Unattended' }).click();
  const result = page.getByRole('region', { name: 'Assistance requested' });
  await result.waitFor();
  await agent.nextHost();
  return result;
}

describe("the operator's portable .exe beside the .flxra, in Chromium", () => {
  let folder: string;
  let exe: Buffer;
  let relay: TestRelay;
  let bare: TestRelay;
  let browser: Browser;
  const agents: ScriptedAgent[] = [];

  before(async () => {
    if (!existsSync(path.join(DEFAULT_CONSOLE_DIR, 'index.html')))
      throw new Error('out/console is missing: run `npm run build:console` first');
    folder = await mkdtemp(path.join(os.tmpdir(), 'flxra-artifacts-ui-'));
    exe = randomBytes(2 * 1024 * 1024 + 123);
    await writeFile(path.join(folder, PORTABLE), exe);
    await writeFile(path.join(folder, 'README.txt'), 'not offered');
    relay = await startTestRelay({ relay: { artifactsDir: folder } });
    bare = await startTestRelay();
    for (const r of [relay, bare]) {
      await firstAdmin(r);
      agents.push(await enrolScriptedAgent(r, { hostname: 'ws-01', reportGroup: 'Office' }));
    }
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await relay?.close();
    await bare?.close();
    await rm(folder, { recursive: true, force: true });
  });

  it('shows its name, size and SHA-256, and its link downloads exactly those bytes', async () => {
    const result = await requestedAssistance(browser, relay, agents[0]!);
    const offer = result.getByRole('region', { name: "No flxra app on the operator's computer?" });
    const facts = offer.getByRole('definition');
    await facts.first().waitFor();
    const digest = createHash('sha256').update(exe).digest('hex');
    assert.deepEqual(await facts.allTextContents(), [
      PORTABLE,
      `2.0 MB (${(2 * 1024 * 1024 + 123).toLocaleString('en')} bytes)`,
      `${digest} Copy SHA-256`,
    ]);
    assert.equal(await offer.getByLabel("SHA-256 of the operator's .exe").textContent(), digest);
    const page = result.page();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      offer.getByRole('link', { name: 'Download flxra operator for Windows (portable .exe)' }).click(),
    ]);
    assert.equal(download.suggestedFilename(), PORTABLE);
    const got = await readFile(await download.path());
    assert.equal(createHash('sha256').update(got).digest('hex'), digest);
    assert.equal(got.length, exe.length);
    // The .flxra stays offered as before, beside it.
    await result.getByRole('button', { name: /^Download flxra-\d{9}\.flxra$/ }).waitFor();
  });

  it('says why there is none on a relay without a folder of release artifacts', async () => {
    const result = await requestedAssistance(browser, bare, agents[1]!);
    const offer = result.getByRole('region', { name: "No flxra app on the operator's computer?" });
    const note = offer.getByRole('note', { name: 'Operator download' });
    await note.waitFor();
    assert.equal(await note.textContent(), NO_ARTIFACTS_CONFIGURED);
    assert.equal(await offer.getByRole('link').count(), 0);
  });
});
