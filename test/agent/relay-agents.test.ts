/**
 * The relay's agent side with scripted agents (socket.io clients on /agent) and hosts: the
 * enrolment API and CLI, the namespace's handshake and checks, one-time host tokens, an agent
 * that cannot start its host, and an agent leaving during an assistance.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { promisify } from 'node:util';
import type { z } from 'zod';
import { AGENT_NAMESPACE, ENROL_PATH, relayToAgentEvents, type AgentReport } from '../../src/shared/agent-protocol.js';
import {
  activationToken,
  ApiRefusal,
  connectClient,
  refusal,
  startTestRelay,
  type TestClient,
  type TestRelay,
} from '../../dev/rig/relay.js';

const run = promisify(execFile);

type AgentEventName = keyof typeof relayToAgentEvents;
type AgentEvent<E extends AgentEventName> = z.infer<(typeof relayToAgentEvents)[E]>;

/** A scripted agent: the fixture's client, spoken to in the agent namespace's events. */
interface FakeAgent {
  client: TestClient;
  deviceId: string;
  next<E extends AgentEventName>(event: E, opts?: { timeoutMs?: number }): Promise<AgentEvent<E>>;
  emit(event: string, payload: unknown): void;
}

const REPORT: AgentReport = {
  hostname: 'kiosk-7',
  os: 'Linux 6.1.0 (x64)',
  agentVersion: '26.11.0',
  userSessions: [{ id: ':0', user: 'alice', state: 'active', kind: 'console', display: ':0' }],
};

async function enrol(relay: TestRelay, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${relay.url}${ENROL_PATH}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function enrolled(relay: TestRelay, group = 'Kiosks') {
  const { token } = relay.handle.enrolment.create({ environmentId: 'default', reportGroup: group });
  const answer = await enrol(relay, {
    enrolmentToken: token,
    hostname: REPORT.hostname,
    os: REPORT.os,
    agentVersion: REPORT.agentVersion,
  });
  assert.equal(answer.status, 201);
  return answer.body as { deviceId: string; agentToken: string };
}

/** Connects as an agent and, unless told not to, sends the first report as the agent does. */
async function connectAgent(
  t: TestContext,
  relay: TestRelay,
  agentToken: string,
  { report = true } = {},
): Promise<FakeAgent> {
  const client = await connectClient(`${relay.url}${AGENT_NAMESPACE}`, { role: 'agent', agentToken });
  t.after(() => client.close());
  // The fixture's client is typed for the default namespace; the agent namespace's events are others.
  const next = <E extends AgentEventName>(event: E, opts: { timeoutMs?: number } = {}) =>
    client.next(event as never, opts) as unknown as Promise<AgentEvent<E>>;
  const { deviceId } = await next('agent:ready');
  const agent: FakeAgent = { client, deviceId, next, emit: (event, payload) => client.emitRaw(event, payload) };
  if (report) agent.emit('agent:report', REPORT);
  return agent;
}

/** An enrolled agent, connected and reported. */
async function onlineAgent(t: TestContext, relay: TestRelay): Promise<FakeAgent> {
  const { agentToken } = await enrolled(relay);
  const agent = await connectAgent(t, relay, agentToken);
  await agent.client.flush();
  return agent;
}

async function connectStartedHost(relay: TestRelay, hostToken: string): Promise<TestClient> {
  return connectClient(relay.url, { role: 'host', deviceName: 'ignored', hostToken });
}

async function relayFor(t: TestContext, relay: Parameters<typeof startTestRelay>[0] = {}): Promise<TestRelay> {
  const started = await startTestRelay(relay);
  t.after(() => started.close());
  return started;
}

test('enrolment: a valid token enrols a device into its group; bad, revoked and expired tokens and bad bodies are refused', async (t) => {
  const relay = await relayFor(t);
  const { deviceId, agentToken } = await enrolled(relay, 'Front desk');
  assert.match(agentToken, /^flxra_dev_/, 'the agent token is a device token of the registry, stored as a scrypt hash');
  assert.equal(relay.handle.devices.has(deviceId), true);
  assert.deepEqual(
    (({ hostname, reportGroup, environmentId, online, lastSeen, userSessions }) => ({
      hostname,
      reportGroup,
      environmentId,
      online,
      lastSeen,
      userSessions,
    }))(relay.handle.agents.get(deviceId)!),
    {
      hostname: 'kiosk-7',
      reportGroup: 'Front desk',
      environmentId: 'default',
      online: false,
      lastSeen: null,
      userSessions: [],
    },
  );
  const [row] = relay.handle.audit.query().filter((e) => e.action === 'device.enrolled');
  assert.deepEqual(
    row && { actor: row.actor, deviceId: row.deviceId, result: row.result, detail: row.detail },
    {
      actor: { kind: 'device', id: deviceId, name: 'kiosk-7' },
      deviceId,
      result: 'ok',
      detail: { reportGroup: 'Front desk', agentVersion: REPORT.agentVersion },
    },
    'the enrolment is in the audit trail',
  );

  const request = { hostname: 'h', os: 'Linux', agentVersion: '26.11.0' };
  const refused = {
    status: 403,
    body: { error: { code: 'enrolment-refused', message: 'invalid, expired or revoked enrolment token' } },
  };
  assert.deepEqual(await enrol(relay, { ...request, enrolmentToken: 'flxra_enrol_guess' }), refused);
  const revoked = relay.handle.enrolment.create({ environmentId: 'default', reportGroup: 'Kiosks' });
  assert.equal(relay.handle.enrolment.revoke(revoked.id), true);
  assert.deepEqual(await enrol(relay, { ...request, enrolmentToken: revoked.token }), refused);
  const expiring = relay.handle.enrolment.create({
    environmentId: 'default',
    reportGroup: 'Kiosks',
    lifetimeMs: 60_000,
  });
  relay.clock.advance(60_000);
  assert.deepEqual(await enrol(relay, { ...request, enrolmentToken: expiring.token }), refused);
  const bad = await enrol(relay, { ...request, agentVersion: '26.13', enrolmentToken: revoked.token });
  assert.equal(bad.status, 400);
  assert.match(JSON.stringify(bad.body), /agentVersion: a version is YY.M or YY.M.patch/);
});

test('the relay CLI makes enrolment tokens that a relay on the same data accepts', async (t) => {
  const data = await mkdtemp(path.join(os.tmpdir(), 'flxra-enrol-cli-'));
  t.after(() => rm(data, { recursive: true, force: true }));
  const { stdout } = await run(process.execPath, [
    '--import',
    'tsx',
    'src/relay/cli.ts',
    'enrolment',
    'create',
    '--group',
    'Kiosks',
    '--data',
    data,
  ]);
  const token = /token: +(\S+)/.exec(stdout)?.[1];
  assert.ok(token, stdout);
  const relay = await relayFor(t, { dataDir: data });
  const answer = await enrol(relay, { enrolmentToken: token, hostname: 'h', os: 'Linux', agentVersion: '26.11.0' });
  assert.equal(answer.status, 201);
  assert.equal(answer.body.reportGroup, 'Kiosks');
});

test('the agent namespace: only agent tokens get in; every event is checked; reports feed the registry', async (t) => {
  const relay = await relayFor(t);
  const hostOnly = await relay.addDevice('host-only');
  for (const agentToken of ['flxra_dev_000000000000_guess', hostOnly.token]) {
    assert.deepEqual(await refusal(`${relay.url}${AGENT_NAMESPACE}`, { role: 'agent', agentToken }), {
      code: 'unauthorized',
      message: 'invalid or revoked agent token',
    });
  }
  const { agentToken } = await enrolled(relay);
  const agent = await connectAgent(t, relay, agentToken, { report: false });

  const errors: Array<[string, unknown, string]> = [
    ['agent:bogus', {}, 'unknown-event'],
    [
      'agent:report',
      { ...REPORT, userSessions: [{ id: ':0', user: 'alice', state: 'asleep', kind: 'console' }] },
      'bad-payload',
    ],
    ['agent:host-started', { sessionId: '123456789' }, 'not-in-session'],
    ['agent:host-failed', { sessionId: '123456789', message: 'no' }, 'not-in-session'],
  ];
  for (const [event, payload, code] of errors) {
    agent.emit(event, payload);
    const error = await agent.next('relay:error');
    assert.equal(error.code, code, event);
  }
  assert.deepEqual(relay.handle.agents.get(agent.deviceId)?.userSessions, [], 'the refused report changed nothing');
  agent.emit('agent:report', REPORT);
  await agent.client.flush();
  assert.deepEqual(relay.handle.agents.get(agent.deviceId)?.userSessions, REPORT.userSessions);
  assert.equal(relay.handle.agents.get(agent.deviceId)?.online, true);
});

test('a host token works once, for its assistance: the host is in it before the operator gets the file', async (t) => {
  const relay = await relayFor(t);
  const agent = await onlineAgent(t, relay);
  const answered = relay.requestAssistance({ deviceId: agent.deviceId, mode: 'unattended' });
  const start = await agent.next('agent:start-host');
  assert.equal(start.mode, 'unattended');
  assert.deepEqual(start.operator, relay.operatorIdentity);
  agent.emit('agent:host-started', { sessionId: start.sessionId });

  assert.deepEqual(await refusal(relay.url, { role: 'host', deviceName: 'x', hostToken: 'x'.repeat(43) }), {
    code: 'unauthorized',
    message: 'invalid or used host token',
  });
  const host = await connectStartedHost(relay, start.hostToken);
  t.after(() => host.close());
  const prepared = await host.next('assistance:prepared');
  assert.deepEqual(prepared, {
    sessionId: start.sessionId,
    mode: 'unattended',
    operator: relay.operatorIdentity,
    audio: false,
  });
  const response = await answered;
  assert.equal(response.sessionId, start.sessionId);
  assert.deepEqual(await refusal(relay.url, { role: 'host', deviceName: 'x', hostToken: start.hostToken }), {
    code: 'unauthorized',
    message: 'invalid or used host token',
  });

  const op = await relay.connectOperator();
  op.emit('assistance:open', { activation: activationToken(response), password: response.password });
  await op.next('session:admitted');
  await host.next('session:unattended-start');
});

test('an agent that cannot start the host, or not in time: the operator is told why and the assistance is over', async (t) => {
  const relay = await relayFor(t, { relay: { hostStartTimeoutMs: 300 } });
  const agent = await onlineAgent(t, relay);
  const failing = relay.requestAssistance({ deviceId: agent.deviceId, mode: 'attended' });
  const start = await agent.next('agent:start-host');
  agent.emit('agent:host-failed', {
    sessionId: start.sessionId,
    message: 'user session :0 is not on this device any more',
  });
  await assert.rejects(failing, (err: ApiRefusal) => {
    assert.equal(err.status, 502);
    assert.equal(err.code, 'host-failed');
    assert.match(
      err.message,
      /the device could not start the assistance: user session :0 is not on this device any more/,
    );
    return true;
  });
  assert.deepEqual(await agent.next('agent:stop-host'), { sessionId: start.sessionId });
  assert.deepEqual(await refusal(relay.url, { role: 'host', deviceName: 'x', hostToken: start.hostToken }), {
    code: 'unauthorized',
    message: 'invalid or used host token',
  });

  const slow = relay.requestAssistance({ deviceId: agent.deviceId, mode: 'attended' });
  const ignored = await agent.next('agent:start-host');
  await assert.rejects(slow, /its agent did not get the host connected within 0.3 s/);
  assert.deepEqual(await agent.next('agent:stop-host'), { sessionId: ignored.sessionId });
});

test('the agent leaving mid-assistance ends it: operator and host are told agent-restarted, the host is disconnected, the device is offline', async (t) => {
  const relay = await relayFor(t);
  const agent = await onlineAgent(t, relay);
  const answered = relay.requestAssistance({ deviceId: agent.deviceId, mode: 'attended' });
  const start = await agent.next('agent:start-host');
  const host = await connectStartedHost(relay, start.hostToken);
  t.after(() => host.close());
  await host.next('assistance:prepared');
  const response = await answered;
  const op = await relay.connectOperator();
  op.emit('assistance:open', { activation: activationToken(response) });
  await host.next('session:join-request');
  host.emit('session:consent', { sessionId: response.sessionId, decision: 'control' });
  await op.next('session:admitted');

  const disconnected = new Promise<string>((resolve) => host.socket.once('disconnect', resolve));
  agent.client.close();
  assert.deepEqual(await op.next('session:ended'), { sessionId: response.sessionId, reason: 'agent-restarted' });
  assert.deepEqual(await host.next('session:ended'), { sessionId: response.sessionId, reason: 'agent-restarted' });
  assert.equal(await disconnected, 'io server disconnect');
  assert.equal(relay.handle.agents.get(agent.deviceId)?.online, false);
  // Over for good: the operator cannot resume into it.
  op.emit('session:signal', { sessionId: response.sessionId, signal: { type: 'offer', sdp: 'v=0' } });
  assert.equal((await op.next('relay:error')).code, 'not-in-session');
});

test('an agent back on a new connection while the old one still looks open: what the old one started ends', async (t) => {
  const relay = await relayFor(t);
  const { agentToken } = await enrolled(relay);
  const first = await connectAgent(t, relay, agentToken);
  const answered = relay.requestAssistance({ deviceId: first.deviceId, mode: 'attended' });
  const start = await first.next('agent:start-host');
  const host = await connectStartedHost(relay, start.hostToken);
  t.after(() => host.close());
  await host.next('assistance:prepared');
  await answered;

  // The restarted agent connects before the relay noticed the old connection die.
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
