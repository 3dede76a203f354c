/**
 * Signing in to the console: the one-time setup link for the first admin (and no default
 * password), salted password hashes, the session cookie and CSRF header, the login throttle,
 * session expiry, roles, changing and removing users, and the pages' headers.
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
import { openSqliteStore } from '../../src/relay/store/sqlite-store.js';
import { ADMIN_PASSWORD, ConsoleClient, firstAdmin, setupToken } from '../fixtures/console.js';
import { activationToken, startTestRelay, type TestRelay } from '../../dev/rig/relay.js';

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

describe('changing and removing console users', () => {
  let relay: TestRelay;
  let admin: ConsoleClient & { operatorToken: string };
  before(async () => {
    relay = await startTestRelay();
    admin = await firstAdmin(relay);
  });
  after(() => relay.close());

  const refusal = (answer: { status: number; body: unknown }) => {
    const { code, message } = (answer.body as { error: { code: string; message: string } }).error;
    return { status: answer.status, code, message };
  };
  const usernames = async () =>
    ((await admin.call('GET', '/users')).body as { users: Array<{ username: string; role: string }> }).users;
  const auditOf = (action: 'user.removed' | 'user.role-changed') => relay.handle.audit.query({ action });

  it('removes a user: their console session ends at once, they cannot sign in, and their app token is revoked', async () => {
    const olivia = await admin.newUser('olivia', 'operator');
    const operatorId = olivia.user!.operatorId;
    assert.equal((await olivia.call('GET', '/me')).status, 200);
    const oldCookie = olivia.cookie;
    const app = await relay.connectOperator(olivia.operatorToken);
    const appDropped = new Promise<string>((resolve) => app.socket.once('disconnect', resolve));
    // She is in an unattended assistance on a device.
    const device = await relay.connectDevice('kiosk');
    const assistance = await relay.requestAssistance(
      { deviceId: device.deviceId, mode: 'unattended' },
      olivia.operatorToken,
    );
    app.emit('assistance:open', { activation: activationToken(assistance), password: assistance.password });
    await app.next('session:admitted');

    const removed = await admin.call('DELETE', '/users/OLIVIA');
    assert.equal(removed.status, 200, removed.text);
    assert.equal(
      (await olivia.call('GET', '/me')).status,
      401,
      "the removed user's cookie is dead on the next request",
    );
    assert.equal((await olivia.call('GET', '/devices')).status, 401);
    assert.equal((await new ConsoleClient(relay).login('olivia', 'olivia password 123')).status, 401);
    assert.ok(!(await usernames()).some((u) => u.username === 'olivia'));
    // Leaving the desk means losing the app too: the open app is dropped and its token refused.
    assert.equal(await appDropped, 'io server disconnect');
    assert.deepEqual(await device.next('session:ended'), {
      sessionId: assistance.sessionId,
      reason: 'operator-revoked',
    });
    assert.deepEqual(
      relay.handle.audit.query({ sessionId: assistance.sessionId, action: 'assistance.ended' })[0]?.detail,
      { reason: 'operator-revoked' },
    );
    await assert.rejects(relay.connectOperator(olivia.operatorToken), /unauthorized/);
    assert.ok(!relay.handle.operators.list().some((o) => o.id === operatorId), 'the operator identity is revoked');
    assert.equal(refusal(await admin.call('DELETE', '/users/olivia')).status, 404, 'gone already');

    // The same username made again is a new account: the old cookie does not come back to life.
    await admin.newUser('olivia', 'operator');
    olivia.cookie = oldCookie;
    assert.equal((await olivia.call('GET', '/me')).status, 401);

    const [gone, row] = auditOf('user.removed');
    assert.deepEqual(
      [gone?.result, gone?.detail.code],
      ['denied', 'no-such-user'],
      'removing her twice is on record too',
    );
    assert.ok(row);
    assert.deepEqual(row.actor, { kind: 'admin', id: 'root-admin', name: 'Ada Admin' });
    assert.deepEqual(
      [row.result, row.detail],
      ['ok', { username: 'olivia', role: 'operator', operator: operatorId, appToken: 'revoked' }],
    );
    assert.ok(!JSON.stringify(row).includes('password'), 'no secret in the audit row');
  });

  it('keeps the app token of an operator identity other console users still act as', async () => {
    const pat = await admin.newUser('pat', 'operator');
    const operatorId = pat.user!.operatorId;
    await admin.newUser('pat-night', 'operator', { operatorId });
    assert.equal((await admin.call('DELETE', '/users/pat')).status, 200);
    const app = await relay.connectOperator(pat.operatorToken);
    assert.equal(app.operator.id, operatorId, 'pat-night still uses the identity, so its token works');
    assert.equal(auditOf('user.removed')[0]?.detail.appToken, 'kept: 1 other console user(s) act as this operator');
    app.close();
  });

  it('demotes an admin: admin routes answer 403 from their next request; promotes back', async () => {
    const bob = await admin.newUser('bob', 'admin');
    assert.equal((await bob.call('GET', '/users')).status, 200);
    const demoted = await admin.call('PATCH', '/users/bob', { role: 'operator' });
    assert.equal(demoted.status, 200, demoted.text);
    assert.equal((demoted.body as { user: { role: string } }).user.role, 'operator');
    for (const [method, route, body] of [
      ['GET', '/users'],
      ['GET', '/audit'],
      ['PUT', '/policy', { product: DEFAULT_POLICY, groups: {} }],
      ['DELETE', '/users/olivia'],
    ] as const) {
      const answer = await bob.call(method, route, body);
      assert.deepEqual([answer.status, refusal(answer).code], [403, 'forbidden'], `${method} ${route}`);
    }
    const me = await bob.call('GET', '/me');
    assert.deepEqual(
      [me.status, (me.body as { user: { role: string } }).user.role],
      [200, 'operator'],
      'still signed in, as an operator',
    );
    assert.ok(
      (await usernames()).some((u) => u.username === 'olivia'),
      'the refused removal did nothing',
    );

    const [row] = auditOf('user.role-changed');
    assert.deepEqual(
      [row?.actor.id, row?.result, row?.detail],
      ['root-admin', 'ok', { username: 'bob', from: 'admin', to: 'operator' }],
    );

    const same = await admin.call('PATCH', '/users/bob', { role: 'operator' });
    assert.equal(same.status, 200);
    assert.equal(auditOf('user.role-changed').length, 1, 'no change, no audit row');
    assert.equal((await admin.call('PATCH', '/users/bob', { role: 'admin' })).status, 200);
    assert.equal((await bob.call('GET', '/users')).status, 200, 'promoted: admin routes at once');
    assert.deepEqual(auditOf('user.role-changed')[0]?.detail, { username: 'bob', from: 'operator', to: 'admin' });
    assert.equal((await admin.call('DELETE', '/users/bob')).status, 200);
  });

  it('neither removes nor demotes the last admin', async () => {
    assert.deepEqual(
      (await usernames()).filter((u) => u.role === 'admin').map((u) => u.username),
      ['root-admin'],
    );
    const audited = relay.handle.audit.query().length;
    const remove = refusal(await admin.call('DELETE', '/users/root-admin'));
    assert.deepEqual([remove.status, remove.code], [409, 'last-admin']);
    assert.match(
      remove.message,
      /root-admin is the only administrator and cannot be removed: make another user an administrator first/,
    );
    const demote = refusal(await admin.call('PATCH', '/users/root-admin', { role: 'operator' }));
    assert.deepEqual([demote.status, demote.code], [409, 'last-admin']);
    assert.match(demote.message, /only administrator and cannot be made an operator/);
    assert.equal((await admin.call('GET', '/users')).status, 200, 'still an admin');
    // Refusals change nothing, but the attempts are on record.
    const trail = relay.handle.audit.query();
    const attempts = trail.slice(0, trail.length - audited);
    assert.deepEqual(
      attempts.map((e) => [e.action, e.result, e.detail.code]),
      [
        ['user.role-changed', 'denied', 'last-admin'],
        ['user.removed', 'denied', 'last-admin'],
      ],
    );
  });

  it('refuses an admin removing or demoting their own account, while another admin may', async () => {
    const carol = await admin.newUser('carol', 'admin');
    const self = refusal(await admin.call('DELETE', '/users/root-admin'));
    assert.deepEqual([self.status, self.code], [409, 'own-account']);
    assert.match(self.message, /you cannot remove your own account: ask another administrator/);
    const selfDemote = refusal(await admin.call('PATCH', '/users/root-admin', { role: 'operator' }));
    assert.deepEqual([selfDemote.status, selfDemote.code], [409, 'own-account']);
    assert.equal((await admin.call('GET', '/me')).status, 200);

    // Another admin may remove them; carol is then the last admin.
    assert.equal((await carol.call('DELETE', '/users/root-admin')).status, 200);
    assert.equal((await admin.call('GET', '/me')).status, 401);
    assert.deepEqual(auditOf('user.removed')[0]?.detail, {
      username: 'root-admin',
      role: 'admin',
      operator: admin.user!.operatorId,
      appToken: 'revoked',
    });
    assert.equal(refusal(await carol.call('DELETE', '/users/carol')).code, 'last-admin');
    admin = carol as typeof admin;
  });

  it('keeps these routes to signed-in admins with the CSRF header, and validates them', async () => {
    const operator = await admin.newUser('oscar', 'operator');
    await admin.newUser('target', 'operator');
    for (const [method, body] of [['DELETE'], ['PATCH', { role: 'admin' }]] as const) {
      const answer = await operator.call(method, '/users/target', body);
      assert.deepEqual([answer.status, refusal(answer).code], [403, 'forbidden'], method);
      assert.equal(
        (await new ConsoleClient(relay).call(method, '/users/target', body)).status,
        401,
        `${method} without a session`,
      );
      assert.equal(
        refusal(await admin.call(method, '/users/target', body, { csrf: false })).code,
        'csrf',
        `${method} without CSRF`,
      );
    }
    assert.equal(
      refusal(await operator.call('PATCH', '/users/oscar', { role: 'admin' })).status,
      403,
      'no promoting oneself',
    );
    assert.ok(
      (await usernames()).some((u) => u.username === 'target' && u.role === 'operator'),
      'target untouched',
    );

    assert.equal((await admin.call('PATCH', '/users/target', { role: 'root' })).status, 400);
    assert.equal((await admin.call('PATCH', '/users/target', {})).status, 400);
    assert.equal((await admin.call('DELETE', '/users/no%20such')).status, 400);
    assert.equal((await admin.call('DELETE', '/users/')).status, 400);
    const nobody = refusal(await admin.call('PATCH', '/users/nobody', { role: 'admin' }));
    assert.deepEqual([nobody.status, nobody.code], [404, 'no-such-user']);
    assert.equal((await admin.call('GET', '/users/target')).status, 405);
  });

  it('keeps an admin in the store itself, whatever was read before (changes racing)', async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'flxra-console-store-'));
    const store = openSqliteStore(dataDir);
    try {
      const user = (username: string, role: 'admin' | 'operator') => ({
        username,
        name: username,
        role,
        operatorId: `op-${username}`,
        salt: Buffer.alloc(16),
        hash: Buffer.alloc(32),
        scrypt: { N: 1024, r: 8, p: 1 },
        createdAt: new Date().toISOString(),
        mustChangePassword: false,
      });
      store.insertConsoleUser(user('a1', 'admin'));
      store.insertConsoleUser(user('a2', 'admin'));
      store.insertConsoleUser(user('op', 'operator'));
      assert.equal(store.setConsoleUserRole('a1', 'operator'), true);
      assert.equal(store.setConsoleUserRole('a2', 'operator'), false, 'the only admin stays one');
      assert.equal(store.removeConsoleUser('a2'), false, 'and is not removed');
      assert.equal(store.setConsoleUserRole('a2', 'admin'), true, 'an admin set to admin again');
      assert.equal(store.removeConsoleUser('op'), true);
      assert.equal(store.removeConsoleUser('op'), false, 'no such user');
      assert.equal(store.setConsoleUserRole('op', 'admin'), false);
      assert.equal(store.setConsoleUserRole('a1', 'admin'), true);
      assert.equal(store.removeConsoleUser('a2'), true, 'one of two admins');
      assert.deepEqual(
        store.listConsoleUsers().map((u) => [u.username, u.role]),
        [['a1', 'admin']],
      );
    } finally {
      store.close();
      await fs.rm(dataDir, { recursive: true, force: true });
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
