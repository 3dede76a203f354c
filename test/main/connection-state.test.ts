/**
 * What the operator's viewer says of its connection (src/renderer/operator/connection-state.ts)
 * for each combination of its sources: the most specific true cause, with how long it has lasted,
 * and "live" (nothing said, control possible) only while the picture arrives.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  describeCondition,
  formatDuration,
  pictureLive,
  sessionCondition,
  type Picture,
} from '../../src/renderer/operator/connection-state.js';
import type { OperatorState } from '../../src/shared/ipc.js';

const T = 1_700_000_000_000;
const session: Extract<OperatorState, { status: 'active' }> = {
  status: 'active',
  operator: { id: 'op-1', name: 'Ada Lovelace', organisation: 'Help Desk' },
  sessionId: '123456789',
  deviceName: 'Kiosk 7',
  mode: 'control',
};
const live: Picture = { peer: 'connected', since: T };
const lost: Picture = { peer: 'lost', since: T };
const said = (s: typeof session, p: Picture, now = T + 12_000) => describeCondition(sessionCondition(s, p), now);

test('all well: nothing said, the picture live', () => {
  assert.deepEqual(sessionCondition(session, live), { kind: 'live' });
  assert.equal(said(session, live), null);
  assert.equal(pictureLive(live), true);
});

test('the relay lost: reconnecting with the time tried, then unreachable, saying whether the picture still comes', () => {
  const relayLost = { since: T, relay: 'https://relay.example' };
  assert.equal(
    said({ ...session, relayLost }, live)?.text,
    'Reconnecting to the relay… (12 s). The screen still comes directly from the device.',
  );
  assert.equal(said({ ...session, relayLost }, lost)?.text, 'Reconnecting to the relay… (12 s)');
  const unreachable = { ...session, relayLost: { ...relayLost, unreachable: true as const } };
  assert.deepEqual(said(unreachable, live, T + 65_000), {
    text: 'The relay is unreachable: https://relay.example has not answered for 1 min 5 s; still trying. The screen still comes directly from the device.',
    lost: true,
  });
  assert.match(said(unreachable, lost)!.text, /Nothing arrives from the device\.$/);
});

test('the device away: reconnecting while its picture still comes, offline once it stopped', () => {
  const away = { ...session, deviceAway: true as const, awaySince: T };
  assert.equal(sessionCondition(away, live).kind, 'device-reconnecting');
  assert.equal(sessionCondition(away, lost).kind, 'device-offline');
  assert.match(said(away, lost)!.text, /^The device is offline: it lost its connection to the relay 12 s ago/);
});

test('the capture stopped on the device: said first, whatever else holds, and the picture is not live', () => {
  const stopped: Picture = { ...live, captureStoppedAt: T + 2_000 };
  assert.equal(pictureLive(stopped), false);
  for (const s of [
    session,
    { ...session, deviceAway: true as const },
    { ...session, relayLost: { since: T, relay: 'x' } },
  ])
    assert.equal(sessionCondition(s, stopped).kind, 'capture-stopped');
  assert.match(said(session, stopped)!.text, /^Capture stopped on the device 10 s ago/);
});

test('the peer lost with both relay connections fine, and no picture yet', () => {
  assert.equal(sessionCondition(session, lost).kind, 'picture-lost');
  assert.equal(said(session, { peer: 'connecting', since: T })?.text, 'Connecting to the screen… (12 s)');
  assert.equal(formatDuration(-5), '0 s');
  assert.equal(formatDuration(125_000), '2 min 5 s');
});
