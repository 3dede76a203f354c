/**
 * Signing in to the console: the one-time setup link for the first admin (and no default
 * password), salted password hashes, the session cookie and CSRF header, the login throttle,
 * session expiry, roles, and the pages' headers (changing and removing users: console-users.test.ts).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { DEFAULT_POLICY } from '../../src/shared/policy.js';
import { CONTENT_SECURITY_POLICY } from '../../src/shared/content-security-policy.js';
import { ADMIN_PASSWORD, ConsoleClient, firstAdmin, setupToken } from '../fixtures/console.js';
import { startTestRelay, type TestRelay } from '../../dev/rig/relay.js';

const MINUTE = 60_000;

describe('console sign-in', () => {
  let relay: TestRelay;
  before(async () => {
    relay = await startTestRelay({ relay: { publicUrl: 'https://relay.example.org' } });
  });
  after(() => relay.close());

  it('makes the first admin only through the one-time setup link, then never again', async () => {
    assert.match(relay.handle.setupUrl ?? '', /^https:\/\/relay\.example\.org\/console\/setup#[A-Za-z0-9_-]{43}$/);
    const anyone = new ConsoleClient(relay);
    assert.deepEqual((await anyone.call('GET', '/setup')).body, { needed: true });
    // No default account exists to sign in with.
    for (const [username, password] of [
      ['admin', 'admin'],
      ['admin', 'password'],
      ['root', 'root'],
      ['admin', 'changeme1234'],
    ]) {
      assert.equal((await anyone.login(username!, password!)).status, 401, `${username}/${password}`);
    }
    const request = { username: 'root-admin', name: 'Ada Admin', organisation: 'Help Desk', password: ADMIN_PASSWORD };
    const wrong = await anyone.call('POST', '/setup', {
      ...request,
      setupToken: setupToken(relay).replace(/^./, (c) => (c === 'A' ? 'B' : 'A')),
    });
    assert.deepEqual(
      [wrong.status, (wrong.body as { error: { code: string } }).error.code],
      [403, 'invalid-setup-token'],
    );
    const short = await anyone.call('POST', '/setup', {
      ...request,
      setupToken: setupToken(relay),
      password: 'eleven char',
    });
    assert.equal(short.status, 400);
    assert.match(short.text, /at least 12 characters/);

    const admin = await firstAdmin(relay);
    assert.deepEqual(admin.user, {
      username: 'root-admin',
      name: 'Ada Admin',
      role: 'admin',
      operatorId: admin.user!.operatorId,
    });
    assert.match(admin.operatorToken, /^flxra_op_/);
    // The new operator identity is the registry's, and its token works in the app's handshake.
    const op = await relay.connectOperator(admin.operatorToken);
    assert.deepEqual(op.operator, { id: admin.user.operatorId, name: 'Ada Admin', organisation: 'Help Desk' });
    op.close();

    const again = await anyone.call('POST', '/setup', {
      ...request,
      username: 'second',
      setupToken: setupToken(relay),
    });
    assert.deepEqual([again.status, (again.body as { error: { code: string } }).error.code], [410, 'setup-done']);
    assert.deepEqual((await anyone.call('GET', '/setup')).body, { needed: false });
  });

  it('keeps only a salted scrypt hash of the password', () => {
    const db = new Database(path.join(relay.dataDir, 'relay.db'), { readonly: true });
    try {
      const row = db.prepare('SELECT * FROM console_users WHERE username = ?').get('root-admin') as Record<
        string,
        unknown
      >;
      assert.equal((row.hash as Buffer).length, 32);
      assert.equal((row.salt as Buffer).length, 16);
      assert.ok(Number(row.scrypt_n) >= 1024);
      assert.ok(!JSON.stringify(row).includes(ADMIN_PASSWORD));
    } finally {
      db.close();
    }
  });

  it('refuses a wrong password and signs in with the right one, with a strict session cookie', async () => {
    const client = new ConsoleClient(relay);
    const wrong = await client.login('root-admin', 'not the password');
    assert.deepEqual(
      [wrong.status, (wrong.body as { error: { message: string } }).error.message],
      [401, 'wrong username or password'],
    );
    assert.equal(wrong.headers.get('set-cookie'), null);
    const right = await client.login('Root-Admin', ADMIN_PASSWORD);
    assert.equal(right.status, 200, 'usernames are case-insensitive');
    const cookie = right.headers.get('set-cookie') ?? '';
    assert.match(cookie, /^flxra_console=[A-Za-z0-9_-]{43}; /);
    for (const attribute of ['Path=/console', 'HttpOnly', 'SameSite=Strict', 'Secure'])
      assert.ok(cookie.split('; ').includes(attribute), `${attribute} in ${cookie}`);
    assert.equal((await client.call('GET', '/me')).status, 200);
    assert.equal((await new ConsoleClient(relay).call('GET', '/devices')).status, 401, 'no cookie, no answer');
  });

  it('needs the CSRF header on state-changing calls', async () => {
    const client = new ConsoleClient(relay);
    await client.login('root-admin', ADMIN_PASSWORD);
    const settings = { product: DEFAULT_POLICY, groups: {} };
    const without = await client.call('PUT', '/policy', settings, { csrf: false });
    assert.deepEqual([without.status, (without.body as { error: { code: string } }).error.code], [403, 'csrf']);
    client.csrfToken = 'x'.repeat(43);
    assert.equal((await client.call('PUT', '/policy', settings)).status, 403, 'another token');
    assert.equal((await client.call('POST', '/logout', undefined, { csrf: false })).status, 403);
  });

  it('slows down failed sign-ins from the same address, before checking the password', async () => {
    // More in sign-in-throttle.test.ts: other addresses, the growth of the waits, the alerts.
    const client = new ConsoleClient(relay);
    for (let i = 0; i < 3; i++) assert.equal((await client.login('root-admin', `guess number ${i}`)).status, 401);
    const limited = await client.login('root-admin', ADMIN_PASSWORD);
    assert.equal(limited.status, 429, 'even the right password waits, from this address');
    assert.equal(limited.headers.get('retry-after'), '1');
    assert.match(limited.text, /too many failed sign-ins for this account from your address: try again in 1 second/);
    relay.clock.advance(1_000);
    assert.equal((await client.login('root-admin', ADMIN_PASSWORD)).status, 200);
  });

  it('ends a session after 30 idle minutes, and at sign-out', async () => {
    const client = new ConsoleClient(relay);
    await client.login('root-admin', ADMIN_PASSWORD);
    relay.clock.advance(29 * MINUTE);
    assert.equal((await client.call('GET', '/me')).status, 200, 'used: the idle time starts again');
    relay.clock.advance(29 * MINUTE);
    assert.equal((await client.call('GET', '/me')).status, 200);
    relay.clock.advance(31 * MINUTE);
    assert.equal((await client.call('GET', '/me')).status, 401);

    const other = new ConsoleClient(relay);
    await other.login('root-admin', ADMIN_PASSWORD);
    const cookie = other.cookie;
    const out = await other.call('POST', '/logout');
    assert.match(out.headers.get('set-cookie') ?? '', /^flxra_console=; .*Max-Age=0/);
    other.cookie = cookie;
    assert.equal((await other.call('GET', '/me')).status, 401, 'the old cookie is dead on the relay too');
  });

  it('keeps the policy, the audit trail and the users to admins', async () => {
    const admin = new ConsoleClient(relay);
    await admin.login('root-admin', ADMIN_PASSWORD);
    const operator = await admin.newUser('olivia', 'operator');
    assert.ok(operator.operatorToken, 'a new operator identity, its app token shown once');
    assert.equal((await operator.call('GET', '/policy')).status, 200, 'operators see the policy');
    for (const [method, route, body] of [
      ['PUT', '/policy', { product: DEFAULT_POLICY, groups: {} }],
      ['GET', '/audit'],
      ['GET', '/users'],
      ['POST', '/users', { username: 'mallory', name: 'M', role: 'admin', password: 'mallory password' }],
    ] as const) {
      const answer = await operator.call(method, route, body);
      assert.equal(answer.status, 403, `${method} ${route}`);
    }
    const taken = await admin.call('POST', '/users', {
      username: 'OLIVIA',
      name: 'O',
      role: 'operator',
      password: 'another password',
    });
    assert.deepEqual([taken.status, (taken.body as { error: { code: string } }).error.code], [409, 'username-taken']);
    const linked = await admin.newUser('ada2', 'operator', { operatorId: relay.operatorIdentity.id });
    assert.equal(linked.operatorToken, undefined, 'an existing operator keeps its token');
    assert.equal(linked.user!.operatorId, relay.operatorIdentity.id);
  });

  it('serves the console pages with the strict CSP, and nothing outside them', async () => {
    const page = await fetch(`${relay.url}/console/login`);
    assert.equal(page.status, 200, 'out/console is missing: run `npm run build:console` first');
    assert.equal(page.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY);
    assert.equal(page.headers.get('x-frame-options'), 'DENY');
    assert.equal(page.headers.get('referrer-policy'), 'no-referrer');
    const html = await page.text();
    assert.match(html, /<script type="module" crossorigin src="\/console\/assets\/index-[\w-]+\.js"><\/script>/);
    assert.ok(!/<script(?![^>]*\bsrc=)[^>]*>/.test(html), 'no inline script');
    for (const bad of ['/console/assets/nope.js', '/console/..%2F..%2Fpackage.json', '/console/%E0%A4%A']) {
      const answer = await fetch(`${relay.url}${bad}`);
      assert.ok([400, 404].includes(answer.status), `${bad}: ${answer.status}`);
    }
    assert.equal((await fetch(`${relay.url}/console/api/nothing`)).status, 404);
  });

  it('says so when the pages are not built', async () => {
    const unbuilt = await startTestRelay({ relay: { consoleDir: path.join(relay.dataDir, 'no-console-here') } });
    try {
      const answer = await fetch(`${unbuilt.url}/console/`);
      assert.equal(answer.status, 503);
      assert.match(await answer.text(), /npm run build:console/);
    } finally {
      await unbuilt.close();
    }
  });
});

describe('the relay command and the setup link', () => {
  it('prints the setup link once at start, and never logs it', async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'flxra-console-cli-'));
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/relay/cli.ts', 'serve', '--port', '0', '--data', dataDir],
      {
        cwd: path.resolve(import.meta.dirname, '../..'),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    try {
      const link = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          const match =
            /Set up the first administrator: (http:\/\/127\.0\.0\.1:\d+\/console\/setup#([A-Za-z0-9_-]{43}))\n/.exec(
              stdout,
            );
          if (match) resolve(match[1]!);
        });
        child.once('exit', (code) => reject(new Error(`exited ${code}: ${stdout} ${stderr}`)));
      });
      const token = new URL(link).hash.slice(1);
      const setup = await fetch(new URL('/console/api/setup', link), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          setupToken: token,
          username: 'admin',
          name: 'Admin',
          organisation: 'IT',
          password: ADMIN_PASSWORD,
        }),
      });
      assert.equal(setup.status, 201);
      assert.equal(stdout.split(token).length, 2, 'printed once');
      assert.ok(!stderr.includes(token), 'not in the log');
      assert.ok(stderr.includes('"msg":"listening"'), 'the log was captured');
    } finally {
      child.kill('SIGKILL');
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  });

  it('makes no setup link once an admin exists, across restarts', async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'flxra-console-restart-'));
    try {
      const first = await startTestRelay({ dataDir });
      assert.ok(first.handle.setupUrl);
      const stale = setupToken(first);
      await first.close();
      const second = await startTestRelay({ dataDir });
      try {
        assert.notEqual(setupToken(second), stale, 'a restart before setup makes a new link');
        const old = await new ConsoleClient(second).call('POST', '/setup', {
          setupToken: stale,
          username: 'admin',
          name: 'Admin',
          organisation: 'IT',
          password: ADMIN_PASSWORD,
        });
        assert.equal(old.status, 403, 'the old link is dead');
        await firstAdmin(second);
      } finally {
        await second.close();
      }
      const third = await startTestRelay({ dataDir });
      assert.equal(third.handle.setupUrl, null);
      await third.close();
    } finally {
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  });
});
