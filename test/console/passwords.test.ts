/**
 * Console passwords on a real relay and store: wherever one is set (the first admin's setup, a
 * new user, a user's own change, an admin's reset) the common ones, keyboard rows and the
 * account's own name with digits are refused with a sentence saying why, and strong ones taken;
 * a change ends the user's other sign-ins and keeps this one; a reset ends them all, and the
 * temporary password opens only the change of itself until the user has chosen their own. The
 * dictionaries load once, on the first password, not at start.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LoginResponse } from '../../src/shared/console-api.js';
import { PasswordResetResponse } from '../../src/shared/console-passwords.js';
import { startTestRelay, type TestRelay } from '../../dev/rig/relay.js';
import { ConsoleClient, setupToken, type Answer } from '../fixtures/console.js';

/** What people pick; each must be refused wherever it is set, saying why. */
const COMMON = ['Password123!', 'qwertyuiop', 'qwertyuiopasdf', 'iloveyou2024'];
const STRONG = 'ivory kettle dusk lantern';

function refusal(answer: Answer): { code: string; message: string } {
  return (answer.body as { error: { code: string; message: string } }).error;
}

/** Refused as weak, with a reason that says what is wrong and what to do instead. */
function assertWeak(answer: Answer, what: string, reason: RegExp): void {
  assert.equal(answer.status, 400, `${what}: ${answer.text}`);
  const { code, message } = refusal(answer);
  assert.equal(code, 'weak-password', what);
  assert.match(message, reason, what);
  assert.match(message, /words that do not belong together/, `${what}: says how to do better`);
}

const REASONS: Record<string, RegExp> = {
  'Password123!': /small change to one of the most common passwords/,
  qwertyuiop: /at least 12 characters; this one has 10\. This password is among the hundred most used/,
  qwertyuiopasdf: /common passwords|row of keys/,
  iloveyou2024: /common passwords/,
};

describe('console passwords', () => {
  let relay: TestRelay;
  before(async () => {
    relay = await startTestRelay();
  });
  after(() => relay.close());

  it('loads no dictionary at start; refuses common passwords at setup, saying why, and takes a strong one', async () => {
    assert.equal(relay.handle.passwordChecks().loads, 0, 'nothing loaded before a password is set');
    const anyone = new ConsoleClient(relay);
    const request = { setupToken: setupToken(relay), username: 'ada', name: 'Ada Lovelace', organisation: 'Help Desk' };
    for (const password of COMMON) {
      assertWeak(await anyone.call('POST', '/setup', { ...request, password }), password, REASONS[password]!);
    }
    for (const password of ['ada12345678901', 'Ada2024!!!!!', 'lovelace1990!', 'Help Desk 2024!']) {
      assertWeak(
        await anyone.call('POST', '/setup', { ...request, password }),
        password,
        /built on the account's username, name or organisation/,
      );
    }
    assert.deepEqual((await anyone.call('GET', '/setup')).body, { needed: true }, 'no admin was made');
    const made = await anyone.call('POST', '/setup', { ...request, password: STRONG });
    assert.equal(made.status, 201, made.text);
    assert.deepEqual(relay.handle.passwordChecks().loads, 1, 'loaded once for all these checks');
  });

  it('refuses common passwords and the username with digits for a new user, and takes a strong one', async () => {
    const admin = new ConsoleClient(relay);
    assert.equal((await admin.login('ada', STRONG)).status, 200);
    const user = { username: 'olivia', name: 'Olivia Newton', role: 'operator' };
    for (const password of COMMON) {
      assertWeak(await admin.call('POST', '/users', { ...user, password }), password, REASONS[password]!);
    }
    for (const password of ['olivia12345678', 'olivia2024!!', 'Newton1234567']) {
      assertWeak(await admin.call('POST', '/users', { ...user, password }), password, /the account's username/);
    }
    assert.equal((await admin.call('GET', '/users')).text.includes('olivia'), false, 'no user was made');
    assert.equal((await admin.call('POST', '/users', { ...user, password: STRONG })).status, 201);
  });

  it('a user changes their own password: the old one stops working, the other sign-ins end, this one stays', async () => {
    const here = new ConsoleClient(relay);
    const there = new ConsoleClient(relay);
    assert.equal((await here.login('olivia', STRONG)).status, 200);
    assert.equal((await there.login('olivia', STRONG)).status, 200);
    const change = (currentPassword: string, newPassword: string) =>
      here.call('POST', '/me/password', { currentPassword, newPassword });

    const wrong = await change('not my password', 'amber falcon quietly 17');
    assert.deepEqual([wrong.status, refusal(wrong).code], [400, 'wrong-password']);
    for (const password of COMMON) assertWeak(await change(STRONG, password), password, REASONS[password]!);
    assertWeak(await change(STRONG, 'olivia1234567890'), 'username + digits', /the account's username/);
    const same = await change(STRONG, STRONG);
    assert.deepEqual([same.status, refusal(same).code], [400, 'weak-password'], 'the current one again');
    assert.equal((await there.call('GET', '/me')).status, 200, 'refused changes end nothing');

    const changed = await change(STRONG, 'amber falcon quietly 17');
    assert.equal(changed.status, 200, changed.text);
    assert.equal((await here.call('GET', '/devices')).status, 200, 'this sign-in stays');
    assert.equal((await there.call('GET', '/me')).status, 401, 'the other one has ended');
    assert.equal((await new ConsoleClient(relay).login('olivia', STRONG)).status, 401, 'the old password is dead');
    assert.equal((await new ConsoleClient(relay).login('olivia', 'amber falcon quietly 17')).status, 200);

    const admin = new ConsoleClient(relay);
    await admin.login('ada', STRONG);
    const audit = (await admin.call('GET', '/audit')).body as { entries: Array<Record<string, unknown>> };
    const rows = audit.entries.filter((e) => e.action === 'user.password-changed');
    assert.deepEqual(
      rows.map((e) => [e.result, e.detail]),
      [
        ['ok', { username: 'olivia', change: 'changed', signInsEnded: 1 }],
        ['failed', { username: 'olivia', change: 'changed', reason: 'wrong current password' }],
      ],
    );
    assert.ok(!JSON.stringify(audit).includes('amber falcon'), 'no password in the audit trail');
  });

  it('an admin resets a password: sign-ins end, the temporary one opens only its own change', async () => {
    const admin = new ConsoleClient(relay);
    await admin.login('ada', STRONG);
    const olivia = new ConsoleClient(relay);
    assert.equal((await olivia.login('olivia', 'amber falcon quietly 17')).status, 200);
    const reset = (body: object) => admin.call('POST', '/users/olivia/password', body);

    for (const password of COMMON) assertWeak(await reset({ password }), password, REASONS[password]!);
    assertWeak(await reset({ password: 'Olivia2024!!!' }), 'name + digits', /the account's username/);
    const own = await admin.call('POST', '/users/ada/password', {});
    assert.deepEqual([own.status, refusal(own).code], [409, 'own-account']);
    assert.equal((await admin.call('POST', '/users/nobody/password', {})).status, 404);
    assert.equal((await olivia.call('GET', '/me')).status, 200, 'refused resets end nothing');

    const typed = await reset({ password: 'copper meadow thistle 4' });
    assert.deepEqual([typed.status, typed.body], [200, {}], 'a typed one is not answered back');
    assert.equal((await olivia.call('GET', '/me')).status, 401, 'her sign-in has ended');
    const generated = await reset({});
    assert.equal(generated.status, 200);
    const { password: temporary } = PasswordResetResponse.parse(generated.body);
    assert.match(temporary ?? '', /^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/);
    assert.equal((await new ConsoleClient(relay).login('olivia', 'copper meadow thistle 4')).status, 401);
    const users = (await admin.call('GET', '/users')).body as { users: Array<Record<string, unknown>> };
    assert.equal(users.users.find((u) => u.username === 'olivia')?.passwordChangeNeeded, true);

    const again = new ConsoleClient(relay);
    const signIn = await again.login('olivia', temporary!);
    assert.equal(signIn.status, 200);
    assert.equal(LoginResponse.parse(signIn.body).passwordChangeNeeded, true);
    for (const [method, route] of [
      ['GET', '/devices'],
      ['GET', '/me/second-factor'],
      ['POST', '/assistances'],
    ] as const) {
      const held = await again.call(method, route, method === 'POST' ? { deviceId: 'x', mode: 'attended' } : undefined);
      assert.deepEqual([held.status, refusal(held).code], [403, 'password-change'], `${method} ${route}`);
    }
    assert.equal((await again.call('GET', '/me')).status, 200);
    const change = (newPassword: string) =>
      again.call('POST', '/me/password', { currentPassword: temporary, newPassword });
    assertWeak(await change('Password123!'), 'still common', REASONS['Password123!']!);
    assert.equal((await change('walnut orbit pebble 88')).status, 200);
    const me = LoginResponse.parse((await again.call('GET', '/me')).body);
    assert.equal(me.passwordChangeNeeded, false);
    assert.equal((await again.call('GET', '/devices')).status, 200, 'the console opens');
    assert.equal((await new ConsoleClient(relay).login('olivia', temporary!)).status, 401, 'the temporary one is dead');

    const audit = (await admin.call('GET', '/audit')).body as { entries: Array<Record<string, unknown>> };
    const resets = audit.entries.filter(
      (e) => e.action === 'user.password-changed' && (e.detail as { change: string }).change === 'reset',
    );
    assert.deepEqual(
      resets.map((e) => [(e.actor as { id: string }).id, e.detail]),
      [
        // Newest first: the generated one found no sign-in left; the typed one ended this test's and the last one's.
        ['ada', { username: 'olivia', change: 'reset', signInsEnded: 0 }],
        ['ada', { username: 'olivia', change: 'reset', signInsEnded: 3 }],
      ],
    );
    assert.ok(!JSON.stringify(audit).includes(temporary!), 'no temporary password in the audit trail');
  });
});
