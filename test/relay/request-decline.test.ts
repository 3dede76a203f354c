/**
 * The user declines an assistance from its request notice, before anyone is let in: it ends
 * through the relay's one end path (audited as the user's doing, its file dead), and the operator
 * is told how it ended, whether already waiting in it or opening the file afterwards. An
 * assistance that is over says how it ended, never "its time ran out" when it did not.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { activationToken, startTestRelay, type TestRelay } from '../../dev/rig/relay.js';

describe('declining an assistance from its request notice', () => {
  let relay: TestRelay;
  beforeEach(async () => {
    relay = await startTestRelay();
  });
  afterEach(() => relay.close());

  it('ends it; the operator opening the file afterwards is told the user declined, not that it expired', async () => {
    const host = await relay.connectDevice('Kiosk 7');
    const assistance = await relay.requestAssistance({ deviceId: host.deviceId, mode: 'attended' });
    const { sessionId } = await host.next('assistance:prepared');
    host.emit('assistance:decline', { sessionId });
    assert.deepEqual(await host.next('session:ended'), { sessionId, reason: 'request-declined' });

    const op = await relay.connectOperator();
    op.emit('assistance:open', { activation: activationToken(assistance) });
    const refused = await op.next('relay:error');
    assert.equal(refused.code, 'session-expired');
    assert.equal(refused.endReason, 'request-declined');

    const rows = relay.handle.audit.query({ sessionId }).filter((e) => e.action === 'assistance.ended');
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.actor.kind, 'user');
    assert.deepEqual(rows[0]!.detail, { reason: 'request-declined' });
  });

  it('tells an operator already in it (unattended, password pending) when it tries the password', async () => {
    const host = await relay.connectDevice('Kiosk 8');
    const assistance = await relay.requestAssistance({ deviceId: host.deviceId, mode: 'unattended' });
    const { sessionId } = await host.next('assistance:prepared');
    host.emit('assistance:decline', { sessionId });
    await host.next('session:ended');
    const op = await relay.connectOperator();
    op.emit('assistance:open', { activation: activationToken(assistance), password: assistance.password! });
    assert.equal((await op.next('relay:error')).endReason, 'request-declined');
  });

  it('tells a waiting operator at once', async () => {
    const host = await relay.connectDevice('Kiosk 9');
    const assistance = await relay.requestAssistance({ deviceId: host.deviceId, mode: 'attended' });
    const { sessionId } = await host.next('assistance:prepared');
    const op = await relay.connectOperator();
    op.emit('assistance:open', { activation: activationToken(assistance) });
    await op.next('session:waiting');
    await host.next('session:join-request');
    host.emit('assistance:decline', { sessionId });
    assert.deepEqual(await op.next('session:ended'), { sessionId, reason: 'request-declined' });
  });

  it('is refused from any connection but the assistance host own', async () => {
    const host = await relay.connectDevice('Kiosk 10');
    await relay.requestAssistance({ deviceId: host.deviceId, mode: 'attended' });
    const { sessionId } = await host.next('assistance:prepared');
    const other = await relay.connectHost('Someone else');
    other.emit('assistance:decline', { sessionId });
    assert.equal((await other.next('relay:error')).code, 'not-in-session');
    const op = await relay.connectOperator();
    op.emit('assistance:decline', { sessionId });
    assert.equal((await op.next('relay:error')).code, 'not-in-session');
    await host.flush();
    assert.deepEqual(host.received('session:ended'), []);
  });

  it('an assistance that expired is refused as expired', async () => {
    const short = await startTestRelay({ relay: { unconnectedLifetimeMs: 5 * 60_000 } });
    try {
      const host = await short.connectDevice('Kiosk 11');
      const assistance = await short.requestAssistance({ deviceId: host.deviceId, mode: 'attended' });
      await host.next('assistance:prepared');
      short.clock.advance(6 * 60_000);
      await short.handle.sweep();
      const op = await short.connectOperator();
      op.emit('assistance:open', { activation: activationToken(assistance) });
      const refused = await op.next('relay:error');
      assert.equal(refused.code, 'session-expired');
      assert.equal(refused.endReason, 'expired');
    } finally {
      await short.close();
    }
  });
});
