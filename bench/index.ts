/**
 * `npm run bench`: prints figures, asserts nothing. Each part measures one path a session
 * depends on, on this machine, so changes can be compared run to run.
 */
import { performance } from 'node:perf_hooks';
import { startTestRelay } from '../test/fixtures/relay.js';
import { createIpcHandlers, dispatchIpc } from '../src/main/ipc/handlers.js';
import type { HostSession } from '../src/main/host/host-session.js';

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))]!;

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

await relaySignalLatency();
await ipcInputDispatch();
