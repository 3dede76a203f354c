/**
 * `npm run bench`'s figures for machine token checks (src/relay/credentials/): what one check
 * cost with scrypt (before) and costs with one HMAC (now), what 10 000 agents reconnecting at
 * once cost, and a legitimate operator's connect latency while wrong secrets pour in, at tokens
 * stored as HMACs and at a row still stored as a scrypt hash (checked through the gate).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { refusal, startTestRelay, type TestRelay } from '../dev/rig/relay.js';
import { issueBearerToken } from '../src/relay/bearer-token.js';
import { MachineTokens } from '../src/relay/credentials/machine-tokens.js';
import { openTokenMac } from '../src/relay/credentials/pepper.js';
import { DeviceRegistry } from '../src/relay/devices.js';
import { DEFAULT_SCRYPT, hashSecret, verifySecret } from '../src/relay/secret-hash.js';
import { openSqliteStore } from '../src/relay/store/sqlite-store.js';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const wrongSecret = (token: string) => token.slice(0, -43) + randomBytes(32).toString('base64url');
const AGENTS = 10_000;

/** Per check, and for a reconnect storm of AGENTS agents (every token checked once). */
export async function tokenCheckCost(): Promise<void> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'flxra-bench-tokens-'));
  const store = openSqliteStore(dataDir);
  try {
    const { token } = issueBearerToken('dev');
    const stored = await hashSecret(token, DEFAULT_SCRYPT);
    let started = performance.now();
    for (let i = 0; i < 10; i++) await verifySecret(token, stored);
    const scryptMs = (performance.now() - started) / 10;

    const devices = new DeviceRegistry(store, new MachineTokens(openTokenMac({ dataDir, store })));
    const tokens: string[] = [];
    for (let i = 0; i < AGENTS; i++) tokens.push((await devices.add({ name: `agent ${i}` })).token);
    started = performance.now();
    for (const t of tokens) if (!(await devices.verify(t))) throw new Error('a right token was refused');
    const hmacMs = performance.now() - started;
    console.log(
      `machine token check (registry lookup included): before, scrypt ${scryptMs.toFixed(1)} ms; ` +
        `now, HMAC ${((hmacMs * 1000) / AGENTS).toFixed(1)} µs`,
    );
    console.log(
      `${AGENTS} agents reconnecting at once: before ≈ ${((scryptMs * AGENTS) / 1000).toFixed(0)} s of CPU ` +
        `(≈ ${((scryptMs * AGENTS) / 4000).toFixed(0)} s on libuv's 4 threads); now ${hmacMs.toFixed(0)} ms`,
    );
  } finally {
    store.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}

/** Median connect latency of the relay's operator over `samples` connections. */
async function operatorConnectMs(relay: TestRelay, samples = 20): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const started = performance.now();
    const op = await relay.connectOperator();
    times.push(performance.now() - started);
    op.close();
  }
  return median(times);
}

/** While `guess` handshakes are thrown at the relay, 20 at a time. */
async function duringStorm<T>(guess: () => Promise<unknown>, measure: () => Promise<T>): Promise<T> {
  let stop = false;
  const storm = Promise.all(
    Array.from({ length: 20 }, async () => {
      while (!stop) await guess().catch(() => undefined);
    }),
  );
  try {
    return await measure();
  } finally {
    stop = true;
    await storm;
  }
}

export async function connectLatencyUnderStorm(): Promise<void> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'flxra-bench-storm-'));
  // An operator from before the pepper: its row still holds a scrypt hash at the shipped cost.
  const store = openSqliteStore(dataDir);
  const old = issueBearerToken('op');
  store.insertOperator({
    id: old.id,
    name: 'Old Operator',
    organisation: 'Help Desk',
    environment: 'default',
    tokenMac: null,
    legacyHash: await hashSecret(old.token, DEFAULT_SCRYPT),
    createdAt: new Date().toISOString(),
  });
  store.close();
  const relay = await startTestRelay({ dataDir, relay: { scrypt: DEFAULT_SCRYPT } });
  try {
    const idle = await operatorConnectMs(relay);
    // Refused before any token is checked: what the connections alone cost (client and relay share this process).
    const noCheck = await duringStorm(
      () => refusal(relay.url, { role: 'operator' }),
      () => operatorConnectMs(relay),
    );
    const atHmac = await duringStorm(
      () => refusal(relay.url, { role: 'operator', token: wrongSecret(relay.operatorToken) }),
      () => operatorConnectMs(relay),
    );
    const atScrypt = await duringStorm(
      () => refusal(relay.url, { role: 'operator', token: wrongSecret(old.token) }),
      () => operatorConnectMs(relay),
    );
    const gate = relay.handle.credentialChecks().legacyScrypt;
    console.log(
      `operator connect, median of 20: idle ${idle.toFixed(1)} ms; while handshakes pour in (20 at a time) ` +
        `refused before any check ${noCheck.toFixed(1)} ms, with wrong secrets at HMAC tokens ${atHmac.toFixed(1)} ms, ` +
        `at an old scrypt row ${atScrypt.toFixed(1)} ms ` +
        `(gate: ${gate.checks} scrypt checks, at most ${gate.maxRunning} at once, ${gate.refusedBusy} refused busy)`,
    );
  } finally {
    await relay.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}
