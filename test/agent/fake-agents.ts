/**
 * Scripted agents for the relay's agent tests: socket.io clients on /agent speaking the agent
 * protocol (enrolled over the real API, each connection with the instanceId of the agent run it
 * stands for), the hosts they "start" with their one-time tokens, and an assistance running
 * through one, so that each test reads as what the agent does and what the relay answers.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { TestContext } from 'node:test';
import type { z } from 'zod';
import { AGENT_NAMESPACE, ENROL_PATH, relayToAgentEvents, type AgentReport } from '../../src/shared/agent-protocol.js';
import {
  activationToken,
  connectClient,
  startTestRelay,
  type TestClient,
  type TestRelay,
} from '../../dev/rig/relay.js';

export type AgentEventName = keyof typeof relayToAgentEvents;
export type AgentEvent<E extends AgentEventName> = z.infer<(typeof relayToAgentEvents)[E]>;

/** A scripted agent: the fixture's client, spoken to in the agent namespace's events. */
export interface FakeAgent {
  client: TestClient;
  deviceId: string;
  next<E extends AgentEventName>(event: E, opts?: { timeoutMs?: number }): Promise<AgentEvent<E>>;
  emit(event: string, payload: unknown): void;
}

export const REPORT: AgentReport = {
  hostname: 'kiosk-7',
  os: 'Linux 6.1.0 (x64)',
  agentVersion: '26.11.0',
  userSessions: [{ id: ':0', user: 'alice', state: 'active', kind: 'console', display: ':0' }],
};

export async function enrol(
  relay: TestRelay,
  body: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${relay.url}${ENROL_PATH}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

export async function enrolled(relay: TestRelay, group = 'Kiosks') {
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

/**
 * Connects as an agent and, unless told not to, sends the first report as the agent does. The
 * same `instanceId` again is the same agent process reconnecting; a new one, a restarted agent.
 */
export async function connectAgent(
  t: TestContext,
  relay: TestRelay,
  agentToken: string,
  { report = true, instanceId = randomUUID() } = {},
): Promise<FakeAgent> {
  const client = await connectClient(`${relay.url}${AGENT_NAMESPACE}`, { role: 'agent', agentToken, instanceId });
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
export async function onlineAgent(t: TestContext, relay: TestRelay): Promise<FakeAgent> {
  const { agentToken } = await enrolled(relay);
  const agent = await connectAgent(t, relay, agentToken);
  await agent.client.flush();
  return agent;
}

export async function connectStartedHost(relay: TestRelay, hostToken: string): Promise<TestClient> {
  return connectClient(relay.url, { role: 'host', deviceName: 'ignored', hostToken });
}

/** An attended assistance the agent's host is in and the operator admitted to with control. */
export async function runningAssistance(t: TestContext, relay: TestRelay, agent: FakeAgent) {
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
  return { host, op, sessionId: response.sessionId };
}

/**
 * Drops the agent's connection the way a network does: the transport closes under socket.io,
 * which is not told (the relay sees 'transport close', not the agent leaving).
 */
export function dropConnection(agent: FakeAgent): void {
  agent.client.socket.io.engine.close();
}

/** Waits for the relay's log line with that message (and those fields). */
export async function logged(relay: TestRelay, msg: string, fields: Record<string, unknown> = {}, timeoutMs = 2_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const entry = relay.logs.find((e) => e.msg === msg && Object.entries(fields).every(([k, v]) => e.fields[k] === v));
    if (entry) return entry;
    if (Date.now() > deadline) assert.fail(`the relay did not log "${msg}" ${JSON.stringify(fields)}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The operator leaves and, by the relay's clock, the assistance expires. */
export async function expire(relay: TestRelay, op: TestClient): Promise<void> {
  const socket = op.socket.id;
  op.close();
  await logged(relay, 'operator disconnected', { socket });
  relay.clock.advance(16 * 60_000);
  await relay.handle.sweep();
}

export async function relayFor(t: TestContext, relay: Parameters<typeof startTestRelay>[0] = {}): Promise<TestRelay> {
  const started = await startTestRelay(relay);
  t.after(() => started.close());
  return started;
}
