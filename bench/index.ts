/**
 * `npm run bench`: prints figures, asserts nothing. Each part measures one path a session
 * depends on, on this machine, so changes can be compared run to run.
 */
import { performance } from 'node:perf_hooks';
import { startTestRelay } from '../dev/rig/relay.js';
import { createIpcHandlers, dispatchIpc } from '../src/main/ipc/handlers.js';
import type { HostSession } from '../src/main/host/host-session.js';
import { DEFAULT_SCRYPT, hashSecret, verifySecret } from '../src/relay/secret-hash.js';
import { generatePassword } from '../src/relay/assistances/password.js';
import { verifyActivation } from '../src/main/activation/verify-activation.js';
import { fetchRelayKey } from '../src/main/activation/relay-keys.js';
import { activationToken } from '../dev/rig/relay.js';
import { decodeProtectedHeader } from 'jose';
import { connectLatencyUnderStorm, tokenCheckCost } from './credentials.js';

const quantile = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))]!;

async function relaySignalLatency(samples = 2_000) {
  const relay = await startTestRelay();
  try {
    const { host, op, sessionId } = await relay.openSession('control');
    const times: number[] = [];
    for (let i = 0; i < samples; i++) {
      const started = performance.now();
      host.emit('session:signal', { sessionId, signal: { type: 'candidate', candidate: { candidate: `c${i}` } } });
      await op.next('session:signal');
      times.push(performance.now() - started);
    }
    console.log(
      `relay signal host→operator (loopback, ${samples} sequential): median ${quantile(times, 0.5).toFixed(3)} ms, p95 ${quantile(times, 0.95).toFixed(3)} ms`,
    );
  } finally {
    await relay.close();
  }
}

async function ipcInputDispatch(samples = 100_000) {
  let handled = 0;
  const host = { handleInput: () => void handled++ } as unknown as HostSession;
  const handlers = createIpcHandlers({ host });
  const policy = { rendererBase: 'file:///app/out/renderer/' };
  const url = `${policy.rendererBase}host.html`;
  const event = { event: { t: 'move', display: '0', x: 0.5, y: 0.25 } };
  const started = performance.now();
  for (let i = 0; i < samples; i++) await dispatchIpc(handlers, policy, 'host:input', event, url);
  const perEvent = ((performance.now() - started) * 1000) / samples;
  console.log(`IPC input validation + dispatch: ${perEvent.toFixed(2)} µs per event (${handled} events)`);
}

/** The relay's cost per password check (console users, unattended passwords): the slow hash's price, and a guess's. */
async function secretHashCost(samples = 10) {
  const stored = await hashSecret(generatePassword(), DEFAULT_SCRYPT);
  const started = performance.now();
  for (let i = 0; i < samples; i++) await verifySecret(generatePassword(), stored);
  console.log(`scrypt verify (N=2^15, r=8, p=1): ${((performance.now() - started) / samples).toFixed(1)} ms per check`);
}

/** The operator app's check of a .flxra before connecting. */
async function activationVerification(samples = 500) {
  const relay = await startTestRelay();
  try {
    const device = await relay.connectDevice('bench-device');
    const response = await relay.requestAssistance({ deviceId: device.deviceId, mode: 'unattended' });
    const kid = decodeProtectedHeader(activationToken(response)).kid!;
    const key = await fetchRelayKey(relay.url, kid);
    const trusted = { find: async () => ({ ...key, trustedAt: '' }) };
    const started = performance.now();
    for (let i = 0; i < samples; i++) await verifyActivation(response.activation.content, trusted, Date.now());
    console.log(
      `activation file verification (Ed25519): ${(((performance.now() - started) * 1000) / samples).toFixed(0)} µs per file`,
    );
  } finally {
    await relay.close();
  }
}

await relaySignalLatency();
await ipcInputDispatch();
await secretHashCost();
await tokenCheckCost();
await connectLatencyUnderStorm();
await activationVerification();
