/**
 * Two relay nodes as one relay (`--redis`, src/relay/cluster.ts): socket.io's Redis Streams
 * adapter over a real Redis (test/fixtures/redis.ts), both nodes on one store. A host on node A
 * and an operator on node B go through a whole signalling exchange (join, consent, offer, answer,
 * mode, end), and an unattended assistance whose device is on A is opened from B with its file
 * and password, once: the file is spent for every node. A node that starts on the shared store
 * takes none of the others' assistances as its own; a host back from a drop on the wrong node is
 * sent on to the owner. The nodes carry on after Redis restarts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { activationToken, connectClient, startTestRelay, type TestRelay } from '../../dev/rig/relay.js';
import { startRedis, type Redis } from '../fixtures/redis.js';
import { eventually } from '../../dev/rig/until.js';

const offer = { type: 'offer', sdp: 'v=0 test offer' };
const answer = { type: 'answer', sdp: 'v=0 test answer' };

describe('two relay nodes over Redis', () => {
  let redis: Redis;
  let a: TestRelay;
  let b: TestRelay;
  before(async () => {
    redis = await startRedis();
    a = await startTestRelay({ relay: { redisUrl: redis.url, node: 'a' } });
    b = await startTestRelay({ dataDir: a.dataDir, clock: a.clock, relay: { redisUrl: redis.url, node: 'b' } });
  });
  after(async () => {
    await b?.close();
    await a?.close();
    await redis?.stop();
  });

  it('carry a signalling exchange between a host on one node and an operator on the other', async () => {
    const host = await a.connectHost('Reception PC');
    const op = await b.connectOperator(a.operatorToken);
    const { sessionId } = host;
    op.emit('session:join', { sessionId });
    assert.deepEqual(await host.next('session:join-request'), {
      sessionId,
      operator: a.operatorIdentity,
      deviceName: 'Reception PC',
    });
    assert.deepEqual(await op.next('session:waiting'), { sessionId, deviceName: 'Reception PC' });
    host.emit('session:consent', { sessionId, decision: 'control' });
    assert.deepEqual(await op.next('session:admitted'), { sessionId, mode: 'control' });
    op.emit('session:signal', { sessionId, signal: offer });
    assert.deepEqual(await host.next('session:signal'), { sessionId, signal: offer });
    host.emit('session:signal', { sessionId, signal: answer });
    assert.deepEqual(await op.next('session:signal'), { sessionId, signal: answer });
    host.emit('session:mode', { sessionId, mode: 'view' });
    assert.deepEqual(await op.next('session:mode'), { sessionId, mode: 'view' });
    op.emit('session:end', { sessionId });
    assert.equal((await host.next('session:ended')).sessionId, sessionId);
  });

  it('let the host know when the operator on the other node is gone', async () => {
    const host = await a.connectHost();
    const op = await b.connectOperator(a.operatorToken);
    op.emit('session:join', { sessionId: host.sessionId });
    await host.next('session:join-request');
    host.emit('session:consent', { sessionId: host.sessionId, decision: 'view' });
    await op.next('session:admitted');
    op.close();
    assert.equal((await host.next('session:ended')).sessionId, host.sessionId);
  });

  it('refuse a session no node has, as one relay does', async () => {
    const op = await b.connectOperator(a.operatorToken);
    op.emit('session:join', { sessionId: '123456789' });
    const err = await op.next('relay:error');
    assert.equal(err.code, 'no-such-session');
  });

  it('open an assistance from the other node once: the file is spent everywhere', async () => {
    const host = await a.connectDevice('Kiosk 7');
    const assistance = await a.requestAssistance({ deviceId: host.deviceId, mode: 'unattended' });
    const prepared = await host.next('assistance:prepared');
    assert.equal(prepared.sessionId, assistance.sessionId);
    const open = { activation: activationToken(assistance), password: assistance.password };
    const op = await b.connectOperator(a.operatorToken);
    op.emit('assistance:open', open);
    const admitted = await op.next('session:admitted');
    assert.equal(admitted.sessionId, assistance.sessionId);
    op.emit('session:signal', { sessionId: assistance.sessionId, signal: offer });
    assert.deepEqual(await host.next('session:signal'), { sessionId: assistance.sessionId, signal: offer });
    // The same file again, from either node: used.
    for (const node of [a, b]) {
      const again = await node.connectOperator(a.operatorToken);
      again.emit('assistance:open', open);
      assert.equal((await again.next('relay:error')).code, 'activation-used');
    }
  });

  it('leave the running assistances of the other nodes alone when one more node starts', async () => {
    const host = await a.connectDevice('Kiosk 9');
    const assistance = await a.requestAssistance({ deviceId: host.deviceId, mode: 'unattended' });
    await host.next('assistance:prepared');
    const c = await startTestRelay({ dataDir: a.dataDir, clock: a.clock, relay: { redisUrl: redis.url, node: 'c' } });
    try {
      const [started] = c.handle.audit.query({ action: 'relay.started', limit: 1 });
      assert.deepEqual(started?.detail, { restart: true, assistancesCarriedOver: 0 });
      // Still A's, and still open to its file, from the new node too.
      const op = await c.connectOperator(a.operatorToken);
      op.emit('assistance:open', { activation: activationToken(assistance), password: assistance.password });
      assert.equal((await op.next('session:admitted')).sessionId, assistance.sessionId);
      await host.flush();
      assert.deepEqual(host.received('session:ended'), []);
    } finally {
      await c.close();
    }
  });

  it('carry on after Redis restarts', async () => {
    await redis.restart();
    // The nodes' clients reconnect by themselves; until they have, and the nodes have heard each
    // other's heartbeat, a join may find no owner: each try is a new host and operator.
    let tries = 0;
    const { host, op } = await eventually(
      'a join reached the other node after Redis came back',
      async () => {
        tries++;
        const host = await a.connectHost('After the outage');
        const op = await b.connectOperator(a.operatorToken);
        op.emit('session:join', { sessionId: host.sessionId });
        const joined = await host.next('session:join-request', { timeoutMs: 1_000 }).then(
          () => true,
          () => false,
        );
        return joined && { host, op };
      },
      { timeoutMs: 20_000, everyMs: 200 },
    );
    const { sessionId } = host;
    host.emit('session:consent', { sessionId, decision: 'control' });
    assert.deepEqual(await op.next('session:admitted'), { sessionId, mode: 'control' });
    op.emit('session:signal', { sessionId, signal: offer });
    assert.deepEqual(await host.next('session:signal'), { sessionId, signal: offer });
    host.emit('session:signal', { sessionId, signal: answer });
    assert.deepEqual(await op.next('session:signal'), { sessionId, signal: answer });
    assert.ok(tries <= 20, `${tries} tries`);
  });

  it('send a host back from a drop to the node that owns its assistance, telling it nothing', async () => {
    const host = await a.connectDevice('Kiosk 11');
    const assistance = await a.requestAssistance({ deviceId: host.deviceId, mode: 'unattended' });
    const { sessionId, hostResumeToken } = await host.next('assistance:prepared');
    const op = await b.connectOperator(a.operatorToken);
    op.emit('assistance:open', { activation: activationToken(assistance), password: assistance.password });
    await op.next('session:admitted');
    // A network drop: the transport closes under the host's socket.
    host.socket.io.engine.close();
    assert.deepEqual(await op.next('session:away'), { sessionId, side: 'host' });
    const resume = { role: 'host', deviceName: 'ignored when resuming', resume: { sessionId, token: hostResumeToken } };
    // Back through the proxy to node B, which does not own it: dropped again, told nothing.
    const wrong = await connectClient(b.url, resume);
    try {
      await eventually('node B dropped the host', async () => !wrong.socket.connected);
      assert.deepEqual(wrong.received('session:ended'), []);
      assert.deepEqual(wrong.received('host:resumed'), []);
    } finally {
      wrong.close();
    }
    // …and on its retry it reaches node A: back in the same assistance, the operator told.
    const back = await connectClient(a.url, resume);
    try {
      assert.deepEqual(await back.next('host:resumed'), { sessionId });
      assert.deepEqual(await op.next('session:back'), { sessionId, side: 'host' });
      op.emit('session:signal', { sessionId, signal: answer });
      assert.deepEqual(await back.next('session:signal'), { sessionId, signal: answer });
    } finally {
      back.close();
    }
  });
});
