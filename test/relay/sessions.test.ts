/** Session rules, end to end through a real relay: join, consent, mode, signals, ending, disconnects. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TestRelay } from '../../dev/rig/relay.js';
import { relayForBlock } from '../fixtures/file-relay.js';

const offer = { type: 'offer', sdp: 'v=0 test offer' };
const answer = { type: 'answer', sdp: 'v=0 test answer' };

describe('relay sessions', () => {
  let relay: TestRelay;
  /** A second registered operator's token. */
  let otherToken: string;
  relayForBlock((started, other) => ((relay = started), (otherToken = other)));

  describe('join', () => {
    it('asks the host with the registry identity and tells the operator to wait', async () => {
      const host = await relay.connectHost('Reception PC');
      const op = await relay.connectOperator();
      op.emit('session:join', { sessionId: host.sessionId });
      assert.deepEqual(await host.next('session:join-request'), {
        sessionId: host.sessionId,
        operator: relay.operatorIdentity,
        deviceName: 'Reception PC',
      });
      assert.deepEqual(await op.next('session:waiting'), { sessionId: host.sessionId, deviceName: 'Reception PC' });
    });

    it('refuses an unknown session', async () => {
      const op = await relay.connectOperator();
      op.emit('session:join', { sessionId: '123456789' });
      const err = await op.next('relay:error');
      assert.equal(err.code, 'no-such-session');
      assert.equal(err.event, 'session:join');
    });

    it('refuses a second operator while one is waiting, and while one is admitted', async () => {
      for (const mode of [null, 'control'] as const) {
        const { host, sessionId } = await relay.openSession(mode);
        const intruder = await relay.connectOperator(otherToken);
        intruder.emit('session:join', { sessionId });
        const err = await intruder.next('relay:error');
        assert.equal(err.code, 'session-busy');
        assert.match(err.message, /another operator is already in this session/);
        await host.flush();
        assert.deepEqual(host.received('session:join-request'), [], 'the host was not asked about the intruder');
      }
    });

    it('lets the same operator take over from a new connection while waiting', async () => {
      const { host, op: old, sessionId } = await relay.openSession(null);
      const fresh = await relay.connectOperator();
      fresh.emit('session:join', { sessionId });
      assert.deepEqual(await old.next('session:ended'), { sessionId, reason: 'replaced' });
      assert.deepEqual(await fresh.next('session:waiting'), { sessionId, deviceName: 'Test device' });
      // Consent now reaches the new connection only, and the old one is out of the session.
      host.emit('session:consent', { sessionId, decision: 'view' });
      assert.deepEqual(await fresh.next('session:admitted'), { sessionId, mode: 'view' });
      old.emit('session:signal', { sessionId, signal: offer });
      assert.equal((await old.next('relay:error')).code, 'not-in-session');
      await old.flush();
      assert.deepEqual(old.received('session:admitted'), []);
      await host.flush();
      assert.deepEqual(host.received('session:join-request'), [], 'no second consent prompt');
    });

    it('lets the same operator take over an admitted session without new consent; the host resets its peer', async () => {
      const { host, op: old, sessionId } = await relay.openSession('view');
      const fresh = await relay.connectOperator();
      fresh.emit('session:join', { sessionId });
      assert.deepEqual(await old.next('session:ended'), { sessionId, reason: 'replaced' });
      assert.deepEqual(await fresh.next('session:admitted'), { sessionId, mode: 'view' });
      assert.deepEqual(await host.next('session:peer-reset'), { sessionId });
      // The old connection going away later does not end the session taken over.
      old.close();
      fresh.emit('session:signal', { sessionId, signal: offer });
      assert.deepEqual(await host.next('session:signal'), { sessionId, signal: offer });
      await host.flush();
      assert.deepEqual(host.received('session:ended'), []);
    });
  });

  describe('consent', () => {
    for (const mode of ['control', 'view'] as const) {
      it(`admits the operator with ${mode}`, async () => {
        const { host, op, sessionId } = await relay.openSession(null);
        host.emit('session:consent', { sessionId, decision: mode });
        assert.deepEqual(await op.next('session:admitted'), { sessionId, mode });
      });
    }

    for (const [timedOut, reason] of [
      [false, 'declined'],
      [true, 'consent-timeout'],
    ] as const) {
      it(`ends the request as ${reason} on deny and keeps the session open`, async () => {
        const { host, op, sessionId } = await relay.openSession(null);
        host.emit('session:consent', { sessionId, decision: 'deny', timedOut });
        assert.deepEqual(await op.next('session:ended'), { sessionId, reason });
        // Denied means out: no signalling, and the same session can be joined again.
        op.emit('session:signal', { sessionId, signal: offer });
        assert.equal((await op.next('relay:error')).code, 'not-in-session');
        op.emit('session:join', { sessionId });
        assert.equal((await host.next('session:join-request')).sessionId, sessionId);
        await op.next('session:waiting');
      });
    }

    it('refuses consent when no operator is waiting', async () => {
      const host = await relay.connectHost();
      host.emit('session:consent', { sessionId: host.sessionId, decision: 'control' });
      const err = await host.next('relay:error');
      assert.equal(err.code, 'forbidden');
      assert.equal(err.event, 'session:consent');
    });

    it('refuses a second consent once the operator is admitted (mode changes go through session:mode)', async () => {
      const { host, op, sessionId } = await relay.openSession('view');
      host.emit('session:consent', { sessionId, decision: 'control' });
      assert.equal((await host.next('relay:error')).code, 'forbidden');
      await op.flush();
      assert.deepEqual(op.received('session:admitted'), []);
    });
  });

  describe('mode', () => {
    it("forwards the host's mode switch to the admitted operator", async () => {
      const { host, op, sessionId } = await relay.openSession('control');
      host.emit('session:mode', { sessionId, mode: 'view' });
      assert.deepEqual(await op.next('session:mode'), { sessionId, mode: 'view' });
      host.emit('session:mode', { sessionId, mode: 'control' });
      assert.deepEqual(await op.next('session:mode'), { sessionId, mode: 'control' });
    });

    it('refuses a mode switch with no admitted operator', async () => {
      const { host, op, sessionId } = await relay.openSession(null);
      host.emit('session:mode', { sessionId, mode: 'view' });
      assert.equal((await host.next('relay:error')).code, 'forbidden');
      await op.flush();
      assert.deepEqual(op.received('session:mode'), []);
    });
  });

  describe('signal', () => {
    it('forwards signals both ways between the host and the admitted operator', async () => {
      const { host, op, sessionId } = await relay.openSession('control');
      op.emit('session:signal', { sessionId, signal: offer });
      assert.deepEqual(await host.next('session:signal'), { sessionId, signal: offer });
      const candidate = { candidate: { candidate: 'candidate:1 1 udp 1 10.0.0.1 5000 typ host', sdpMid: '0' } };
      host.emit('session:signal', { sessionId, signal: answer });
      host.emit('session:signal', { sessionId, signal: candidate });
      assert.deepEqual(await op.next('session:signal'), { sessionId, signal: answer });
      assert.deepEqual(await op.next('session:signal'), { sessionId, signal: candidate });
    });

    it('refuses signals from a pending operator and does not send the host any to it', async () => {
      const { host, op, sessionId } = await relay.openSession(null);
      op.emit('session:signal', { sessionId, signal: offer });
      assert.equal((await op.next('relay:error')).code, 'not-in-session');
      host.emit('session:signal', { sessionId, signal: answer });
      assert.equal((await host.next('relay:error')).code, 'forbidden');
      await host.flush();
      await op.flush();
      assert.deepEqual(host.received('session:signal'), []);
      assert.deepEqual(op.received('session:signal'), []);
    });

    it('refuses signals from an operator outside the session', async () => {
      const { host, op, sessionId } = await relay.openSession('control');
      const outsider = await relay.connectOperator(otherToken);
      outsider.emit('session:signal', { sessionId, signal: offer });
      const err = await outsider.next('relay:error');
      assert.equal(err.code, 'not-in-session');
      assert.equal(err.event, 'session:signal');
      await host.flush();
      await op.flush();
      assert.deepEqual(host.received('session:signal'), []);
      assert.deepEqual(op.received('session:signal'), []);
    });
  });

  describe('end', () => {
    it("ends for the operator as user-ended when the host ends; the host's ID stays usable", async () => {
      const { host, op, sessionId } = await relay.openSession('control');
      host.emit('session:end', { sessionId });
      assert.deepEqual(await op.next('session:ended'), { sessionId, reason: 'user-ended' });
      op.emit('session:signal', { sessionId, signal: offer });
      assert.equal((await op.next('relay:error')).code, 'not-in-session');
      op.emit('session:join', { sessionId });
      assert.deepEqual(await host.next('session:join-request'), {
        sessionId,
        operator: relay.operatorIdentity,
        deviceName: 'Test device',
      });
    });

    it('ends for the host as operator-left when the operator leaves, admitted or still waiting', async () => {
      for (const mode of ['view', null] as const) {
        const { host, op, sessionId } = await relay.openSession(mode);
        op.emit('session:end', { sessionId });
        assert.deepEqual(await host.next('session:ended'), { sessionId, reason: 'operator-left' });
        host.emit('session:consent', { sessionId, decision: 'control' });
        assert.equal((await host.next('relay:error')).code, 'forbidden', 'nobody is left to admit');
      }
    });

    it('is a no-op for a host with nobody in its session', async () => {
      const host = await relay.connectHost();
      host.emit('session:end', { sessionId: host.sessionId });
      await host.flush();
      assert.deepEqual(host.received('relay:error'), []);
    });
  });

  describe('disconnects', () => {
    it('ends for the operator as host-gone, and the session is gone', async () => {
      for (const mode of ['control', null] as const) {
        const { host, op, sessionId } = await relay.openSession(mode);
        host.close();
        assert.deepEqual(await op.next('session:ended'), { sessionId, reason: 'host-gone' });
        op.emit('session:join', { sessionId });
        assert.equal((await op.next('relay:error')).code, 'no-such-session');
      }
    });

    it('ends for the host as operator-gone, and the session is free again', async () => {
      for (const mode of ['control', null] as const) {
        const { host, op, sessionId } = await relay.openSession(mode);
        op.close();
        assert.deepEqual(await host.next('session:ended'), { sessionId, reason: 'operator-gone' });
        const other = await relay.connectOperator(otherToken);
        other.emit('session:join', { sessionId });
        assert.equal((await other.next('session:waiting')).sessionId, sessionId);
      }
    });
  });
});
