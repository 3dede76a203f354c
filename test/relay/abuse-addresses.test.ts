/**
 * Bounded abuse of the relay by address (issue 8): many connections from one address that never
 * authenticate, anonymous hosts beyond their share, and X-Forwarded-For sent by clients that are
 * not the relay's reverse proxy. Authenticated clients are never limited by address (a whole
 * site may sit behind one NAT), and behind a configured proxy the header names the client.
 * Real relays on loopback; the counters, the log and the memory after a forced GC stay bounded
 * while a legitimate session keeps working.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CONSOLE_API } from '../../src/shared/console-api.js';
import { RelayCounters } from '../../src/shared/relay-counters.js';
import { TrustedProxies } from '../../src/relay/limits/client-address.js';
import { refusal, startTestRelay, type TestRelay } from '../../dev/rig/relay.js';
import { until } from '../../dev/rig/until.js';
import { assertSessionWorks, memoryAfterGc, openUnauthenticated } from '../fixtures/abuse.js';
import { ConsoleClient, firstAdmin } from '../fixtures/console.js';

const MB = 1024 * 1024;

/** `count` engine.io handshakes that never join a namespace, 25 at a time; each with the headers `headers(i)` gives. */
async function openMany(relay: TestRelay, count: number, headers: (i: number) => Record<string, string> = () => ({})) {
  for (let i = 0; i < count; i += 25) {
    const batch = Array.from({ length: Math.min(25, count - i) }, (_, k) =>
      openUnauthenticated(relay.url, headers(i + k)),
    );
    for (const sid of await Promise.all(batch)) assert.ok(sid, 'the relay refused an engine.io handshake');
  }
}

/** A failed console sign-in with this X-Forwarded-For: the status (401, or 429 once the address is throttled). */
async function failedSignIn(relay: TestRelay, username: string, forwardedFor: string): Promise<number> {
  const response = await fetch(`${relay.url}${CONSOLE_API}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
    body: JSON.stringify({ username, password: 'not the password' }),
  });
  await response.text();
  return response.status;
}

describe('relay abuse: addresses', () => {
  it('bounds the unauthenticated connections and anonymous hosts of one address, never authenticated clients', async () => {
    const relay = await startTestRelay({
      relay: { limits: { maxUnauthenticatedPerAddress: 8, pendingTimeoutMs: 600 } },
    });
    try {
      // The legitimate session's host is anonymous too: one of the address's 8.
      const { host, op, sessionId } = await relay.openSession('control');
      const before = memoryAfterGc();
      await openMany(relay, 200);
      let counters = relay.handle.counters();
      assert.deepEqual(counters.unauthenticatedByAddress, { '127.0.0.1': 8 + 1 });
      // Closed to make room for the next (engine.io may have closed a few of them by itself first).
      assert.ok(counters.unauthenticatedClosed > 150, `${counters.unauthenticatedClosed} closed`);
      assert.equal(counters.connections, 8 + 2);

      for (let i = 0; i < 7; i++) await relay.connectHost(`Anonymous ${i}`);
      assert.deepEqual(await refusal(relay.url, { role: 'host', deviceName: 'One too many' }), {
        code: 'unavailable',
        message: 'too many hosts without enrolment at this address just now',
      });
      assert.equal(relay.handle.counters().anonymousHostsRefused, 1);

      // The address is full, yet clients with a credential come in: they are never counted.
      const enrolled = await relay.connectDevice('Kiosk 7');
      const other = await relay.connectOperator();
      other.emit('session:join', { sessionId: enrolled.sessionId });
      await enrolled.next('session:join-request');

      // The 8 anonymous hosts and at most 8 pending (how many the later clients closed to make room depends on
      // whether the refused host's connection was gone before they came).
      counters = relay.handle.counters();
      const left = counters.unauthenticatedByAddress['127.0.0.1'] ?? 0;
      assert.ok(left > 8 && left <= 8 + 8, `${left} unauthenticated connections left`);
      assert.ok(memoryAfterGc() - before < 8 * MB, 'the connections left memory behind');
      assert.ok(relay.logs.filter((l) => l.msg.startsWith('unauthenticated connection closed')).length <= 200);
      await assertSessionWorks(host, op, sessionId);
    } finally {
      await relay.close();
    }
  });

  it('closes connections that never join a namespace once their time is up', async () => {
    const relay = await startTestRelay({ relay: { limits: { pendingTimeoutMs: 300 } } });
    try {
      const host = await relay.connectHost();
      const counted = () => relay.handle.counters().unauthenticatedByAddress['127.0.0.1'];
      await openMany(relay, 5);
      await until('closed the connections that never joined a namespace', () => counted() === 1, {
        timeoutMs: 3_000,
        seen: counted,
      });
      assert.equal(relay.handle.counters().connections, 1, 'only the host is left');
      await host.flush();
    } finally {
      await relay.close();
    }
  });

  it('ignores X-Forwarded-For from a client that is not a trusted proxy', async () => {
    const relay = await startTestRelay({ relay: { limits: { maxUnauthenticatedPerAddress: 8 } } });
    try {
      const { host, op, sessionId } = await relay.openSession('control');
      await openMany(relay, 100, (i) => ({ 'x-forwarded-for': `203.0.113.${i}` }));
      assert.deepEqual(relay.handle.counters().unauthenticatedByAddress, { '127.0.0.1': 8 + 1 });

      // The console's sign-in throttle counts by the same address: past its 10 free failures it waits, whatever
      // the header says.
      for (let i = 0; i < 10; i++) assert.equal(await failedSignIn(relay, `user${i}`, `198.51.100.${i}`), 401);
      assert.equal(await failedSignIn(relay, 'someone-else', '198.51.100.250'), 429);
      await assertSessionWorks(host, op, sessionId);
    } finally {
      await relay.close();
    }
  });

  it('behind a trusted proxy, counts by the client the proxy names, not by what the client claims', async () => {
    const relay = await startTestRelay({
      relay: { limits: { maxUnauthenticatedPerAddress: 8, trustedProxies: ['127.0.0.0/8'] } },
    });
    try {
      await openMany(relay, 3, () => ({ 'x-forwarded-for': '198.51.100.7' }));
      // The client wrote the left part itself; the proxy appended what it saw.
      await openMany(relay, 20, (i) => ({ 'x-forwarded-for': `10.9.9.${i}, 198.51.100.9` }));
      assert.deepEqual(relay.handle.counters().unauthenticatedByAddress, { '198.51.100.7': 3, '198.51.100.9': 8 });

      for (let i = 0; i < 10; i++) assert.equal(await failedSignIn(relay, `user${i}`, '198.51.100.7'), 401);
      assert.equal(await failedSignIn(relay, 'someone-else', '198.51.100.7'), 429);
      assert.equal(
        await failedSignIn(relay, 'someone-else', '198.51.100.8'),
        401,
        'another client of the proxy is not throttled',
      );
    } finally {
      await relay.close();
    }
  });

  it("shows the relay's counters to administrators in the console, and to no one else", async () => {
    const relay = await startTestRelay();
    try {
      await openMany(relay, 3);
      const admin = await firstAdmin(relay);
      const answer = await admin.call('GET', '/relay/counters');
      assert.equal(answer.status, 200, answer.text);
      assert.deepEqual(RelayCounters.parse(answer.body).unauthenticatedByAddress, { '127.0.0.1': 3 });
      const operator = await admin.newUser('olivia', 'operator');
      assert.equal((await operator.call('GET', '/relay/counters')).status, 403);
      assert.equal((await new ConsoleClient(relay).call('GET', '/relay/counters')).status, 401);
    } finally {
      await relay.close();
    }
  });

  it('reads trusted proxies as addresses and CIDR blocks, and refuses anything else', () => {
    const proxies = new TrustedProxies(['10.0.0.0/8', '::1', '2001:db8::/32']);
    assert.equal(proxies.clientAddress('10.1.2.3', '192.0.2.1'), '192.0.2.1');
    assert.equal(proxies.clientAddress('::ffff:10.1.2.3', '192.0.2.1'), '192.0.2.1');
    assert.equal(proxies.clientAddress('::1', '192.0.2.1, 10.0.0.5'), '192.0.2.1', 'past every trusted proxy');
    assert.equal(proxies.clientAddress('2001:db8::5', ['192.0.2.9', '2001:db8::6']), '192.0.2.9');
    assert.equal(proxies.clientAddress('10.1.2.3', 'not-an-address, 192.0.2.1'), '192.0.2.1');
    assert.equal(
      proxies.clientAddress('10.1.2.3', '192.0.2.1, not-an-address'),
      '10.1.2.3',
      'a malformed hop ends the chain',
    );
    assert.equal(proxies.clientAddress('192.0.2.200', '10.0.0.1'), '192.0.2.200', 'not a proxy: the header is ignored');
    assert.equal(new TrustedProxies([]).clientAddress('::ffff:127.0.0.1', '192.0.2.1'), '127.0.0.1');
    for (const bad of ['10.0.0.0/33', 'localhost', '10.0.0.0/8/1', '::1/129', ''])
      assert.throws(
        () => new TrustedProxies([bad]),
        new RegExp(`invalid trusted proxy "${bad.replaceAll('/', '\\/')}"`),
      );
  });
});
