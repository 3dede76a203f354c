/**
 * Changing and removing console users: a removed user's console session ends at once and their app
 * token is revoked (unless other users act as the same operator identity), demotion takes effect on
 * the next request, the last admin stays, an admin cannot remove or demote themselves, the routes
 * are admins' with the CSRF header, and the store itself keeps an admin whatever races.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_POLICY } from '../../src/shared/policy.js';
import { openSqliteStore } from '../../src/relay/store/sqlite-store.js';
import { ConsoleClient, firstAdmin } from '../fixtures/console.js';
import { activationToken, startTestRelay, type TestRelay } from '../../dev/rig/relay.js';
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
