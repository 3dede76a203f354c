/**
 * A client that trickles its HTTP request's headers and never finishes them (slowloris) is cut
 * off after the relay's headers timeout, not after Node's minutes, while an ordinary request is
 * answered meanwhile. Real relay, raw TCP clients on loopback; bounded to a few seconds.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { startTestRelay } from '../../dev/rig/relay.js';
import { until } from '../../dev/rig/until.js';
import { RELAY_KEYS_PATH } from '../../src/shared/relay-api.js';

test('connections that trickle their headers are closed after the headers timeout; others are answered', async (t) => {
  const relay = await startTestRelay({ relay: { limits: { headersTimeoutMs: 1_000 } } });
  t.after(() => relay.close());
  const closed = new Set<number>();
  const sockets = Array.from({ length: 20 }, (_, i) => {
    const socket = net.connect(relay.port, '127.0.0.1', () => socket.write('GET / HTTP/1.1\r\nHost: relay\r\n'));
    socket.on('error', () => undefined);
    socket.on('close', () => closed.add(i));
    return socket;
  });
  // One more header line now and then: the request never ends.
  const trickle = setInterval(() => {
    for (const socket of sockets) if (!socket.destroyed) socket.write(`X-Slow-${Date.now()}: 1\r\n`);
  }, 200);
  t.after(() => clearInterval(trickle));
  const answer = await fetch(`${relay.url}${RELAY_KEYS_PATH}`);
  assert.equal(answer.status, 200, 'an ordinary request is answered meanwhile');
  await until('every trickling connection closed by the relay', () => closed.size === sockets.length, {
    timeoutMs: 5_000,
    seen: () => closed.size,
  });
});
