/**
 * Failed console sign-ins slow down where they come from, never the account for everyone: a flood
 * of wrong passwords from one address leaves the account's owner signing in from another (an
 * abuse test: bounded, loopback only, asserting the relay's log lines, audit rows and heap), the
 * waits grow per address and per account-and-address pair, and administrators are alerted to
 * repeated failures from an address or against an account. Client addresses are real: each
 * client binds its side of the connection to its own 127.0.0.x (Linux routes all of 127/8 to lo).
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { CONSOLE_API } from '../../src/shared/console-api.js';
import { SignInAlerts } from '../../src/shared/console-security.js';
import { addressKey } from '../../src/relay/console/login-throttle.js';
import { ADMIN_PASSWORD, ConsoleClient, firstAdmin, requestFrom } from '../fixtures/console.js';
import { heapAfterGc } from '../fixtures/forced-gc.js';
import { startTestRelay, type TestRelay } from '../../dev/rig/relay.js';

const MINUTE = 60_000;
/** The flood: this many sign-ins, or this long, whichever comes first. */
const FLOOD_REQUESTS = 2_000;
const FLOOD_MS = 6_000;
const FLOOD_SOCKETS = 16;

describe('console sign-in throttle', () => {
  let relay: TestRelay;
  let admin: ConsoleClient;
  /** Each test's addresses are its own: the throttle remembers an hour of failures per address. */
  let nextHost = 2;
  const from = () => new ConsoleClient(relay, { from: `127.0.0.${nextHost++}` });
  before(async () => {
    relay = await startTestRelay();
    admin = await firstAdmin(relay);
    await admin.newUser('olivia', 'operator');
  });
  after(() => relay.close());

  const retryAfter = (answer: { status: number; headers: Headers }) =>
    answer.status === 429 ? Number(answer.headers.get('retry-after')) : null;

  it('lets the owner in from another address while one address floods the account with wrong passwords', async () => {
    const attacker = `127.0.0.${nextHost++}`;
    const owner = from();
    const agent = new http.Agent({ keepAlive: true, maxSockets: FLOOD_SOCKETS });
    const heapBefore = heapAfterGc();
    const logsBefore = relay.logs.length;
    const auditBefore = relay.handle.audit.query().length;
    const statuses = new Map<number, number>();
    let sent = 0;
    const deadline = Date.now() + FLOOD_MS;
    const flooder = async () => {
      while (sent < FLOOD_REQUESTS && Date.now() < deadline) {
        const i = sent++;
        // The owner's account, and guessed usernames besides: the address is what waits.
        const username = i % 2 === 0 ? 'root-admin' : `guess-${i}`;
        const answer = await requestFrom(
          attacker,
          `${relay.url}${CONSOLE_API}/login`,
          {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ username, password: `wrong password ${i}` }),
          },
          agent,
        );
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
      }
    };
    const flood = Promise.all(Array.from({ length: FLOOD_SOCKETS }, flooder));
    try {
      // While it runs, the owner signs in from their own desk, at once and more than once.
      while (sent < FLOOD_REQUESTS / 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      for (let i = 0; i < 3; i++) assert.equal((await owner.login('root-admin', ADMIN_PASSWORD)).status, 200);
      await flood;
    } finally {
      agent.destroy();
    }
    console.log(`flood: ${sent} sign-ins, ${JSON.stringify([...statuses])}`);
    assert.ok(sent >= 300, `the flood sent ${sent} sign-ins`);
    // Only the address's free failures had their passwords checked; every other attempt was turned away.
    assert.ok((statuses.get(401) ?? 0) <= 10, `401s: ${statuses.get(401)}`);
    assert.equal((statuses.get(401) ?? 0) + (statuses.get(429) ?? 0), sent, JSON.stringify([...statuses]));
    assert.equal((await owner.login('root-admin', ADMIN_PASSWORD)).status, 200, 'and after it');

    // What the flood left in the relay is bounded, not proportional to it.
    const lines = relay.logs.length - logsBefore;
    assert.ok(lines < 40, `${lines} log lines for ${sent} sign-ins`);
    const rows = relay.handle.audit.query().length - auditBefore;
    assert.ok(rows < 20, `${rows} audit rows for ${sent} sign-ins`);
    const grown = heapAfterGc() - heapBefore;
    assert.ok(grown < 16 * 1024 * 1024, `the heap grew by ${Math.round(grown / 1024)} kB`);

    // The admins are told, with the counts.
    const { alerts } = SignInAlerts.parse((await admin.call('GET', '/sign-in-alerts')).body);
    const byAddress = alerts.find((a) => a.kind === 'address' && a.subject === attacker);
    assert.ok(byAddress, JSON.stringify(alerts));
    assert.equal(byAddress.failures + byAddress.refused, sent);
    const byAccount = alerts.find((a) => a.kind === 'account' && a.subject === 'root-admin');
    assert.ok(byAccount && byAccount.addresses === 1, JSON.stringify(byAccount));
    const raised = relay.handle.audit.query().filter((e) => e.action === 'sign-in.alert');
    assert.deepEqual(raised.map((e) => [e.detail.kind, e.detail.subject]).sort(), [
      ['account', 'root-admin'],
      ['address', attacker],
    ]);
  });

  it('makes an account-and-address pair wait longer after each failure, and no one else', async () => {
    const pair = from();
    for (let i = 0; i < 3; i++) assert.equal((await pair.login('olivia', `guess ${i}`)).status, 401);
    const waits: Array<number | null> = [];
    for (let i = 0; i < 5; i++) {
      const refused = await pair.login('olivia', 'olivia password 123');
      waits.push(retryAfter(refused));
      relay.clock.advance(refused.status === 429 ? Number(refused.headers.get('retry-after')) * 1000 : 0);
      assert.equal((await pair.login('olivia', `late guess ${i}`)).status, 401, 'checked once the wait is over');
    }
    assert.deepEqual(waits, [1, 2, 4, 8, 16]);
    const refused = await pair.login('olivia', 'olivia password 123');
    assert.match(refused.text, /too many failed sign-ins for this account from your address: try again in 32 seconds/);
    // The same address for another account, and the same account from another address: no wait.
    assert.equal((await pair.login('root-admin', 'not it')).status, 401);
    assert.equal((await from().login('olivia', 'olivia password 123')).status, 200);
    // The wait is capped at 15 minutes.
    for (let i = 0; i < 12; i++) {
      relay.clock.advance(15 * MINUTE);
      await pair.login('olivia', `patient guess ${i}`);
    }
    assert.equal(retryAfter(await pair.login('olivia', 'olivia password 123')), 15 * 60);
    relay.clock.advance(15 * MINUTE);
    assert.equal((await pair.login('olivia', 'olivia password 123')).status, 200, 'the owner, once the wait is over');
  });

  it('makes an address wait longer after each failure whatever accounts it tries', async () => {
    const address = from();
    for (let i = 0; i < 10; i++) assert.equal((await address.login(`nobody-${i}`, 'guess')).status, 401);
    const first = await address.login('olivia', 'olivia password 123');
    assert.equal(retryAfter(first), 1);
    assert.match(first.text, /too many failed sign-ins from your address: try again in 1 second/);
    relay.clock.advance(1_000);
    assert.equal((await address.login('nobody-else', 'guess')).status, 401);
    assert.equal(retryAfter(await address.login('root-admin', 'guess')), 2);
    assert.equal((await from().login('olivia', 'olivia password 123')).status, 200, 'another address is not slowed');
  });

  it('takes an IPv6 client by its /64 and an IPv4-mapped one by its IPv4 address', () => {
    assert.equal(addressKey('2001:db8:1:2:3:4:5:6'), '2001:db8:1:2::/64');
    assert.equal(addressKey('2001:db8:1:2::ff'), '2001:db8:1:2::/64');
    assert.equal(addressKey('2001:DB8::1'), '2001:db8:0:0::/64');
    assert.equal(addressKey('::ffff:127.0.0.2'), '127.0.0.2');
    assert.equal(addressKey('127.0.0.2'), '127.0.0.2');
  });
});
