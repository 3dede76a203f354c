/**
 * `npm run bench:relay`: one relay process (`relay serve`, as a desk runs it: dev/rig/relay-process.ts)
 * on loopback, N enrolled agents connected and idle, M signalling sessions (a host and an operator
 * each) exchanging signals meanwhile; prints the relay's memory per agent connection, signalling
 * latency p50/p99, and how long a reconnect storm of all agents takes after the relay restarts.
 * Bounded: at most 20 000 agents, and the whole run stops itself after --limit seconds (300).
 * Prints and saves JSON; asserts nothing.
 *
 *   npm run bench:relay -- [--agents 2000] [--sessions 20] [--signals 100] [--limit 300]
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { io, type Socket } from 'socket.io-client';
import { startRelayProcess } from '../../dev/rig/relay-process.js';
import { connectClient, type TestClient } from '../../dev/rig/test-client.js';
import { AGENT_NAMESPACE, ENROL_PATH, EnrolResponse } from '../../src/shared/agent-protocol.js';
import { newChild, ownChildren } from '../video/cpu.js';

const { values } = parseArgs({
  options: {
    agents: { type: 'string', default: '2000' },
    sessions: { type: 'string', default: '20' },
    signals: { type: 'string', default: '100' },
    limit: { type: 'string', default: '300' },
  },
});
const AGENTS = Math.min(20_000, Number(values.agents));
const SESSIONS = Math.min(200, Number(values.sessions));
const SIGNALS = Math.min(10_000, Number(values.signals));

const rssKiB = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
const quantile = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))]!;

/** Runs `fn` over `items`, `width` at a time. */
async function inBatches<T, R>(items: T[], width: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += width) out.push(...(await Promise.all(items.slice(i, i + width).map(fn))));
  return out;
}

const relay = await startRelayProcess();
// The bound: past it the run stops, its relay with it (what was measured by then is printed above).
const limit = setTimeout(
  () => {
    console.log(`stopped: the run took longer than ${values.limit} s`);
    void relay.close().finally(() => process.exit(1));
  },
  Number(values.limit) * 1000,
);
limit.unref();
const agents: Socket[] = [];
const sessions: Array<{ host: TestClient; op: TestClient }> = [];
try {
  const enrolmentToken = await relay.enrolmentToken('load', AGENTS);
  let started = performance.now();
  const tokens = await inBatches([...Array(AGENTS).keys()], 20, async (i) => {
    const response = await fetch(`${relay.url}${ENROL_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ enrolmentToken, hostname: `load-${i}`, os: 'Linux 6.1.0 (x64)', agentVersion: '26.11' }),
    });
    if (response.status !== 201) throw new Error(`enrolment refused: ${response.status} ${await response.text()}`);
    return EnrolResponse.parse(await response.json()).agentToken;
  });
  console.log(`${AGENTS} agents enrolled in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  // Every agent keeps reconnecting by itself (socket.io's backoff), as the agent does.
  let ready = 0;
  const connectAgent = (agentToken: string) =>
    new Promise<void>((resolve, reject) => {
      const socket = io(`${relay.url}${AGENT_NAMESPACE}`, {
        auth: { role: 'agent', agentToken, instanceId: randomUUID() },
        transports: ['websocket'],
        forceNew: true,
      });
      agents.push(socket);
      socket.on('agent:ready', () => {
        ready++;
        resolve();
      });
      socket.once('connect_error', (e) => reject(e));
    });
  // A fresh process for the memory figure (the enrolments grew the heap of this one).
  await relay.kill('SIGTERM');
  const fresh = ownChildren();
  await relay.start();
  const relayPid = newChild(fresh, /node/);
  await new Promise((r) => setTimeout(r, 1_000));
  const idleRss = rssKiB(relayPid);
  started = performance.now();
  await inBatches(tokens, 100, connectAgent);
  const connectS = (performance.now() - started) / 1000;
  await new Promise((r) => setTimeout(r, 2_000));
  const loadedRss = rssKiB(relayPid);
  const perConnectionKiB = (loadedRss - idleRss) / AGENTS;
  console.log(
    `${AGENTS} idle agents connected in ${connectS.toFixed(1)} s; relay RSS ${(idleRss / 1024).toFixed(0)} → ` +
      `${(loadedRss / 1024).toFixed(0)} MiB: ${perConnectionKiB.toFixed(1)} KiB per agent connection ` +
      `(10 000 agents ≈ ${((perConnectionKiB * 10_000) / 1024 ** 2).toFixed(2)} GiB)`,
  );

  // M sessions: a host and an operator each, the operator admitted, signals host → operator.
  for (let i = 0; i < SESSIONS; i++) {
    const host = await connectClient(relay.url, { role: 'host', deviceName: `desk-${i}` });
    const { sessionId } = await host.next('host:ready');
    const op = await connectClient(relay.url, { role: 'operator', token: relay.operatorToken });
    await op.next('operator:ready');
    op.emit('session:join', { sessionId });
    await host.next('session:join-request');
    host.emit('session:consent', { sessionId, decision: 'control' });
    await op.next('session:admitted');
    sessions.push({ host, op });
    Object.assign(host, { sessionId });
  }
  const times: number[] = [];
  await Promise.all(
    sessions.map(async ({ host, op }) => {
      const sessionId = (host as TestClient & { sessionId: string }).sessionId;
      for (let i = 0; i < SIGNALS; i++) {
        const t = performance.now();
        host.emit('session:signal', { sessionId, signal: { type: 'candidate', candidate: { candidate: `c${i}` } } });
        await op.next('session:signal');
        times.push(performance.now() - t);
      }
    }),
  );
  const signalling = { p50: quantile(times, 0.5), p99: quantile(times, 0.99), n: times.length };
  console.log(
    `signalling host → operator, ${SESSIONS} sessions at once, ${AGENTS} agents idle: ` +
      `p50 ${signalling.p50.toFixed(2)} ms, p99 ${signalling.p99.toFixed(2)} ms (${signalling.n} signals)`,
  );
  for (const s of sessions.splice(0)) for (const c of [s.host, s.op]) c.close();

  // A restart: every agent comes back by itself.
  await relay.kill('SIGTERM');
  ready = 0;
  const again = ownChildren();
  await relay.start();
  started = performance.now();
  while (ready < AGENTS) await new Promise((r) => setTimeout(r, 50));
  const stormS = (performance.now() - started) / 1000;
  const afterStormRss = rssKiB(newChild(again, /node/));
  console.log(
    `reconnect storm after a restart: all ${AGENTS} agents back in ${stormS.toFixed(1)} s; ` +
      `relay RSS then ${(afterStormRss / 1024).toFixed(0)} MiB`,
  );

  const dir = path.resolve(import.meta.dirname, '../results');
  mkdirSync(dir, { recursive: true });
  const at = new Date().toISOString();
  const file = path.join(dir, `relay-${at.replace(/[:.]/g, '-')}.json`);
  writeFileSync(
    file,
    JSON.stringify(
      {
        at,
        machine: { cpus: os.cpus().length, load: os.loadavg() },
        agents: AGENTS,
        sessions: SESSIONS,
        relayRssKiB: { idle: idleRss, loaded: loadedRss, perConnection: perConnectionKiB, afterStorm: afterStormRss },
        connectS,
        signallingMs: signalling,
        reconnectStormS: stormS,
      },
      null,
      2,
    ),
  );
  console.log(`figures saved in ${path.relative(process.cwd(), file)}`);
} finally {
  for (const s of agents) s.disconnect();
  for (const s of sessions.splice(0)) for (const c of [s.host, s.op]) c.close();
  await relay.close();
}
