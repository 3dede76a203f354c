/**
 * A relay restarted during an assistance (stopped, as SIGTERM does, and started again on the
 * same data folder and address): nothing is redone. The host comes back with its resume token,
 * the operator with its own, into the same session with the mode the user chose; the grace
 * periods count from when the relay went down. (A relay killed outright, with real clients
 * reconnecting by themselves and the picture flowing through the outage: test/e2e.)
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import type { SessionId } from '../../src/shared/protocol.js';
import { activationToken, connectClient, startTestRelay, TestClock, type TestRelay } from '../../dev/rig/relay.js';
import { connectAgent, connectStartedHost, enrolled } from '../agent/fake-agents.js';

const HOST_GRACE_MS = 60_000;

/** A relay on its own data folder whose restart keeps the address and the clock. */
async function restartable(t: TestContext, extra: { agentGraceMs?: number } = {}) {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'flxra-restart-'));
  const clock = new TestClock();
  const relayOptions = { hostGraceMs: HOST_GRACE_MS, ...extra };
  let relay: TestRelay = await startTestRelay({ dataDir, clock, relay: relayOptions });
  t.after(async () => {
    await relay.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  });
  return {
    get relay() {
      return relay;
    },
    clock,
    async restart(): Promise<TestRelay> {
      const { port } = relay;
      await relay.close();
      relay = await startTestRelay({ dataDir, clock, port, relay: relayOptions });
      return relay;
    },
  };
}

/** An attended assistance the user allowed with view only; the host's and the operator's resume tokens. */
async function viewOnlySession(relay: TestRelay) {
  const host = await relay.connectDevice();
  const assistance = await relay.requestAssistance({ deviceId: host.deviceId, mode: 'attended' });
  const { hostResumeToken } = await host.next('assistance:prepared');
  const op = await relay.connectOperator();
  op.emit('assistance:open', { activation: activationToken(assistance) });
  await host.next('session:join-request');
  host.emit('session:consent', { sessionId: assistance.sessionId, decision: 'view', timedOut: false });
  const { resumeToken } = await op.next('session:admitted');
  return {
    sessionId: assistance.sessionId,
    hostResumeToken,
    resumeToken: resumeToken!,
    operatorToken: relay.operatorToken,
  };
}

const hostAuth = (sessionId: SessionId, token: string) => ({
  role: 'host',
  deviceName: 'x',
  resume: { sessionId, token },
});

test('after a restart both sides come back into the same session, view only as the user chose, nothing asked again', async (t) => {
  const r = await restartable(t);
  const { sessionId, hostResumeToken, resumeToken, operatorToken } = await viewOnlySession(r.relay);
  const relay = await r.restart();
  assert.ok(relay.logs.some((e) => e.msg === 'assistances carried over the restart' && e.fields.count === 1));

  // The operator first: admitted again, the device still away.
  const op = await connectClient(relay.url, { role: 'operator', token: operatorToken });
  const host = await (async () => {
    await op.next('operator:ready');
    op.emit('session:resume', { sessionId, resumeToken });
    assert.deepEqual(await op.next('session:admitted'), { sessionId, mode: 'view' });
    assert.deepEqual(await op.next('session:away'), { sessionId, side: 'host' });
    return connectClient(relay.url, hostAuth(sessionId, hostResumeToken));
  })();
  t.after(() => {
    op.close();
    host.close();
  });
  assert.deepEqual(await host.next('host:resumed'), { sessionId });
  assert.deepEqual(await op.next('session:back'), { sessionId, side: 'host' });
  await host.flush();
  assert.deepEqual(host.received('session:join-request'), [], 'no second consent');
  // Signals flow both ways, and the user's End ends it for the operator.
  host.emit('session:signal', { sessionId, signal: { type: 'offer', sdp: 'v=0' } });
  assert.deepEqual(await op.next('session:signal'), { sessionId, signal: { type: 'offer', sdp: 'v=0' } });
  host.emit('session:end', { sessionId });
  assert.deepEqual(await op.next('session:ended'), { sessionId, reason: 'user-ended' });
});

test("the host's grace counts from when the relay went down, not from its restart", async (t) => {
  const r = await restartable(t);
  const { sessionId, hostResumeToken } = await viewOnlySession(r.relay);
  await r.relay.handle.sweep(); // the relay's heartbeat, as its sweep writes it every few seconds
  r.clock.advance(HOST_GRACE_MS - 10_000); // down for 50 s
  const relay = await r.restart();
  r.clock.advance(10_000);
  await relay.handle.sweep();
  // Past the grace since it went down: over, and the host coming back is told so.
  const host = await connectClient(relay.url, hostAuth(sessionId, hostResumeToken));
  t.after(() => host.close());
  assert.deepEqual(await host.next('session:ended'), { sessionId, reason: 'host-lost' });
  const [row] = relay.handle.audit.query({ action: 'assistance.ended', limit: 1 });
  assert.equal(row?.detail.reason, 'host-lost');
});

test("an assistance whose host the device's agent started: after a restart its agent, back, still stops the host when it ends", async (t) => {
  const r = await restartable(t);
  const { agentToken } = await enrolled(r.relay);
  const agent = await connectAgent(t, r.relay, agentToken);
  const answered = r.relay.requestAssistance({ deviceId: agent.deviceId, mode: 'unattended' });
  const start = await agent.next('agent:start-host');
  const first = await connectStartedHost(r.relay, start.hostToken);
  const { sessionId, hostResumeToken } = await first.next('assistance:prepared');
  const response = await answered;
  const op = await r.relay.connectOperator();
  op.emit('assistance:open', { activation: activationToken(response), password: response.password! });
  const { resumeToken } = await op.next('session:admitted');
  const operatorToken = r.relay.operatorToken;

  const relay = await r.restart();
  const back = await connectAgent(t, relay, agentToken);
  const host = await connectClient(relay.url, hostAuth(sessionId, hostResumeToken));
  const again = await connectClient(relay.url, { role: 'operator', token: operatorToken });
  t.after(() => {
    host.close();
    again.close();
  });
  await host.next('host:resumed');
  await again.next('operator:ready');
  again.emit('session:resume', { sessionId, resumeToken: resumeToken! });
  await again.next('session:admitted');
  // The operator leaves; once the assistance is over the agent back on its new connection stops the host.
  again.emit('session:end', { sessionId });
  await host.next('session:ended');
  relay.clock.advance(16 * 60_000);
  await relay.handle.sweep();
  assert.deepEqual(await back.next('agent:stop-host'), { sessionId });
});

test("after a restart, an agent-started assistance whose agent never comes back ends when the agent's grace runs out", async (t) => {
  const r = await restartable(t, { agentGraceMs: 300 });
  const { agentToken } = await enrolled(r.relay);
  const agent = await connectAgent(t, r.relay, agentToken);
  const answered = r.relay.requestAssistance({ deviceId: agent.deviceId, mode: 'attended' });
  const start = await agent.next('agent:start-host');
  const first = await connectStartedHost(r.relay, start.hostToken);
  const { sessionId, hostResumeToken } = await first.next('assistance:prepared');
  await answered;

  const relay = await r.restart();
  const host = await connectClient(relay.url, hostAuth(sessionId, hostResumeToken));
  t.after(() => host.close());
  await host.next('host:resumed');
  // No agent comes back: the host is told that the relay's restart ended it (the agent never
  // restarted), and it is audited so, after the relay's own restart.
  assert.deepEqual(await host.next('session:ended'), { sessionId, reason: 'relay-restarted' });
  const [row] = relay.handle.audit.query({ action: 'assistance.ended', limit: 1 });
  assert.equal(row?.detail.reason, 'relay-restarted');
  assert.deepEqual(row?.actor, { kind: 'relay', id: 'relay', name: 'relay' });
  const starts = relay.handle.audit.query({ action: 'relay.started' });
  assert.deepEqual(
    starts.map((s) => s.detail),
    [{ restart: true, assistancesCarriedOver: 1 }, { restart: false }],
    'the first start, then the restart that carried the assistance over',
  );
});
