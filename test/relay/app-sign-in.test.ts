/**
 * The console signs the operator's app in (src/relay/console/app-sign-in.ts), against a real
 * relay over HTTP: a signed-in console user gets a one-time link carrying only a code and the
 * relay's origin, with the relay's key fingerprints; the code is redeemed once for an operator
 * token of that user's identity, its own (the identity's other tokens keep working); a used, an
 * expired or an unknown code is refused; wrong codes are rate limited per address; each step
 * is audited and no code or token reaches the log.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { AppSignInOffer, parseAppSignInLink } from '../../src/shared/app-sign-in-link.js';
import { APP_SIGN_IN_PATH, AppSignInToken, RELAY_KEYS_PATH, RelayKeys } from '../../src/shared/relay-api.js';
import { REDEEM_FAILURES_PER_WINDOW } from '../../src/relay/console/app-sign-in.js';
import { firstAdmin, requestFrom, type ConsoleClient } from '../fixtures/console.js';
import { startTestRelay, type TestRelay } from '../../dev/rig/relay.js';

let relay: TestRelay;
let admin: ConsoleClient & { operatorToken: string };

before(async () => {
  relay = await startTestRelay();
  admin = await firstAdmin(relay);
});
after(() => relay?.close());

async function offer(client: ConsoleClient = admin): Promise<AppSignInOffer> {
  const answer = await client.call('POST', '/me/app-sign-in');
  assert.equal(answer.status, 201, answer.text);
  return AppSignInOffer.parse(answer.body);
}

function codeOf(made: AppSignInOffer): string {
  const parsed = parseAppSignInLink(made.link);
  assert.ok(parsed.ok, 'a well-formed sign-in link');
  return parsed.code;
}

async function redeem(
  code: string,
  from?: string,
): Promise<{ status: number; body: unknown; retryAfter: string | null }> {
  const init = { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code }) };
  const url = `${relay.url}${APP_SIGN_IN_PATH}`;
  const response = from === undefined ? await fetch(url, init) : await requestFrom(from, url, init);
  return {
    status: response.status,
    body: JSON.parse(await response.text()) as unknown,
    retryAfter: response.headers.get('retry-after'),
  };
}

test('"Connect the app": a link with only the code and the relay, the key fingerprints, a token once', async () => {
  const made = await offer();
  const link = new URL(made.link);
  assert.equal(link.protocol, 'flxra:');
  assert.deepEqual([...link.searchParams.keys()].sort(), ['code', 'relay'], 'nothing else in the link');
  assert.equal(link.searchParams.get('relay'), new URL(relay.url).origin);
  assert.ok(made.expiresAt - relay.clock.now() <= 60_000, 'valid for a minute');
  const published = RelayKeys.parse(await (await fetch(`${relay.url}${RELAY_KEYS_PATH}`)).json());
  assert.deepEqual(made.fingerprints, [published.keys[0]!.fingerprint]);

  const code = codeOf(made);
  const first = await redeem(code);
  assert.equal(first.status, 200, JSON.stringify(first.body));
  const { token, operator } = AppSignInToken.parse(first.body);
  assert.equal(operator.id, admin.user!.operatorId, "the console user's operator identity");
  const op = await relay.connectOperator(token);
  assert.equal(op.operator.name, 'Ada Admin');
  // A token of its own: the identity's earlier one (shown at setup) still works (operator-app-tokens.test.ts).
  assert.equal((await relay.connectOperator(admin.operatorToken)).operator.id, operator.id);

  const again = await redeem(code);
  assert.equal(again.status, 400, 'single use');
  assert.equal((again.body as { error: { code: string } }).error.code, 'invalid-code');

  const actions = relay.handle.audit.query().map((e) => `${e.action}:${e.result}`);
  assert.ok(actions.includes('app.sign-in-code:ok'));
  assert.ok(actions.includes('app.signed-in:ok'));
  assert.ok(actions.includes('app.signed-in:denied'));
  const logged = JSON.stringify(relay.logs) + JSON.stringify(relay.handle.audit.query());
  assert.ok(!logged.includes(code), 'the code is never logged');
  assert.ok(!logged.includes(token), 'nor the token');
});

test('a code older than a minute is refused; a newer code voids the older one', async () => {
  const old = codeOf(await offer());
  relay.clock.advance(61_000);
  assert.equal((await redeem(old)).status, 400, 'expired');

  const first = codeOf(await offer());
  const second = codeOf(await offer());
  assert.equal((await redeem(first)).status, 400, 'voided by the newer one');
  assert.equal((await redeem(second)).status, 200);
});

test('wrong codes are limited per address, and the limit says when to try again', async () => {
  const from = '127.0.0.9';
  for (let i = 0; i < REDEEM_FAILURES_PER_WINDOW; i++) assert.equal((await redeem('A'.repeat(24), from)).status, 400);
  const limited = await redeem('A'.repeat(24), from);
  assert.equal(limited.status, 429);
  assert.ok(Number(limited.retryAfter) > 0);
  // Even a right code waits: guessing cannot go on beside it.
  const right = codeOf(await offer());
  assert.equal((await redeem(right, from)).status, 429);
  // Another address is not held back.
  assert.equal((await redeem(right)).status, 200);
  relay.clock.advance(61_000);
  assert.equal((await redeem('A'.repeat(24), from)).status, 400, 'the window passes');
});

test('a malformed body is refused as such, without counting as a code', async () => {
  const response = await fetch(`${relay.url}${APP_SIGN_IN_PATH}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code: 'x' }),
  });
  assert.equal(response.status, 400);
  assert.equal((await fetch(`${relay.url}${APP_SIGN_IN_PATH}`)).status, 405);
  assert.equal((await admin.call('POST', '/me/app-sign-in', undefined, { csrf: false })).status, 403, 'CSRF checked');
});
