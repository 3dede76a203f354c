/**
 * A bounded abuse test (loopback, stops by itself within seconds): someone throws wrong secrets
 * for known operator, device and agent ids, and unknown ids, at a relay's handshakes, as fast as
 * a few dozen connections at a time allow. Checked with the relay's shipped scrypt cost (what
 * tokens were hashed with before): every guess costs one HMAC and no scrypt, the process spends
 * a small bounded CPU time per guess and keeps its heap, and meanwhile a legitimate operator,
 * host and agent connect as usual.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { AGENT_NAMESPACE } from '../../src/shared/agent-protocol.js';
import { issueBearerToken } from '../../src/relay/bearer-token.js';
import { DEFAULT_SCRYPT } from '../../src/relay/secret-hash.js';
import { connectClient, refusal, startTestRelay } from '../../dev/rig/relay.js';
import { enrolled } from '../agent/fake-agents.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const ATTEMPTS = 300;
const AT_ONCE = 20;
/** The storm stops here even if the relay is slower than expected (it would be with scrypt, or a busy machine). */
const DEADLINE_MS = 10_000;
/** Enough guesses for the figures per guess to mean something. */
const AT_LEAST = 100;
/** One HMAC plus a refused socket.io handshake, client and relay both in this process: about 2 ms. */
const CPU_MS_PER_GUESS = 15;
const HEAP_GROWTH_BYTES = 24 * 1024 * 1024;

const wrongSecret = (token: string) => token.slice(0, -43) + randomBytes(32).toString('base64url');

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

test('a storm of wrong secrets costs one HMAC each, bounded CPU and heap, while real clients connect', async () => {
  const relay = await startTestRelay({ relay: { scrypt: DEFAULT_SCRYPT } });
  try {
    const device = await relay.addDevice('Kiosk');
    const { agentToken } = await enrolled(relay);
    const agentUrl = `${relay.url}${AGENT_NAMESPACE}`;
    const guesses: Array<{ url: string; auth: Record<string, unknown> }> = [
      { url: relay.url, auth: { role: 'operator', token: wrongSecret(relay.operatorToken) } },
      { url: relay.url, auth: { role: 'operator', token: issueBearerToken('op').token } },
      { url: relay.url, auth: { role: 'host', deviceName: 'x', deviceToken: wrongSecret(device.token) } },
      { url: agentUrl, auth: { role: 'agent', agentToken: wrongSecret(agentToken), instanceId: randomUUID() } },
      { url: agentUrl, auth: { role: 'agent', agentToken: issueBearerToken('dev').token, instanceId: randomUUID() } },
    ];
    // Warm up (socket.io's first connections compile and cache), then measure from here.
    await Promise.all(guesses.map((g) => refusal(g.url, g.auth)));
    const heapBefore = heapAfterGc();
    const checksBefore = relay.handle.credentialChecks();
    const cpuBefore = process.cpuUsage();
    const started = performance.now();

    let sent = 0;
    const answers = new Map<string, number>();
    const stormer = async () => {
      while (sent < ATTEMPTS && performance.now() - started < DEADLINE_MS) {
        const guess = guesses[sent++ % guesses.length]!;
        const answer = await refusal(guess.url, guess.auth).then(
          (r) => r.code,
          (err: Error) => `no answer: ${err.message}`,
        );
        answers.set(answer, (answers.get(answer) ?? 0) + 1);
      }
    };
    const storm = Promise.all(Array.from({ length: AT_ONCE }, stormer));

    // Real clients, while it rages: each gets in.
    while (sent < ATTEMPTS / 4) await new Promise((r) => setTimeout(r, 5));
    const legitStarted = performance.now();
    const op = await relay.connectOperator();
    const host = await relay.connectHost('Kiosk', device.token);
    const agent = await connectClient(agentUrl, { role: 'agent', agentToken, instanceId: randomUUID() });
    const legitMs = performance.now() - legitStarted;
    assert.equal(op.operator.id, relay.operatorIdentity.id);
    assert.ok(host.sessionId);
    const sentWhenLegitIn = sent;
    await storm;

    const cpu = process.cpuUsage(cpuBefore);
    const cpuMsPerGuess = (cpu.user + cpu.system) / 1000 / sent;
    const heapGrowth = heapAfterGc() - heapBefore;
    const checks = relay.handle.credentialChecks();
    console.log(
      `# ${sent} wrong secrets in ${(performance.now() - started).toFixed(0)} ms: ${cpuMsPerGuess.toFixed(2)} ms CPU each ` +
        `(client and relay), heap +${(heapGrowth / 1024 / 1024).toFixed(1)} MiB; ` +
        `operator, host and agent connected in ${legitMs.toFixed(0)} ms during it (guess ${sentWhenLegitIn})`,
    );

    assert.ok(sent >= AT_LEAST, `only ${sent} guesses answered within ${DEADLINE_MS} ms`);
    assert.deepEqual(Object.fromEntries(answers), { unauthorized: sent }, 'every guess refused as unauthorized');
    assert.equal(checks.legacyScrypt.checks - checksBefore.legacyScrypt.checks, 0, 'no scrypt for any token');
    // One HMAC and one comparison per guess, and as many for the three real clients.
    assert.equal(checks.macs - checksBefore.macs, sent + 3);
    assert.equal(checks.comparisons - checksBefore.comparisons, sent + 3);
    assert.ok(cpuMsPerGuess < CPU_MS_PER_GUESS, `${cpuMsPerGuess.toFixed(1)} ms of CPU per guess`);
    assert.ok(heapGrowth < HEAP_GROWTH_BYTES, `heap grew by ${heapGrowth} bytes`);
    agent.close();
  } finally {
    await relay.close();
  }
});
