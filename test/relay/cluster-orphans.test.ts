/**
 * A relay node that stops and never comes back, and nobody resumes its assistance: another
 * node's sweep takes the assistance over once the node has been silent (its heartbeat row in the
 * store, src/relay/assistances/takeover.ts), and the assistance then ends by its grace periods
 * as on one relay, with its audit rows, instead of lingering unowned until it is purged. Two
 * nodes in one process on one store and a real Redis, their shared clock moved by the test.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { activationToken, startTestRelay, type TestRelay } from '../../dev/rig/relay.js';
import { startRedis, type Redis } from '../fixtures/redis.js';

let redis: Redis;
let survivor: TestRelay;
let gone: TestRelay;
before(async () => {
  redis = await startRedis();
  survivor = await startTestRelay({ relay: { redisUrl: redis.url, node: 'b' } });
  gone = await startTestRelay({
    dataDir: survivor.dataDir,
    clock: survivor.clock,
    relay: { redisUrl: redis.url, node: 'a' },
  });
});
after(async () => {
  await gone?.close();
  await survivor?.close();
  await redis?.stop();
});

test("a node gone for good: another node's sweep takes over its assistance, which then ends by its grace, audited", async () => {
  const host = await gone.connectDevice('Kiosk 12');
  const assistance = await gone.requestAssistance({ deviceId: host.deviceId, mode: 'unattended' });
  await host.next('assistance:prepared');
  const op = await gone.connectOperator();
  op.emit('assistance:open', { activation: activationToken(assistance), password: assistance.password! });
  await op.next('session:admitted');
  const { sessionId } = assistance;
  const trail = () =>
    survivor.handle.audit
      .query({ sessionId })
      .map((e) => e.action)
      .reverse();

  await gone.close();
  // Silent for less than its staleness: still its own.
  survivor.clock.advance(3_000);
  await survivor.handle.sweep();
  assert.deepEqual(trail().includes('assistance.taken-over'), false);
  // Silent past it: the survivor's sweep takes it over, once.
  survivor.clock.advance(4_000);
  await survivor.handle.sweep();
  await survivor.handle.sweep();
  assert.equal(trail().filter((a) => a === 'assistance.taken-over').length, 1);
  // Nobody comes back: its host's grace (a minute) runs out and it ends, as on one relay.
  survivor.clock.advance(61_000);
  await survivor.handle.sweep();
  const actions = trail();
  assert.equal(actions.at(-1), 'assistance.ended', actions.join(', '));
  const [ended] = survivor.handle.audit.query({ sessionId, action: 'assistance.ended', limit: 1 });
  assert.equal(ended?.detail.reason, 'host-lost');
});
