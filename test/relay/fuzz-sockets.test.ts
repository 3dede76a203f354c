/**
 * Property-based fuzzing (fast-check) of the relay's socket inputs, against a real relay on
 * loopback: any event name with any payload from hosts and operators (default namespace) and
 * from an enrolled agent (/agent), payloads nested far too deep, raw packets, and any handshake
 * auth. The relay must never crash or leave a rejection unhandled, must answer every invalid
 * event with relay:error naming it, must refuse or accept every handshake with a readable
 * answer, and a legitimate session must still work afterwards. Seed and time: test/fixtures/fuzz.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { agentEvents } from '../../src/shared/agent-protocol.js';
import { clientEvents, readConnectRefusal } from '../../src/shared/protocol.js';
import { io } from 'socket.io-client';
import { startTestRelay, type TestClient, type TestRelay } from '../../dev/rig/relay.js';
import { enrolScriptedAgent, type ScriptedAgent } from '../fixtures/scripted-agent.js';
import { assertSessionWorks, nestedArrays, sendPacket } from '../fixtures/abuse.js';
import { fuzz, json, objectOf, text, watchUnhandled } from '../fixtures/fuzz.js';

/** Names socket.io keeps for itself: its client refuses to emit them. */
const RESERVED = new Set(['connect', 'connect_error', 'disconnect', 'disconnecting', 'newListener', 'removeListener']);

/** How the relay names an event in its answers (long names are cut). */
function shown(event: string): string {
  return event.length > 64 ? `${event.slice(0, 64)}…` : event;
}

/** Event names: the protocol's own (most often, so payloads get parsed), others, and near misses. */
function eventNames(known: readonly string[]): fc.Arbitrary<string> {
  return fc
    .oneof(
      { weight: 6, arbitrary: fc.constantFrom(...known) },
      { weight: 2, arbitrary: text },
      { weight: 1, arbitrary: fc.constantFrom(...known).map((name) => `${name} `) },
      { weight: 1, arbitrary: fc.constantFrom('__proto__', 'hasOwnProperty', 'toString', 'relay:error') },
    )
    .filter((name) => !RESERVED.has(name));
}

/** Payload fields of the default namespace's events, valid-looking or not. */
function clientFields(sessionId: string): Record<string, fc.Arbitrary<unknown>> {
  const maybe = <T>(valid: fc.Arbitrary<T>) => fc.oneof(valid, json, text);
  return {
    sessionId: maybe(fc.constantFrom(sessionId, '000000000')),
    decision: maybe(fc.constantFrom('control', 'view', 'deny')),
    mode: maybe(fc.constantFrom('control', 'view')),
    timedOut: maybe(fc.boolean()),
    signal: maybe(objectOf({ type: maybe(fc.constantFrom('offer', 'answer')), sdp: text, candidate: json })),
    activation: text,
    password: text,
    resumeToken: maybe(fc.string({ minLength: 16, maxLength: 40 })),
    sessions: maybe(fc.array(objectOf({ id: text, user: text, state: text, kind: text }), { maxLength: 4 })),
  };
}

/** What an event carries: one payload (most often), none, several, or bytes. */
function argumentLists(payload: fc.Arbitrary<unknown>): fc.Arbitrary<unknown[]> {
  return fc.oneof(
    { weight: 8, arbitrary: payload.map((p): unknown[] => [p]) },
    { weight: 1, arbitrary: fc.constant<unknown[]>([]) },
    { weight: 1, arbitrary: fc.tuple(payload, json).map((pair): unknown[] => [...pair]) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes): unknown[] => [Buffer.from(bytes)]) },
  );
}

/**
 * A handshake with `auth`: accepted, refused (with the refusal it carried, null if unreadable), or
 * closed by the relay before any answer (socket.io's parser drops a CONNECT whose auth is no object).
 */
function handshake(url: string, auth: unknown): Promise<'accepted' | 'closed' | { refusal: unknown }> {
  const socket = io(url, {
    auth: auth as Record<string, unknown>,
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  return new Promise<'accepted' | 'closed' | { refusal: unknown }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the relay never answered the handshake')), 5_000);
    const done = (result: 'accepted' | 'closed' | { refusal: unknown }) => {
      clearTimeout(timer);
      socket.removeAllListeners();
      socket.disconnect();
      resolve(result);
    };
    socket.once('connect', () => done('accepted'));
    socket.once('connect_error', (err) => done({ refusal: readConnectRefusal(err) }));
    socket.once('disconnect', () => done('closed'));
  });
}

/** The relay:error an invalid event must get, or null when the contract accepts it (any answer, or none). */
function expectedRefusal(
  schemas: Record<string, { safeParse(v: unknown): { success: boolean } }>,
  event: string,
  args: unknown[],
) {
  if (!Object.hasOwn(schemas, event)) return { code: 'unknown-event', event: shown(event) };
  return schemas[event]!.safeParse(args[0]).success ? null : { code: 'bad-payload', event };
}

describe('relay fuzzing: sockets', () => {
  let relay: TestRelay;
  let agent: ScriptedAgent;
  const unhandled = watchUnhandled();
  before(async () => {
    // The rate limits would refuse most of what the fuzzer sends: it is the parsing under test here.
    relay = await startTestRelay({ relay: { limits: { eventsPerSecond: 1e9, eventBurst: 1e9 } } });
    agent = await enrolScriptedAgent(relay, { hostname: 'fuzz-01', reportGroup: 'Office' });
  });
  after(async () => {
    await relay.close();
    unhandled.stop();
  });

  it('answers every invalid event on the default namespace, whoever sends it', async (t) => {
    const { host, op, sessionId } = await relay.openSession('control');
    const clients: TestClient[] = [host, op, await relay.connectHost('Bystander')];
    const input = fc.record({
      from: fc.nat({ max: clients.length - 1 }),
      event: eventNames(Object.keys(clientEvents)),
      args: argumentLists(fc.oneof(objectOf(clientFields(sessionId)), json)),
    });
    await fuzz(
      t,
      0.3,
      fc.asyncProperty(input, async ({ from, event, args }) => {
        const client = clients[from]!;
        assert.ok(client.socket.connected, 'the relay dropped a client for what it sent');
        client.emitRaw(event, ...args);
        const expected = expectedRefusal(clientEvents, event, args);
        if (!expected) return;
        const answer = await client.next('relay:error', {
          where: (e) => e.event === expected.event && e.code === expected.code,
          timeoutMs: 5_000,
        });
        assert.ok(answer.message.length > 0 && answer.message.length < 600, answer.message);
      }),
    );
    assert.deepEqual(
      relay.logs.filter((l) => l.level === 'error'),
      [],
      'a handler failed',
    );
    const fresh = await relay.openSession('control');
    await assertSessionWorks(fresh.host, fresh.op, fresh.sessionId);
  });

  it('answers payloads nested past the limit, at any depth and place, and raw packets of any text', async (t) => {
    const { host, op, sessionId } = await relay.openSession('control');
    const where = fc.constantFrom(
      (deep: string) => [`session:signal`, `{"sessionId":"${sessionId}","signal":{"candidate":${deep}}}`],
      (deep: string) => ['session:consent', `{"sessionId":"${sessionId}","decision":${deep}}`],
      (deep: string) => ['device:user-sessions', `{"sessions":${deep}}`],
      (deep: string) => ['session:end', deep],
    );
    await fuzz(
      t,
      0.1,
      fc.asyncProperty(
        fc.integer({ min: 17, max: 60_000 }),
        where,
        fc.string({ maxLength: 40 }),
        async (depth, at, raw) => {
          const [event, payload] = at(nestedArrays(depth));
          sendPacket(op, `2["${event}",${payload}]`);
          const answer = await op.next('relay:error', { where: (e) => e.event === event, timeoutMs: 5_000 });
          assert.equal(answer.code, 'bad-payload');
          // Text that is no packet closes that client's connection (socket.io's rule); nothing else changes.
          const victim = await relay.connectHost('Raw');
          sendPacket(victim, raw);
          await host.flush();
          victim.close();
        },
      ),
    );
    await assertSessionWorks(host, op, sessionId);
  });

  it('answers every invalid event of an agent', async (t) => {
    const fields = {
      sessionId: fc.oneof(fc.stringMatching(/^\d{9}$/), text, json),
      message: fc.oneof(text, json),
      hostname: fc.oneof(text, json),
      os: fc.oneof(text, json),
      agentVersion: fc.oneof(fc.constantFrom('26.11', '26.11.1'), text),
      userSessions: fc.oneof(fc.array(objectOf({ id: text, user: text }), { maxLength: 3 }), json),
    };
    const input = fc.record({
      event: eventNames(Object.keys(agentEvents)),
      args: argumentLists(fc.oneof(objectOf(fields), json)),
    });
    await fuzz(
      t,
      0.1,
      fc.asyncProperty(input, async ({ event, args }) => {
        assert.ok(agent.client.socket.connected, 'the relay dropped the agent for what it sent');
        agent.client.emitRaw(event, ...args);
        const expected = expectedRefusal(agentEvents, event, args);
        if (!expected) return;
        await agent.client.next('relay:error' as never, {
          where: (e: { event?: string; code: string }) => e.event === expected.event && e.code === expected.code,
          timeoutMs: 5_000,
        });
      }),
    );
    await agent.report({ hostname: 'fuzz-01' });
    assert.equal(relay.handle.agents.get(agent.deviceId)?.hostname, 'fuzz-01', 'the agent is no longer heard');
  });

  it('accepts or refuses any handshake with an answer a client can read', async (t) => {
    const auth = fc.oneof(
      objectOf({
        role: fc.oneof(fc.constantFrom('host', 'operator', 'agent'), text),
        deviceName: text,
        token: fc.oneof(text, fc.constant(relay.operatorToken)),
        deviceToken: text,
        hostToken: text,
        resume: fc.oneof(objectOf({ sessionId: text, token: text }), json),
      }),
      json,
    );
    await fuzz(
      t,
      0.08,
      fc.asyncProperty(auth, fc.boolean(), async (given, toAgents) => {
        const answer = await handshake(toAgents ? `${relay.url}/agent` : relay.url, given);
        if (answer === 'closed')
          assert.ok(
            typeof given !== 'object' || given === null || Array.isArray(given),
            'an object auth went unanswered',
          );
        else if (answer !== 'accepted') assert.ok(answer.refusal, 'a refusal without a readable code and message');
      }),
    );
    unhandled.assertNone();
  });
});
