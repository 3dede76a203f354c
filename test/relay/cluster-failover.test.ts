/**
 * A relay node killed mid-assistance (SIGKILL: no goodbye, its session table gone with it): its
 * host and operator reconnect, as through the proxy, to the other node, which takes the
 * assistance over once the dead node's heartbeat is stale (src/relay/assistances/takeover.ts)
 * and carries it on as a restart does: both resume with their tokens, the user is not asked
 * again, signals flow, and the audit has every step, the takeover included. Two real `relay
 * serve --redis` processes on one data folder, a real Redis (test/fixtures/redis.ts).
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import type { SessionId } from '../../src/shared/protocol.js';
import { activationToken, connectClient, type TestClient } from '../../dev/rig/relay.js';
import { startRelayProcess, type RelayProcess } from '../../dev/rig/relay-process.js';
import { eventually } from '../../dev/rig/until.js';
import { startRedis, type Redis } from '../fixtures/redis.js';

let redis: Redis;
let a: RelayProcess;
let b: RelayProcess;
before(async () => {
  redis = await startRedis();
  const node = (name: string) => ['--redis', redis.url, '--node', name];
  a = await startRelayProcess({ args: node('a') });
  b = await startRelayProcess({ args: node('b'), shareWith: a });
});
after(async () => {
  await b?.close();
  await a?.close();
  await redis?.stop();
});

/** Connects again and again (the proxy's next try) until `ready` says the client is back in. */
async function reconnect(what: string, open: () => Promise<TestClient>, ready: (c: TestClient) => Promise<boolean>) {
  let tries = 0;
  const client = await eventually(
    what,
    async () => {
      tries++;
      const c = await open();
      if (await ready(c)) return c;
      c.close();
      return false;
    },
    { timeoutMs: 25_000, everyMs: 300 },
  );
  return { client, tries };
}

const within = <T>(p: Promise<T>) =>
  p.then(
    () => true,
    () => false,
  );

test('a node SIGKILLed mid-assistance: host and operator resume on the other node, not asked again, nothing lost in the audit', async (t) => {
  const device = await a.addDevice('Kiosk 3');
  const first = await connectClient(a.url, { role: 'host', deviceName: 'Kiosk 3', deviceToken: device.token });
  const assistance = await a.requestAssistance({ deviceId: device.id, mode: 'attended' });
  const sessionId: SessionId = assistance.sessionId;
  const { hostResumeToken } = await first.next('assistance:prepared');
  const op = await connectClient(a.url, { role: 'operator', token: a.operatorToken });
  op.emit('assistance:open', { activation: activationToken(assistance) });
  await first.next('session:join-request');
  first.emit('session:consent', { sessionId, decision: 'control', timedOut: false });
  const { resumeToken } = await op.next('session:admitted');
  assert.ok(resumeToken);
  op.emit('session:signal', { sessionId, signal: { type: 'offer', sdp: 'v=0 before' } });
  await first.next('session:signal');

  await a.kill('SIGKILL');
  const killedAt = Date.now();
  // Both sides reconnect by themselves, as the apps do, and each try reaches node B.
  const [host, operator] = await Promise.all([
    reconnect(
      'the host is back in its assistance on node B',
      () => connectClient(b.url, { role: 'host', deviceName: 'x', resume: { sessionId, token: hostResumeToken } }),
      (c) => within(c.next('host:resumed', { timeoutMs: 1_000 })),
    ),
    reconnect(
      'the operator resumed on node B',
      async () => {
        const c = await connectClient(b.url, { role: 'operator', token: a.operatorToken });
        await c.next('operator:ready');
        c.emit('session:resume', { sessionId, resumeToken });
        return c;
      },
      // Admitted again in the mode the user chose on node A.
      (c) =>
        c.next('session:admitted', { timeoutMs: 1_000 }).then(
          (p) => p.mode === 'control',
          () => false,
        ),
    ),
  ]);
  const resumedInMs = Date.now() - killedAt;
  t.after(() => {
    host.client.close();
    operator.client.close();
  });
  t.diagnostic(`both back within ${resumedInMs} ms (host ${host.tries} tries, operator ${operator.tries})`);

  // Signals flow both ways through node B; the user was not asked again.
  operator.client.emit('session:signal', { sessionId, signal: { type: 'offer', sdp: 'v=0 after' } });
  assert.deepEqual(await host.client.next('session:signal'), {
    sessionId,
    signal: { type: 'offer', sdp: 'v=0 after' },
  });
  host.client.emit('session:signal', { sessionId, signal: { type: 'answer', sdp: 'v=0 answer' } });
  assert.deepEqual(await operator.client.next('session:signal'), {
    sessionId,
    signal: { type: 'answer', sdp: 'v=0 answer' },
  });
  await host.client.flush();
  assert.deepEqual(host.client.received('session:join-request'), [], 'no second consent');
  host.client.emit('session:end', { sessionId });
  assert.equal((await operator.client.next('session:ended')).reason, 'user-ended');
  // The user quits: node B ends the assistance.
  host.client.close();

  // One trail, from node A's request to node B's end, the takeover between.
  const db = new Database(path.join(a.dataDir, 'relay.db'), { readonly: true });
  try {
    const trail = () =>
      db.prepare('SELECT action, detail FROM audit_log WHERE session_id = ? ORDER BY id').all(sessionId) as Array<{
        action: string;
        detail: string;
      }>;
    const rows = await eventually('node B audited the end', async () => {
      const all = trail();
      return all.some((r) => r.action === 'assistance.ended') && all;
    });
    const actions = rows.map((r) => r.action);
    t.diagnostic(actions.join(', '));
    const order = [
      'assistance.requested',
      'consent.decided',
      'connection.started',
      'assistance.taken-over',
      'connection.started',
      'connection.ended',
      'assistance.ended',
    ];
    assert.deepEqual(actions, order);
    const takeover = rows.find((r) => r.action === 'assistance.taken-over')!;
    assert.deepEqual(
      { ...(JSON.parse(takeover.detail) as Record<string, string>), silentSince: undefined },
      { from: 'a', to: 'b', silentSince: undefined },
    );
    assert.equal((JSON.parse(rows.at(-1)!.detail) as { reason?: string }).reason, 'host-closed');
    const owner = db.prepare('SELECT owner_node FROM assistances WHERE session_id = ?').get(sessionId);
    assert.deepEqual(owner, { owner_node: 'b' });
  } finally {
    db.close();
  }
});
