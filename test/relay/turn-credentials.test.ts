/**
 * TURN credentials as the relay issues them, checked against a real coturn started with the
 * deployment's configuration (dev/rig/turnserver.ts): the two admitted peers of a session get
 * them, and with them an allocation works over UDP and TCP; the same credentials cannot open a
 * way to a loopback port of the relay's machine (the relay's own port refused with 403) or to a
 * private, CGNAT or link-local address, while the one peer address the rig allows on purpose and
 * an internet address are let through; credentials past their expiry
 * and forged ones are refused (401). Nobody else gets any: an operator still waiting for
 * consent, another session's host, an operator refused because the session is busy; and a relay
 * without TURN sends none.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { relayEvents, type RelayEventPayload } from '../../src/shared/protocol.js';
import { openTurnProbe, type TurnTransport } from '../../dev/rig/turn-probe.js';
import { startTestRelay, TestClock, type TestClient, type TestRelay } from '../../dev/rig/relay.js';
import { startTurnServer, TURN_HOST, TURN_RELAY_IP, type TestTurnServer } from '../../dev/rig/turnserver.js';

let turn: TestTurnServer;

before(async () => {
  turn = await startTurnServer();
});
after(async () => {
  await turn?.close();
});

async function relayWithTurn(clock?: TestClock, ttlMs?: number): Promise<TestRelay> {
  return startTestRelay({
    ...(clock ? { clock } : {}),
    relay: { turn: { urls: [turn.url('udp'), turn.url('tcp')], secret: turn.secret, ...(ttlMs ? { ttlMs } : {}) } },
  });
}

/** The next session:ice, checked against the contract's schema as the apps check it. */
async function ice(client: TestClient): Promise<RelayEventPayload<'session:ice'>> {
  return relayEvents['session:ice'].parse(await client.next('session:ice'));
}

async function probe(transport: TurnTransport, server: { username: string; credential: string }) {
  return openTurnProbe({
    transport,
    host: TURN_HOST,
    port: turn.port,
    username: server.username,
    password: server.credential,
  });
}

test('the admitted peers get credentials that allocate, but reach no loopback port of the relay', async () => {
  const relay = await relayWithTurn();
  try {
    const now = relay.clock.now();
    const { host, op, sessionId } = await relay.openSession('control');
    const [forOperator, forHost] = [await ice(op), await ice(host)];
    for (const grant of [forOperator, forHost]) {
      assert.equal(grant.sessionId, sessionId);
      assert.equal(grant.ice.iceTransportPolicy, 'all');
      const [server] = grant.ice.iceServers;
      assert.deepEqual(server?.urls, [turn.url('udp'), turn.url('tcp')]);
      // coturn's REST scheme: <expiry>:<id>, an hour from the relay's time at most.
      const expiry = Number(server.username.split(':')[0]) * 1000;
      assert.equal(expiry, grant.ice.expiresAt);
      assert.ok(expiry > now && expiry <= now + 60 * 60_000, `expiry ${expiry} within the hour after ${now}`);
    }
    assert.notEqual(forOperator.ice.iceServers[0]!.username, forHost.ice.iceServers[0]!.username);
    // The secret appears in no log line.
    assert.ok(!JSON.stringify(relay.logs).includes(turn.secret), 'the TURN secret was logged');

    for (const transport of ['udp', 'tcp'] as const) {
      for (const grant of [forOperator, forHost]) {
        const client = await probe(transport, grant.ice.iceServers[0]!);
        try {
          const allocation = await client.allocate();
          assert.ok(allocation.ok, `${transport} allocation refused: ${JSON.stringify(allocation)}`);
          assert.equal(allocation.relayed.address, TURN_RELAY_IP);
          // The relay's own port on this machine's loopback: refused by denied-peer-ip.
          assert.deepEqual(await client.createPermission('127.0.0.1'), {
            ok: false,
            code: 403,
            reason: 'Forbidden IP',
          });
          const channel = await client.channelBind('127.0.0.1', relay.port);
          assert.equal(channel.ok ? 200 : channel.code, 403);
          // Nor the networks behind it: private, carrier-grade NAT, link-local (a cloud's metadata service).
          for (const inside of ['10.0.0.1', '172.16.5.4', '192.168.1.1', '100.64.0.1', '169.254.169.254']) {
            const answer = await client.createPermission(inside);
            assert.equal(answer.ok ? 200 : answer.code, 403, `a permission to ${inside}`);
          }
          // The one loopback address the rig's deployment allows (its relayed endpoints) is let through,
          // and so is an internet address (a documentation one: a permission sends it nothing).
          assert.deepEqual(await client.createPermission(TURN_RELAY_IP), { ok: true });
          assert.deepEqual(await client.createPermission('203.0.113.7'), { ok: true });
        } finally {
          client.close();
        }
      }
    }
  } finally {
    await relay.close();
  }
});

test('credentials past their expiry, or not made with the secret, are refused (401)', async () => {
  // A relay whose time is two hours behind issues credentials that expired an hour ago by coturn's clock.
  const relay = await relayWithTurn(new TestClock(Date.now() - 2 * 60 * 60_000));
  try {
    const { op } = await relay.openSession('control');
    const server = (await ice(op)).ice.iceServers[0]!;
    const expired = await probe('udp', server);
    try {
      const answer = await expired.allocate();
      assert.equal(answer.ok ? 200 : answer.code, 401);
    } finally {
      expired.close();
    }
    // A fresh expiry with a password not made with the shared secret.
    const forged = await probe('tcp', { username: `${Math.floor(Date.now() / 1000) + 600}:x`, credential: 'forged' });
    try {
      const answer = await forged.allocate();
      assert.equal(answer.ok ? 200 : answer.code, 401);
    } finally {
      forged.close();
    }
  } finally {
    await relay.close();
  }
});

test('only the two admitted peers get credentials, and each new peer fresh ones', async () => {
  const relay = await relayWithTurn();
  try {
    const { host, op, sessionId } = await relay.openSession(null); // waiting for consent
    const other = await relay.connectHost('another-desktop');
    const stranger = await relay.connectOperator((await relay.addOperator('Grace Hopper')).token);
    stranger.emit('session:join', { sessionId });
    assert.equal((await stranger.next('relay:error')).code, 'session-busy');
    await Promise.all([host.flush(), op.flush(), other.flush(), stranger.flush()]);
    for (const client of [host, op, other, stranger]) assert.deepEqual(client.received('session:ice'), []);

    host.emit('session:consent', { sessionId, decision: 'view' });
    await op.next('session:admitted');
    const first = await ice(op);
    await ice(host);
    await Promise.all([other.flush(), stranger.flush()]);
    for (const client of [other, stranger]) assert.deepEqual(client.received('session:ice'), []);

    // The operator's app reconnects (same identity): both sides get fresh credentials with the new peer.
    relay.clock.advance(5_000);
    const again = await relay.connectOperator();
    again.emit('session:join', { sessionId });
    await again.next('session:admitted');
    const renewed = await ice(again);
    await host.next('session:peer-reset');
    await ice(host);
    assert.ok(renewed.ice.expiresAt > first.ice.expiresAt, 'the new credentials expire later');
  } finally {
    await relay.close();
  }
});

test('a relay without TURN sends no credentials', async () => {
  const relay = await startTestRelay();
  try {
    const { host, op } = await relay.openSession('control');
    await Promise.all([host.flush(), op.flush()]);
    assert.deepEqual(op.received('session:ice'), []);
    assert.deepEqual(host.received('session:ice'), []);
  } finally {
    await relay.close();
  }
});

test('while a session lasts its peers get fresh credentials before theirs expire; once over, none', async () => {
  const relay = await relayWithTurn(undefined, 120_000); // a two-minute lifetime: renewed at half of it
  try {
    const { host, op, sessionId } = await relay.openSession('control');
    const first = await ice(op);
    await ice(host);
    relay.clock.advance(30_000);
    await relay.handle.sweep();
    await Promise.all([host.flush(), op.flush()]);
    assert.deepEqual(op.received('session:ice'), [], 'nothing renewed while most of the lifetime is left');
    relay.clock.advance(40_000);
    await relay.handle.sweep();
    const [renewedOp, renewedHost] = [await ice(op), await ice(host)];
    for (const renewed of [renewedOp, renewedHost]) {
      assert.equal(renewed.sessionId, sessionId);
      assert.equal(renewed.ice.expiresAt, Math.floor((relay.clock.now() + 120_000) / 1000) * 1000);
    }
    assert.ok(renewedOp.ice.expiresAt > first.ice.expiresAt);
    // The renewed credentials are good ones for coturn.
    const client = await probe('udp', renewedHost.ice.iceServers[0]!);
    try {
      assert.ok((await client.allocate()).ok);
    } finally {
      client.close();
    }
    op.emit('session:end', { sessionId });
    await host.next('session:ended');
    relay.clock.advance(100_000);
    await relay.handle.sweep();
    await Promise.all([host.flush(), op.flush()]);
    assert.deepEqual(host.received('session:ice'), [], 'no credentials after the session ended');
  } finally {
    await relay.close();
  }
});
