/**
 * An assistance's host whose relay connection drops (a network blip, a change of Wi-Fi, a laptop
 * asleep) is away, not gone: the operator is told the device is reconnecting, and the host comes
 * back with the resume token it got in assistance:prepared, within the relay's host grace period,
 * into the same session with nothing to decide again. Past the grace both sides are told, and it
 * is audited. Real socket.io clients against a real relay, its clock injected.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { SessionId } from '../../src/shared/protocol.js';
import { assistanceStatus } from '../../src/relay/console/assistance-status.js';
import { openSqliteStore } from '../../src/relay/store/sqlite-store.js';
import {
  activationToken,
  connectClient,
  refusal,
  startTestRelay,
  type DeviceHostClient,
  type OperatorClient,
  type TestClient,
  type TestRelay,
} from '../../dev/rig/relay.js';

const HOST_GRACE_MS = 60_000;

/** Resolves once the relay has closed the client's connection; fails after two seconds. */
async function disconnected(client: TestClient): Promise<void> {
  for (const deadline = Date.now() + 2_000; client.socket.connected;) {
    if (Date.now() > deadline) assert.fail('the relay did not close the connection');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('host resume', () => {
  let relay: TestRelay;
  beforeEach(async () => {
    relay = await startTestRelay({ relay: { hostGraceMs: HOST_GRACE_MS } });
  });
  afterEach(() => relay.close());

  /** An unattended assistance the operator is admitted to, and the host's resume token. */
  async function running(): Promise<{
    host: DeviceHostClient;
    op: OperatorClient;
    sessionId: SessionId;
    hostResumeToken: string;
  }> {
    const host = await relay.connectDevice();
    const assistance = await relay.requestAssistance({ deviceId: host.deviceId, mode: 'unattended' });
    const { hostResumeToken } = await host.next('assistance:prepared');
    const op = await relay.connectOperator();
    op.emit('assistance:open', { activation: activationToken(assistance), password: assistance.password! });
    await op.next('session:admitted');
    await host.next('session:unattended-start');
    return { host, op, sessionId: assistance.sessionId, hostResumeToken };
  }

  /** What a network drop does: the transport closes under the socket (no goodbye to the relay). */
  function drop(client: TestClient): void {
    client.socket.io.engine.close();
  }

  const resumeAuth = (sessionId: SessionId, token: string) => ({
    role: 'host',
    deviceName: 'ignored when resuming',
    resume: { sessionId, token },
  });

  it('a dropped host is away; back with its token it is in the same session, nothing decided again', async () => {
    const { host, op, sessionId, hostResumeToken } = await running();
    drop(host);
    assert.deepEqual(await op.next('session:away'), { sessionId, side: 'host' });
    // While it is away the operator's signals have nowhere to go, and are no error.
    op.emit('session:signal', { sessionId, signal: { type: 'offer', sdp: 'v=0' } });
    await op.flush();
    assert.deepEqual(op.received('relay:error'), []);

    relay.clock.advance(HOST_GRACE_MS - 1);
    await relay.handle.sweep();
    const back = await connectClient(relay.url, resumeAuth(sessionId, hostResumeToken));
    try {
      assert.deepEqual(await back.next('host:resumed'), { sessionId });
      assert.deepEqual(await op.next('session:back'), { sessionId, side: 'host' });
      // The same session both ways, no consent, no second banner.
      op.emit('session:signal', { sessionId, signal: { type: 'answer', sdp: 'v=1' } });
      assert.deepEqual(await back.next('session:signal'), { sessionId, signal: { type: 'answer', sdp: 'v=1' } });
      back.emit('session:signal', { sessionId, signal: { type: 'offer', sdp: 'v=2' } });
      assert.deepEqual(await op.next('session:signal'), { sessionId, signal: { type: 'offer', sdp: 'v=2' } });
      await back.flush();
      assert.deepEqual([...back.received('session:join-request'), ...back.received('session:unattended-start')], []);
      // Back in time: the grace no longer runs.
      relay.clock.advance(HOST_GRACE_MS);
      await relay.handle.sweep();
      await op.flush();
      assert.deepEqual(op.received('session:ended'), []);
      // And the user's End still ends it.
      back.emit('session:end', { sessionId });
      assert.deepEqual(await op.next('session:ended'), { sessionId, reason: 'user-ended' });
    } finally {
      back.close();
    }
  });

  it("the console shows a device away as reconnecting, and the session's state again once it is back", async () => {
    const { host, op, sessionId, hostResumeToken } = await running();
    // The relay's own store, read as the console's status route reads it.
    const store = openSqliteStore(relay.dataDir);
    const record = () => store.getAssistance(sessionId)!;
    drop(host);
    await op.next('session:away');
    assert.equal(assistanceStatus(record()), 'device-reconnecting');
    const back = await connectClient(relay.url, resumeAuth(sessionId, hostResumeToken));
    try {
      await op.next('session:back');
      assert.equal(assistanceStatus(record()), 'connected');
    } finally {
      back.close();
      store.close();
    }
  });

  it('a host away past the grace: both sides are told host-lost, it is audited, and the host coming back late is told too', async () => {
    const { host, op, sessionId, hostResumeToken } = await running();
    drop(host);
    await op.next('session:away');
    relay.clock.advance(HOST_GRACE_MS);
    await relay.handle.sweep();
    assert.deepEqual(await op.next('session:ended'), { sessionId, reason: 'host-lost' });
    const [row] = relay.handle.audit.query({ action: 'assistance.ended', limit: 1 });
    assert.equal(row?.sessionId, sessionId);
    assert.equal(row?.actor.kind, 'relay');
    assert.equal(row?.detail.reason, 'host-lost');

    const late = await connectClient(relay.url, resumeAuth(sessionId, hostResumeToken));
    assert.deepEqual(await late.next('session:ended'), { sessionId, reason: 'host-lost' });
    await disconnected(late);
    // Over for good: the operator's resume is refused.
    op.emit('session:signal', { sessionId, signal: { type: 'offer', sdp: 'v=0' } });
    assert.equal((await op.next('relay:error')).code, 'not-in-session');
  });

  it('only its own token brings a host back: a wrong one, or one for another session, is refused', async () => {
    const { host, sessionId, hostResumeToken } = await running();
    drop(host);
    const wrong = await refusal(relay.url, resumeAuth(sessionId, 'x'.repeat(43)));
    assert.deepEqual(wrong, { code: 'unauthorized', message: 'invalid host resume token' });
    const otherHost = await relay.connectDevice('Other device');
    const other = await relay.requestAssistance({ deviceId: otherHost.deviceId, mode: 'attended' });
    const crossed = await refusal(relay.url, resumeAuth(other.sessionId, hostResumeToken));
    assert.equal(crossed.code, 'unauthorized');
    // Both tokens at once is no way in either.
    const mixed = await refusal(relay.url, { ...resumeAuth(sessionId, hostResumeToken), hostToken: 'y'.repeat(43) });
    assert.equal(mixed.code, 'unauthorized');
    otherHost.close();
  });

  it('an old connection the relay still thinks open gives way to the host coming back', async () => {
    const { host, op, sessionId, hostResumeToken } = await running();
    // No drop noticed yet (half-open): the host reconnects over a new connection.
    const back = await connectClient(relay.url, resumeAuth(sessionId, hostResumeToken));
    try {
      await back.next('host:resumed');
      await disconnected(host);
      // The operator never saw it away; the relay speaks to the new connection.
      op.emit('session:signal', { sessionId, signal: { type: 'answer', sdp: 'v=3' } });
      assert.deepEqual(await back.next('session:signal'), { sessionId, signal: { type: 'answer', sdp: 'v=3' } });
      await op.flush();
      assert.deepEqual([...op.received('session:away'), ...op.received('session:ended')], []);
    } finally {
      back.close();
    }
  });

  it('an attended file opened while its device is away waits; the user is asked once the device is back', async () => {
    const host = await relay.connectDevice();
    const assistance = await relay.requestAssistance({ deviceId: host.deviceId, mode: 'attended' });
    const { sessionId } = assistance;
    const { hostResumeToken } = await host.next('assistance:prepared');
    drop(host);
    const op = await relay.connectOperator();
    // The relay notices the drop before the file is opened.
    await new Promise((resolve) => setTimeout(resolve, 100));
    op.emit('assistance:open', { activation: activationToken(assistance) });
    await op.next('session:waiting');
    const back = await connectClient(relay.url, resumeAuth(sessionId, hostResumeToken));
    try {
      await back.next('host:resumed');
      assert.equal((await back.next('session:join-request')).sessionId, sessionId);
      // The user allows it: the operator is in.
      back.emit('session:consent', { sessionId, decision: 'view', timedOut: false });
      assert.equal((await op.next('session:admitted')).mode, 'view');
    } finally {
      back.close();
    }
  });
});

describe('a device host back in its assistance', () => {
  it('is the device again: once that assistance is over, a new one can be requested for it', async () => {
    const relay = await startTestRelay({ relay: { hostGraceMs: HOST_GRACE_MS } });
    try {
      const host = await relay.connectDevice();
      const first = await relay.requestAssistance({ deviceId: host.deviceId, mode: 'attended' });
      const { hostResumeToken } = await host.next('assistance:prepared');
      host.socket.io.engine.close();
      await new Promise((resolve) => setTimeout(resolve, 100));
      const back = await connectClient(relay.url, {
        role: 'host',
        deviceName: 'x',
        resume: { sessionId: first.sessionId, token: hostResumeToken },
      });
      await back.next('host:resumed');
      // The device is connected (through its resumed host): a new request reaches it.
      const second = await relay.requestAssistance({ deviceId: host.deviceId, mode: 'attended' });
      assert.equal((await back.next('assistance:prepared')).sessionId, second.sessionId);
      back.close();
    } finally {
      await relay.close();
    }
  });
});
