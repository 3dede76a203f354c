/**
 * Console sign-ins across a relay restart (support desks restart the relay for updates): a
 * signed-in browser stays signed in with the same cookie and CSRF token, while sign-out, expiry
 * (by the relay's clock) and a user's removal still hold; the database keeps neither the session
 * id nor the CSRF token. While there is no admin, a restart prints a new setup link and the old
 * one dies.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { DEFAULT_POLICY } from '../../src/shared/policy.js';
import { ADMIN_PASSWORD, ConsoleClient, firstAdmin, setupToken } from '../fixtures/console.js';
import { startTestRelay, TestClock, type TestRelay } from '../../dev/rig/relay.js';

const MINUTE = 60_000;
const SETTINGS = { product: DEFAULT_POLICY, groups: {} };

describe('console sign-ins across a relay restart', () => {
  let dataDir: string;
  let clock: TestClock;
  let relay: TestRelay;

  /** Stops the relay and starts another on the same data folder and clock. */
  async function restart(): Promise<TestRelay> {
    await relay.close();
    relay = await startTestRelay({ dataDir, clock });
    return relay;
  }

  /** The same browser (cookie and CSRF token it was given) talking to the relay now running. */
  function sameBrowser(client: ConsoleClient): ConsoleClient {
    const again = new ConsoleClient(relay);
    again.cookie = client.cookie;
    again.csrfToken = client.csrfToken;
    return again;
  }

  function sessionRows(): Array<Record<string, unknown>> {
    const db = new Database(path.join(dataDir, 'relay.db'), { readonly: true });
    try {
      return db.prepare('SELECT * FROM console_sessions').all() as Array<Record<string, unknown>>;
    } finally {
      db.close();
    }
  }

  beforeEach(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'flxra-console-restart-'));
    clock = new TestClock();
    relay = await startTestRelay({ dataDir, clock });
  });
  afterEach(async () => {
    await relay.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('keeps a signed-in browser signed in, with the same CSRF token', async () => {
    const admin = await firstAdmin(relay);
    const before = await admin.call('GET', '/me');
    assert.equal(before.status, 200);
    clock.advance(20 * MINUTE);
    await restart();

    const browser = sameBrowser(admin);
    const me = await browser.call('GET', '/me');
    assert.equal(me.status, 200, me.text);
    assert.deepEqual(me.body, before.body, 'the same user and the same CSRF token');
    assert.equal((await browser.call('PUT', '/policy', SETTINGS)).status, 200, 'a state-changing call works');
    assert.equal((await browser.call('PUT', '/policy', SETTINGS, { csrf: false })).status, 403, 'still needs it');
    // A new sign-in after the restart works too, and the link made no second admin.
    assert.equal(relay.handle.setupUrl, null);
    assert.equal((await new ConsoleClient(relay).login('root-admin', ADMIN_PASSWORD)).status, 200);
  });

  it('keeps a signed-out browser signed out', async () => {
    const admin = await firstAdmin(relay);
    const cookie = admin.cookie;
    assert.equal((await admin.call('POST', '/logout')).status, 200);
    assert.equal(sessionRows().length, 0, 'the row went at sign-out');
    await restart();

    const browser = sameBrowser(admin);
    browser.cookie = cookie;
    assert.equal((await browser.call('GET', '/me')).status, 401);
    assert.equal((await browser.call('PUT', '/policy', SETTINGS)).status, 401);
  });

  it('refuses a session idle past 30 minutes after a restart, and forgets it', async () => {
    const admin = await firstAdmin(relay);
    const active = await admin.newUser('olivia', 'operator');
    clock.advance(29 * MINUTE);
    assert.equal((await active.call('GET', '/me')).status, 200, 'used: its idle time starts again');
    clock.advance(2 * MINUTE);
    await restart();

    assert.equal((await sameBrowser(admin).call('GET', '/me')).status, 401, '31 idle minutes');
    assert.equal((await sameBrowser(active).call('GET', '/me')).status, 200, '2 idle minutes');
    assert.deepEqual(
      sessionRows().map((row) => row.username),
      ['olivia'],
      'the expired row is deleted',
    );
  });

  it('ends a session 12 hours after its sign-in however much it is used, across restarts', async () => {
    const admin = await firstAdmin(relay);
    let browser: ConsoleClient = admin;
    // Used every 25 minutes for 11 h 40 min, with a restart every 200 minutes.
    for (let i = 1; i <= 28; i++) {
      clock.advance(25 * MINUTE);
      if (i % 8 === 0) {
        await restart();
        browser = sameBrowser(browser);
      }
      assert.equal((await browser.call('GET', '/me')).status, 200, `${i * 25} minutes after sign-in`);
    }
    await restart();
    clock.advance(19 * MINUTE);
    assert.equal((await sameBrowser(browser).call('GET', '/me')).status, 200, 'at 11 h 59 min');
    clock.advance(2 * MINUTE);
    assert.equal((await sameBrowser(browser).call('GET', '/me')).status, 401, 'at 12 h 1 min');
  });

  it('stores neither the session id nor the CSRF token', async () => {
    const admin = await firstAdmin(relay);
    const operator = await admin.newUser('olivia', 'operator');
    const secrets = [admin, operator].flatMap((c) => [c.cookie!.split('=')[1]!, c.csrfToken!]);
    for (const secret of secrets) assert.match(secret, /^[A-Za-z0-9_-]{43}$/);
    await relay.close();

    // Every byte of the database (the WAL too, where recent writes are), the secrets as text and raw.
    const files = (await fs.readdir(dataDir)).filter((name) => name.startsWith('relay.db'));
    const bytes = Buffer.concat(await Promise.all(files.map((name) => fs.readFile(path.join(dataDir, name)))));
    for (const secret of secrets) {
      assert.equal(bytes.indexOf(secret), -1, 'as text');
      assert.equal(bytes.indexOf(Buffer.from(secret, 'base64url')), -1, 'as bytes');
    }
    const rows = sessionRows();
    assert.equal(rows.length, 2);
    for (const row of rows) assert.equal((row.id_hash as Buffer).length, 32, 'a SHA-256');

    relay = await startTestRelay({ dataDir, clock });
    assert.equal((await sameBrowser(operator).call('GET', '/me')).status, 200);
  });

  it('still ends a removed user’s sessions at once, and applies a role change at once', async () => {
    const admin = await firstAdmin(relay);
    const demoted = await admin.newUser('dana', 'admin');
    const removed = await admin.newUser('olivia', 'operator');
    await restart();

    const adminNow = sameBrowser(admin);
    const demotedNow = sameBrowser(demoted);
    const removedNow = sameBrowser(removed);
    assert.equal((await demotedNow.call('GET', '/users')).status, 200);
    assert.equal((await adminNow.call('PATCH', '/users/dana', { role: 'operator' })).status, 200);
    assert.equal((await demotedNow.call('GET', '/users')).status, 403, 'an operator now');
    assert.equal((await demotedNow.call('GET', '/me')).status, 200, 'still signed in');

    assert.equal((await removedNow.call('GET', '/me')).status, 200);
    assert.equal((await adminNow.call('DELETE', '/users/olivia')).status, 200);
    assert.equal((await removedNow.call('GET', '/me')).status, 401);
    assert.ok(!sessionRows().some((row) => row.username === 'olivia'), 'its rows are gone');
    // Made again under the same username, the old cookie still signs no one in, restart or not.
    assert.equal((await adminNow.newUser('olivia', 'operator')).user?.username, 'olivia');
    await restart();
    assert.equal((await sameBrowser(removed).call('GET', '/me')).status, 401);
  });

  it('prints a new setup link at a restart while there is no admin; the old one dies', async () => {
    const oldToken = setupToken(relay);
    await restart();
    const newToken = setupToken(relay);
    assert.notEqual(newToken, oldToken);
    const request = { username: 'root-admin', name: 'Ada Admin', organisation: 'Help Desk', password: ADMIN_PASSWORD };
    const stale = await new ConsoleClient(relay).call('POST', '/setup', { ...request, setupToken: oldToken });
    assert.deepEqual(
      [stale.status, (stale.body as { error: { code: string } }).error.code],
      [403, 'invalid-setup-token'],
    );
    assert.equal((await firstAdmin(relay)).user?.username, 'root-admin');
  });
});
