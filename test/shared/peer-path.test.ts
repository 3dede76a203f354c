/**
 * The path a connection takes, read from getStats reports that Chromium really produced on this
 * rig (recorded against a real coturn: test/fixtures/webrtc-stats/), and the line people read.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { pathText, peerPathFromStats } from '../../src/shared/peer-path.js';

type Report = Record<string, unknown>;
const recorded = JSON.parse(
  fs.readFileSync(new URL('../fixtures/webrtc-stats/chromium-selected-pairs.json', import.meta.url), 'utf8'),
) as Record<'direct' | 'turn-udp' | 'turn-tcp', Report[]>;

test('direct, TURN over UDP and TURN over TCP, from the selected pair, with the round trip', () => {
  // Two pairs succeeded and were nominated: the transport's selected one is read (1 ms vs 2 ms).
  assert.deepEqual(peerPathFromStats(recorded.direct), { route: 'direct', transport: 'udp', rttMs: 2 });
  assert.deepEqual(peerPathFromStats(recorded['turn-udp']), {
    route: 'relayed',
    relayedBy: 'both',
    transport: 'udp',
    rttMs: 9,
  });
  assert.deepEqual(peerPathFromStats(recorded['turn-tcp']), {
    route: 'relayed',
    relayedBy: 'both',
    transport: 'tcp',
    rttMs: 3,
  });
});

test('relayed by the other side only: this side sends straight to its TURN server', () => {
  const reports = recorded['turn-udp'].map((r) =>
    r.type === 'local-candidate' ? { ...r, candidateType: 'srflx', relayProtocol: undefined } : r,
  );
  assert.deepEqual(peerPathFromStats(reports), {
    route: 'relayed',
    relayedBy: 'other side',
    transport: 'udp',
    rttMs: 9,
  });
  // A TLS leg to this side's TURN server.
  const tls = recorded['turn-tcp'].map((r) => (r.type === 'local-candidate' ? { ...r, relayProtocol: 'tls' } : r));
  assert.equal(peerPathFromStats(tls)?.transport, 'tls');
});

test('nothing selected yet, or reports missing, is no path', () => {
  assert.equal(peerPathFromStats([]), null);
  assert.equal(
    peerPathFromStats(recorded.direct.filter((r) => r.type !== 'transport' && r.type !== 'candidate-pair')),
    null,
  );
  assert.equal(peerPathFromStats(recorded['turn-tcp'].filter((r) => r.type !== 'local-candidate')), null);
  assert.equal(peerPathFromStats([null, 7, 'x']), null);
});

test('the line people read', () => {
  assert.equal(pathText(null), 'Connection path: not established yet');
  assert.equal(
    pathText({ route: 'direct', transport: 'udp', rttMs: 2 }),
    'Connection path: direct, peer to peer over UDP · 2 ms round trip',
  );
  assert.equal(
    pathText({ route: 'relayed', relayedBy: 'both', transport: 'tls', rttMs: null }),
    'Connection path: relayed through TURN over TLS',
  );
  assert.equal(
    pathText({ route: 'relayed', relayedBy: 'other side', transport: 'udp', rttMs: 40 }),
    "Connection path: relayed through the other side's TURN server (UDP from here) · 40 ms round trip",
  );
});
