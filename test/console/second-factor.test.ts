/**
 * TOTP second factors for console users, through the real relay's API with codes computed as an
 * authenticator app computes them (otpauth, at the relay's clock): a second factor is on only
 * after a code its app shows; then the password alone is refused, the right code accepted and a
 * replayed one refused; wrong codes slow down the account from every address; administrators can
 * require second factors (users without one are sent to set it up first) and reset a lost one.
 * The secret is sealed at rest under a key derived from the relay's token pepper (outside the
 * database), and survives a restart.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { Secret, TOTP, URI } from 'otpauth';
import { LoginResponse } from '../../src/shared/console-api.js';
import { SecondFactorEnrolment } from '../../src/shared/console-security.js';
import { aesGcmBox, consoleSecretBox } from '../../src/relay/console/secret-box.js';
import { PEPPER_FILE } from '../../src/relay/credentials/pepper.js';
import { TokenMac } from '../../src/relay/credentials/token-mac.js';
import { ADMIN_PASSWORD, ConsoleClient, firstAdmin } from '../fixtures/console.js';
import { startTestRelay, TestClock, type TestRelay } from '../../dev/rig/relay.js';

const STEP_MS = 30_000;

describe('console second factors', () => {
  let dataDir: string;
  const clock = new TestClock();
  let relay: TestRelay;
  let admin: ConsoleClient;
  let olivia: ConsoleClient;
  /** olivia's authenticator app. */
  let secret: string;
  /** The admin's. */
  let adminSecret: string;
  let nextHost = 10;
  const elsewhere = () => new ConsoleClient(relay, { from: `127.0.0.${nextHost++}` });
  const codeAt = (base32: string, at = clock.now()) =>
    TOTP.generate({ secret: Secret.fromBase32(base32), timestamp: at });
  const oliviaPassword = 'olivia password 123';

  before(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'flxra-second-factor-'));
    relay = await startTestRelay({ dataDir, clock });
    admin = await firstAdmin(relay);
    olivia = await admin.newUser('olivia', 'operator');
  });
  after(async () => {
    await relay.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  /** Sets up a second factor for the signed-in client; the secret its app holds. */
  async function turnOn(client: ConsoleClient): Promise<string> {
    const begun = await client.call('POST', '/me/second-factor');
    assert.equal(begun.status, 201, begun.text);
    const enrolment = SecondFactorEnrolment.parse(begun.body);
    const confirmed = await client.call('POST', '/me/second-factor/confirm', { code: codeAt(enrolment.secret) });
    assert.equal(confirmed.status, 200, confirmed.text);
    return enrolment.secret;
  }

  it('turns a second factor on only with a code its app shows, and keeps the secret sealed', async () => {
    assert.deepEqual((await olivia.call('GET', '/me/second-factor')).body, { enabled: false, required: false });
    const begun = await olivia.call('POST', '/me/second-factor');
    assert.equal(begun.status, 201, begun.text);
    const enrolment = SecondFactorEnrolment.parse(begun.body);
    const uri = URI.parse(enrolment.uri) as TOTP;
    assert.ok(uri instanceof TOTP, enrolment.uri);
    assert.deepEqual(
      [uri.label, uri.issuer, uri.digits, uri.period],
      ['olivia', `flxra (${new URL(relay.url).hostname})`, 6, 30],
    );
    assert.equal(uri.secret.base32, enrolment.secret);
    secret = enrolment.secret;

    // Pending: signing in still takes only the password.
    assert.equal((await new ConsoleClient(relay).login('olivia', oliviaPassword)).status, 200);
    const wrong = await olivia.call('POST', '/me/second-factor/confirm', {
      code: '000000' === codeAt(secret) ? '111111' : '000000',
    });
    assert.deepEqual([wrong.status, (wrong.body as { error: { code: string } }).error.code], [400, 'invalid-code']);
    const right = await olivia.call('POST', '/me/second-factor/confirm', {
      code: codeAt(secret).replace(/(\d{3})/, '$1 '),
    });
    assert.equal(right.status, 200, right.text);
    assert.deepEqual(right.body, { enabled: true, required: false });

    // At rest: neither the base32 secret nor its bytes, in the database (WAL included) or the logs.
    const raw = Buffer.from(Secret.fromBase32(secret).bytes);
    for (const file of await fs.readdir(dataDir)) {
      if (!file.startsWith('relay.db')) continue;
      const bytes = await fs.readFile(path.join(dataDir, file));
      assert.equal(bytes.indexOf(raw), -1, `the secret's bytes in ${file}`);
      assert.equal(bytes.indexOf(secret), -1, `the secret in ${file}`);
    }
    assert.ok(!JSON.stringify(relay.logs).includes(secret));
    const db = new Database(path.join(dataDir, 'relay.db'), { readonly: true });
    try {
      const row = db.prepare('SELECT * FROM console_second_factors WHERE username = ?').get('olivia') as {
        secret: Buffer;
        pending: Buffer | null;
      };
      assert.equal(row.pending, null);
      assert.equal(row.secret.length, 1 + 12 + 16 + 20, 'version, nonce, tag and the sealed 20 bytes');
      // It opens with the pepper's key, and with no other: the database alone gives nothing.
      const pepper = Buffer.from((await fs.readFile(path.join(dataDir, PEPPER_FILE), 'utf8')).trim(), 'base64url');
      const context = 'console second factor:olivia';
      assert.deepEqual(consoleSecretBox(new TokenMac(pepper)).open(row.secret, context), raw);
      assert.throws(() => consoleSecretBox(new TokenMac(Buffer.alloc(32, 1))).open(row.secret, context));
    } finally {
      db.close();
    }
  });

  it('refuses the password alone, takes the right code once and refuses it replayed', async () => {
    // The code that turned it on is spent: sign-ins take the next ones.
    clock.advance(STEP_MS);
    const client = elsewhere();
    const alone = await client.login('olivia', oliviaPassword);
    assert.deepEqual(
      [alone.status, (alone.body as { error: { code: string } }).error.code, alone.headers.get('set-cookie')],
      [401, 'second-factor-required', null],
    );
    assert.equal((await client.login('olivia', 'not the password', codeAt(secret))).status, 401);
    const code = codeAt(secret);
    assert.equal((await client.login('olivia', oliviaPassword, code)).status, 200);
    assert.equal((await client.call('GET', '/devices')).status, 200);

    const replayed = await elsewhere().login('olivia', oliviaPassword, code);
    assert.equal(replayed.status, 401);
    assert.match(replayed.text, /that code was used already: wait for the next one/);
    const earlier = await elsewhere().login('olivia', oliviaPassword, codeAt(secret, clock.now() - STEP_MS));
    assert.equal(earlier.status, 401, "the last step's code, still in the window, is older than the one spent");
    clock.advance(STEP_MS);
    assert.equal((await elsewhere().login('olivia', oliviaPassword, codeAt(secret))).status, 200, 'the next one');

    const vias = relay.handle.audit
      .query()
      .filter((e) => e.action === 'user.signed-in' && e.actor.id === 'olivia')
      .map((e) => `${e.result} ${e.detail.via}`);
    assert.deepEqual(vias.slice(0, 4), [
      'ok password and second factor',
      'failed second factor',
      'failed second factor',
      'ok password and second factor',
    ]);
  });

  it('slows down wrong codes for the account from every address: only a holder of its password can', async () => {
    clock.advance(STEP_MS);
    for (let i = 0; i < 5; i++) {
      const code = String((Number(codeAt(secret)) + 1 + i) % 1_000_000).padStart(6, '0');
      assert.equal((await elsewhere().login('olivia', oliviaPassword, code)).status, 401);
    }
    const waiting = await elsewhere().login('olivia', oliviaPassword, codeAt(secret));
    assert.equal(waiting.status, 429);
    assert.match(waiting.text, /too many wrong codes for this account: try again in 1 second/);
    assert.equal((await elsewhere().login('olivia', 'a wrong password')).status, 401, 'passwords are checked as ever');
    clock.advance(1_000);
    assert.equal((await elsewhere().login('olivia', oliviaPassword, codeAt(secret))).status, 200);
  });

  it('sends users without a second factor to set one up once administrators require it', async () => {
    const required = { requireSecondFactor: true };
    const first = await admin.call('PUT', '/security', required);
    assert.deepEqual(
      [first.status, (first.body as { error: { code: string } }).error.code],
      [409, 'second-factor-first'],
    );
    adminSecret = await turnOn(admin);
    assert.deepEqual((await admin.call('PUT', '/security', required)).body, required);

    const bob = await admin.newUser('bob', 'operator');
    const me = LoginResponse.parse((await bob.call('GET', '/me')).body);
    assert.equal(me.secondFactorSetupNeeded, true);
    const refused = await bob.call('GET', '/devices');
    assert.deepEqual(
      [refused.status, (refused.body as { error: { code: string } }).error.code],
      [403, 'second-factor-setup'],
    );
    assert.deepEqual((await bob.call('GET', '/me/second-factor')).body, { enabled: false, required: true });
    const bobSecret = await turnOn(bob);
    assert.equal((await bob.call('GET', '/devices')).status, 200, 'set up: the console opens');

    const off = await olivia.call('POST', '/me/second-factor/disable', { code: codeAt(secret) });
    assert.deepEqual(
      [off.status, (off.body as { error: { code: string } }).error.code],
      [409, 'second-factor-required'],
    );
    const listed = (await admin.call('GET', '/users')).body as {
      users: Array<{ username: string; secondFactor: boolean }>;
    };
    assert.deepEqual(
      listed.users.map((u) => [u.username, u.secondFactor]),
      [
        ['root-admin', true],
        ['olivia', true],
        ['bob', true],
      ],
    );

    // Bob lost his phone: an administrator resets it, and he is sent to set up a new one.
    assert.equal((await admin.call('DELETE', '/users/bob/second-factor')).status, 200);
    assert.equal((await admin.call('DELETE', '/users/root-admin/second-factor')).status, 409, 'not your own');
    assert.equal((await bob.call('GET', '/devices')).status, 403);
    assert.equal((await elsewhere().login('bob', 'bob password 123', codeAt(bobSecret))).status, 200, 'password only');
    const changes = relay.handle.audit.query().filter((e) => e.action === 'user.second-factor-changed');
    assert.deepEqual(changes[0]?.detail, { username: 'bob', change: 'reset' });
    assert.equal(relay.handle.audit.query().filter((e) => e.action === 'console.security-changed').length, 1);

    assert.equal((await admin.call('PUT', '/security', { requireSecondFactor: false })).status, 200);
    clock.advance(STEP_MS);
    const disabled = await olivia.call('POST', '/me/second-factor/disable', { code: codeAt(secret) });
    assert.deepEqual(disabled.body, { enabled: false, required: false });
    assert.equal((await elsewhere().login('olivia', oliviaPassword)).status, 200, 'off: the password alone again');
  });

  it('keeps second factors through a restart', async () => {
    clock.advance(STEP_MS);
    await relay.close();
    relay = await startTestRelay({ dataDir, clock });
    assert.equal((await elsewhere().login('root-admin', ADMIN_PASSWORD)).status, 401, 'still asks for a code');
    assert.equal((await elsewhere().login('root-admin', ADMIN_PASSWORD, codeAt(adminSecret))).status, 200);
  });

  it('opens a sealed secret only with its key and for the user it was sealed for', () => {
    const box = aesGcmBox(Buffer.alloc(32, 7));
    const sealed = box.seal(Buffer.from('twenty bytes secret!'), 'console second factor:olivia');
    assert.equal(box.open(sealed, 'console second factor:olivia').toString(), 'twenty bytes secret!');
    assert.throws(() => box.open(sealed, 'console second factor:bob'));
    assert.throws(() => aesGcmBox(Buffer.alloc(32, 8)).open(sealed, 'console second factor:olivia'));
    const tampered = Buffer.from(sealed);
    tampered[tampered.length - 1]! ^= 1;
    assert.throws(() => box.open(tampered, 'console second factor:olivia'));
  });
});
