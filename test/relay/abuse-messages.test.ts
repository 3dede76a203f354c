/**
 * Bounded abuse of the relay's sockets by message (issue 8): a flood of small messages, a client
 * that stops reading what it asked for, an admitted peer flooding signals at a peer that stops
 * reading, and payloads nested far too deep. Each runs against a real relay on loopback, stops by
 * itself, and asserts the relay's own counters, its log and the memory left after a forced GC,
 * while a legitimate session keeps working. Limits other than the one under test are raised, so
 * each test shows its own limit at work.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AGENT_NAMESPACE, ENROL_PATH } from '../../src/shared/agent-protocol.js';
import { startTestRelay, TestClock, type TestClient } from '../../dev/rig/relay.js';
import { until } from '../../dev/rig/until.js';
import { enrolScriptedAgent } from '../fixtures/scripted-agent.js';
import { assertSessionWorks, memoryAfterGc, nestedArrays, sendPacket, stopReading } from '../fixtures/abuse.js';

const MB = 1024 * 1024;
/** Limits high enough never to be the one that acts. */
const NO_RATE_LIMIT = { eventsPerSecond: 1e9, eventBurst: 1e9 };

function disconnected(client: TestClient, timeoutMs: number): Promise<string | null> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), timeoutMs);
    client.socket.once('disconnect', (reason) => {
      clearTimeout(timer);
      resolve(reason);
    });
  });
}

describe('relay abuse: messages', () => {
  it('refuses a flood of small messages past the rate, drops the flooder and keeps its log short', async () => {
    const limitClock = new TestClock();
    const relay = await startTestRelay({
      relay: { limitClock, limits: { eventBurst: 50, eventsPerSecond: 10, logLinesPerWindow: 20 } },
    });
    try {
      const { host, op, sessionId } = await relay.openSession('control');
      const before = memoryAfterGc();
      const flooder = await relay.connectHost('Flooder');
      const gone = disconnected(flooder, 5_000);
      for (let i = 0; i < 5_000; i++) flooder.emitRaw('no:such-event', { i });
      assert.equal(await gone, 'io server disconnect', 'the flooder was not disconnected');

      // The time is frozen: the burst was handled, one refusal answered, then the socket closed with its reason.
      const answers = flooder.received('relay:error');
      assert.equal(answers.filter((e) => e.code === 'unknown-event').length, 50);
      assert.deepEqual(
        answers.filter((e) => e.code === 'rate-limited').map((e) => [e.message, e.retryAfterMs]),
        [
          ['too many messages (at most 10 a second): this one was not handled', 100],
          ['too many messages: the relay closed this connection', undefined],
        ],
      );
      const counters = relay.handle.counters();
      assert.ok(counters.eventsRefused >= 51, `${counters.eventsRefused} events refused`);
      assert.equal(counters.floodsDropped, 1);
      assert.ok(memoryAfterGc() - before < 8 * MB, 'the flood left memory behind');

      // 52 refusals were answered; the log took 20 and counted the rest.
      assert.equal(relay.logs.filter((l) => l.msg === 'refused').length, 20);
      assert.equal(relay.handle.counters().logLinesSuppressed, 32);
      limitClock.advance(10_000);
      await relay.connectOperator();
      const summary = relay.logs.find((l) => l.msg === 'log lines suppressed');
      assert.deepEqual(summary?.fields, { message: 'refused', count: 32, windowMs: 10_000 });

      await assertSessionWorks(host, op, sessionId);
    } finally {
      await relay.close();
    }
  });

  it('refuses and drops an agent flooding the /agent namespace the same way', async () => {
    const limitClock = new TestClock();
    const relay = await startTestRelay({ relay: { limitClock, limits: { eventBurst: 20, eventsPerSecond: 10 } } });
    try {
      const agent = await enrolScriptedAgent(relay, { hostname: 'ws-01', reportGroup: 'Office' });
      const gone = disconnected(agent.client, 5_000);
      for (let i = 0; i < 3_000; i++) agent.client.emitRaw('agent:report', { hostname: `flood ${i}` });
      assert.equal(await gone, 'io server disconnect', 'the agent was not disconnected');
      const counters = relay.handle.counters();
      assert.equal(counters.floodsDropped, 1);
      // Its report and flush at enrolment took 2 of the 20: at most 18 of the flood were parsed and refused.
      const parsed = relay.logs.filter((l) => l.msg === 'agent refused' && l.fields.code === 'bad-payload');
      assert.ok(parsed.length <= 18, `${parsed.length} flood events were handled`);
    } finally {
      await relay.close();
    }
  });

  it('writes a bounded number of log lines for a flood of refused HTTP requests', async () => {
    const relay = await startTestRelay({ relay: { limitClock: new TestClock(), limits: { logLinesPerWindow: 20 } } });
    try {
      const before = memoryAfterGc();
      for (let i = 0; i < 20; i++)
        await Promise.all(Array.from({ length: 25 }, () => fetch(`${relay.url}/api/v1/nothing`).then((r) => r.text())));
      assert.equal(relay.logs.filter((l) => l.msg === 'api refused').length, 20);
      assert.equal(relay.handle.counters().logLinesSuppressed, 500 - 20);
      assert.ok(memoryAfterGc() - before < 8 * MB, 'the requests left memory behind');
      assert.equal((await fetch(`${relay.url}/.well-known/flxra-keys`)).status, 200, 'the API still answers');
    } finally {
      await relay.close();
    }
  });

  it('answers a burst just past the rate with when to retry, and handles the next event once it is due', async () => {
    const limitClock = new TestClock();
    const relay = await startTestRelay({ relay: { limitClock, limits: { eventBurst: 5, eventsPerSecond: 10 } } });
    try {
      const host = await relay.connectHost();
      for (let i = 0; i < 6; i++) host.emitRaw('no:such-event');
      const answers = await Promise.all(Array.from({ length: 6 }, () => host.next('relay:error')));
      assert.deepEqual(
        answers.map((e) => e.code),
        ['unknown-event', 'unknown-event', 'unknown-event', 'unknown-event', 'unknown-event', 'rate-limited'],
      );
      assert.equal(answers[5]!.retryAfterMs, 100);
      limitClock.advance(100);
      host.emitRaw('no:such-event');
      assert.equal((await host.next('relay:error')).code, 'unknown-event', 'handled again once a token was back');
    } finally {
      await relay.close();
    }
  });

  it('drops a client that stops reading what it asks for, before its queue passes the limit', async () => {
    const cap = 256 * 1024;
    const relay = await startTestRelay({ relay: { limits: { ...NO_RATE_LIMIT, maxQueuedBytes: cap } } });
    try {
      const { host, op, sessionId } = await relay.openSession('control');
      const before = memoryAfterGc();
      const reader = await relay.connectOperator();
      stopReading(reader);
      // Each is answered with a refusal of about 500 bytes: 15 MB of answers, far past what the kernel holds.
      for (let i = 0; i < 30_000; i++) reader.emitRaw('device:user-sessions', { sessions: [1, 1, 1, 1, 1, 1, 1] });
      await until('dropped the reader', () => relay.handle.counters().slowReadersDropped > 0, {
        timeoutMs: 10_000,
        seen: () => relay.handle.counters().queuedBytes.highest,
      });

      const counters = relay.handle.counters();
      assert.equal(counters.slowReadersDropped, 1);
      assert.ok(counters.queuedBytes.highest <= cap + 1024, `${counters.queuedBytes.highest} bytes were queued`);
      assert.equal(counters.queuedBytes.bySocket[reader.socket.id!], undefined, 'the reader is still connected');
      assert.ok(memoryAfterGc() - before < 8 * MB, 'the answers nobody read stayed in memory');
      assert.ok(relay.logs.some((l) => l.msg === 'connection dropped: its client is not reading'));
      await assertSessionWorks(host, op, sessionId);
    } finally {
      await relay.close();
    }
  });

  it('throttles an admitted peer flooding signals at a peer that stops reading', async () => {
    const cap = 512 * 1024;
    const relay = await startTestRelay({ relay: { limits: { ...NO_RATE_LIMIT, maxQueuedBytes: cap } } });
    try {
      const victim = await relay.openSession('control');
      const legit = await relay.openSession('control');
      stopReading(victim.host);
      const before = memoryAfterGc();
      const sdp = 'a'.repeat(60_000);
      // 24 MB of signals at a host that reads none of them.
      for (let i = 0; i < 400; i++) victim.op.emit('session:signal', { sessionId: victim.sessionId, signal: { sdp } });
      await victim.op.flush();

      const counters = relay.handle.counters();
      const held = victim.op.received('relay:error').filter((e) => e.code === 'rate-limited');
      assert.ok(counters.signalsHeldBack > 300, `only ${counters.signalsHeldBack} signals held back`);
      assert.equal(held.length, counters.signalsHeldBack, 'the sender was told of each signal held back');
      assert.equal(held[0]?.message, 'the other side is not keeping up: signal not delivered');
      const queued = counters.queuedBytes.bySocket[victim.host.socket.id!];
      assert.ok(queued !== undefined && queued <= cap / 2 + 61_000, `${queued} bytes queued for the host`);
      assert.equal(counters.slowReadersDropped, 0, 'the host was dropped instead of its sender throttled');
      assert.ok(memoryAfterGc() - before < 8 * MB, 'the signals nobody read stayed in memory');
      await assertSessionWorks(legit.host, legit.op, legit.sessionId);
    } finally {
      await relay.close();
    }
  });

  it('answers payloads nested far too deep with relay:error, on both namespaces and over HTTP', async () => {
    const relay = await startTestRelay();
    try {
      const { host, op, sessionId } = await relay.openSession('control');
      const deep = [nestedArrays(20), nestedArrays(20_000)];
      for (const nested of deep) {
        sendPacket(op, `2["session:signal",{"sessionId":"${sessionId}","signal":{"candidate":${nested}}}]`);
        sendPacket(host, `2["session:consent",{"sessionId":"${sessionId}","decision":${nested}}]`);
        for (const [client, event] of [
          [op, 'session:signal'],
          [host, 'session:consent'],
        ] as const) {
          const error = await client.next('relay:error');
          assert.deepEqual([error.code, error.event], ['bad-payload', event]);
          assert.equal(error.message, `invalid ${event} payload: nested more than 16 deep`);
        }
      }
      await host.flush();
      assert.deepEqual(host.received('session:signal'), [], 'a deep signal was forwarded');

      const agent = await enrolScriptedAgent(relay, { hostname: 'ws-01', reportGroup: 'Office' });
      sendPacket(agent.client, `2${AGENT_NAMESPACE},["agent:report",{"hostname":${nestedArrays(20_000)}}]`);
      const agentError = await agent.client.next('relay:error');
      assert.equal(agentError.code, 'bad-payload');

      const response = await fetch(`${relay.url}${ENROL_PATH}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: `{"enrolmentToken":${nestedArrays(5_000)}}`,
      });
      assert.equal(response.status, 400);
      assert.deepEqual(await response.json(), {
        error: { code: 'bad-request', message: 'the body nests objects or arrays more than 16 deep' },
      });

      assert.deepEqual(
        relay.logs.filter((l) => l.level === 'error'),
        [],
        'a handler failed instead of answering',
      );
      await assertSessionWorks(host, op, sessionId);
    } finally {
      await relay.close();
    }
  });
});
