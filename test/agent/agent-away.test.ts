/**
 * An agent's connection closing during an assistance, with scripted agents against a real relay:
 * leaving on purpose ends it at once; the same agent instance back on a new connection keeps it
 * (re-bound there); another instance (a restart) ends it at once; a connection broken by the
 * network waits the full grace (agentGraceMs, small here), then ends it. The real agent process
 * killed, or its connection cut: agent-processes.test.ts.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { awayGraceMs } from '../../src/relay/agents/hub.js';
import {
  connectAgent,
  connectStartedHost,
  dropConnection,
  enrolled,
  expire,
  logged,
  onlineAgent,
  relayFor,
  REPORT,
  runningAssistance,
} from './fake-agents.js';

test('the agent leaving on purpose mid-assistance ends it: operator and host are told agent-restarted, the host is disconnected, the device is offline', async (t) => {
  const relay = await relayFor(t);
  const agent = await onlineAgent(t, relay);
  const { host, op, sessionId } = await runningAssistance(t, relay, agent);

  const disconnected = new Promise<string>((resolve) => host.socket.once('disconnect', resolve));
  // What agent.stop() does: the relay sees 'client namespace disconnect', and waits for nobody.
  agent.client.close();
  assert.deepEqual(await op.next('session:ended'), { sessionId, reason: 'agent-restarted' });
  assert.deepEqual(await host.next('session:ended'), { sessionId, reason: 'agent-restarted' });
  assert.equal(await disconnected, 'io server disconnect');
  assert.equal(relay.handle.agents.get(agent.deviceId)?.online, false);
  // Over for good: the operator cannot resume into it.
  op.emit('session:signal', { sessionId, signal: { type: 'offer', sdp: 'v=0' } });
  assert.equal((await op.next('relay:error')).code, 'not-in-session');
});

test('the same agent back on a new connection after its own dropped: the assistance goes on untouched, and its end still reaches the agent', async (t) => {
  const relay = await relayFor(t);
  const { agentToken } = await enrolled(relay);
  const instanceId = randomUUID();
  const first = await connectAgent(t, relay, agentToken, { instanceId });
  const { host, op, sessionId } = await runningAssistance(t, relay, first);

  dropConnection(first);
  await logged(relay, 'agent away: its assistances wait for it', { reason: 'transport close', count: 1 });
  assert.equal(relay.handle.agents.get(first.deviceId)?.online, false, 'offline while away');
  const second = await connectAgent(t, relay, agentToken, { instanceId });
  await second.client.flush();
  assert.equal(relay.handle.agents.get(second.deviceId)?.online, true, 'online again once back');
  await logged(relay, 'agent back: its assistances go on', { count: 1 });

  // Neither side noticed: the session runs on as before.
  await Promise.all([op.flush(), host.flush()]);
  assert.deepEqual([...op.received('session:ended'), ...host.received('session:ended')], []);
  op.emit('session:signal', { sessionId, signal: { type: 'offer', sdp: 'v=0' } });
  assert.deepEqual(await host.next('session:signal'), { sessionId, signal: { type: 'offer', sdp: 'v=0' } });
  assert.equal(host.socket.connected, true);
  // The agent speaks of it on its new connection: it is that connection's now.
  second.emit('agent:host-started', { sessionId });
  await second.client.flush();
  assert.deepEqual(second.client.received('relay:error' as never), []);

  // When the assistance is over, the agent is told to stop the host on the connection it has now.
  await expire(relay, op);
  assert.deepEqual(await second.next('agent:stop-host'), { sessionId });
});

test("a restarted agent (another instance) connecting for the device ends its predecessor's assistances at once", async (t) => {
  const relay = await relayFor(t);
  const { agentToken } = await enrolled(relay);
  const first = await connectAgent(t, relay, agentToken);
  const { host, op, sessionId } = await runningAssistance(t, relay, first);

  dropConnection(first);
  await logged(relay, 'agent away: its assistances wait for it', { reason: 'transport close' });
  const disconnected = new Promise<string>((resolve) => host.socket.once('disconnect', resolve));
  const restarted = performance.now();
  const second = await connectAgent(t, relay, agentToken);
  // Well within the 5 s a closed connection is waited for: the new instance settles it.
  assert.deepEqual(await op.next('session:ended', { timeoutMs: 1_500 }), { sessionId, reason: 'agent-restarted' });
  assert.deepEqual(await host.next('session:ended'), { sessionId, reason: 'agent-restarted' });
  assert.equal(await disconnected, 'io server disconnect');
  assert.ok(performance.now() - restarted < 1_500);
  await second.client.flush();
  assert.equal(relay.handle.agents.get(second.deviceId)?.online, true);
});

test('a connection broken by the network (not closed by the agent) waits the full grace; nobody back, the assistance ends then', async (t) => {
  const grace = { agentGraceMs: 60_000, closedGraceMs: 5_000 };
  assert.equal(awayGraceMs('ping timeout', grace), 60_000);
  assert.equal(awayGraceMs('transport error', grace), 60_000);
  assert.equal(awayGraceMs('transport close', grace), 5_000);
  assert.equal(awayGraceMs('client namespace disconnect', grace), 0);

  const relay = await relayFor(t, { relay: { agentGraceMs: 400 } });
  const agent = await onlineAgent(t, relay);
  const { host, op, sessionId } = await runningAssistance(t, relay, agent);
  // A frame beyond what the relay accepts: socket.io reports a 'transport error', the way it
  // reports a broken connection rather than a closed one (a ping timeout takes 45 s to happen).
  const broken = performance.now();
  agent.emit('agent:report', { ...REPORT, hostname: 'x'.repeat(300_000) });
  await logged(relay, 'agent away: its assistances wait for it', { reason: 'transport error', graceMs: 400 });
  await Promise.all([op.flush(), host.flush()]);
  assert.deepEqual(op.received('session:ended'), [], 'not ended while the agent may come back');

  assert.deepEqual(await op.next('session:ended'), { sessionId, reason: 'agent-restarted' });
  const endedMs = performance.now() - broken;
  assert.deepEqual(await host.next('session:ended'), { sessionId, reason: 'agent-restarted' });
  assert.ok(endedMs >= 380, `ended after ${endedMs.toFixed(0)} ms, before the grace`);
  await logged(relay, 'assistances ended: their agent did not come back in time', { count: 1 });
});

test('an assistance that ends while its agent is away: the agent, back, is told to stop its host', async (t) => {
  const relay = await relayFor(t);
  const { agentToken } = await enrolled(relay);
  const instanceId = randomUUID();
  const first = await connectAgent(t, relay, agentToken, { instanceId });
  const { op, sessionId } = await runningAssistance(t, relay, first);
  dropConnection(first);
  await logged(relay, 'agent away: its assistances wait for it');
  await expire(relay, op);
  const second = await connectAgent(t, relay, agentToken, { instanceId });
  assert.deepEqual(await second.next('agent:stop-host'), { sessionId });
});

test('a restarted agent back on a new connection while the old one still looks open: what the old one started ends', async (t) => {
  const relay = await relayFor(t);
  const { agentToken } = await enrolled(relay);
  const first = await connectAgent(t, relay, agentToken);
  const answered = relay.requestAssistance({ deviceId: first.deviceId, mode: 'attended' });
  const start = await first.next('agent:start-host');
  const host = await connectStartedHost(relay, start.hostToken);
  t.after(() => host.close());
  await host.next('assistance:prepared');
  await answered;

  // The restarted agent (a new instance) connects before the relay noticed the old connection die.
  const second = await connectAgent(t, relay, agentToken);
  assert.equal(second.deviceId, first.deviceId);
  assert.deepEqual(await host.next('session:ended'), { sessionId: start.sessionId, reason: 'agent-restarted' });
  await new Promise<void>((resolve) =>
    first.client.socket.connected ? first.client.socket.once('disconnect', () => resolve()) : resolve(),
  );
  await second.client.flush();
  assert.equal(
    relay.handle.agents.get(second.deviceId)?.online,
    true,
    'the old connection closing does not take the new one offline',
  );
});

test('the same agent on a new connection while the old one still looks open: the assistance moves to the new one', async (t) => {
  const relay = await relayFor(t);
  const { agentToken } = await enrolled(relay);
  const instanceId = randomUUID();
  const first = await connectAgent(t, relay, agentToken, { instanceId });
  const { host, op, sessionId } = await runningAssistance(t, relay, first);
  const second = await connectAgent(t, relay, agentToken, { instanceId });
  await new Promise<void>((resolve) =>
    first.client.socket.connected ? first.client.socket.once('disconnect', () => resolve()) : resolve(),
  );
  await Promise.all([op.flush(), host.flush(), second.client.flush()]);
  assert.deepEqual([...op.received('session:ended'), ...host.received('session:ended')], []);
  assert.equal(relay.handle.agents.get(second.deviceId)?.online, true);
  await expire(relay, op);
  assert.deepEqual(await second.next('agent:stop-host'), { sessionId });
});

test('a host the agent was asked to start and is not in yet fails at once when the agent connection drops', async (t) => {
  const relay = await relayFor(t);
  const agent = await onlineAgent(t, relay);
  const answered = relay.requestAssistance({ deviceId: agent.deviceId, mode: 'attended' });
  await agent.next('agent:start-host');
  const dropped = performance.now();
  dropConnection(agent);
  await assert.rejects(answered, /the device's agent disconnected before its host was in/);
  assert.ok(performance.now() - dropped < 1_500, 'not after the 5 s a closed connection is waited for');
});
