/** The host's session logic against a real relay: consent gates capture and input. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_POLICY } from '../../src/shared/policy.js';
import { firstAdmin } from '../fixtures/console.js';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { activationToken, connectClient, startTestRelay, TestClock } from '../../dev/rig/relay.js';
import { hostAskedToJoin, startHost } from '../fixtures/host-session.js';

test('a join request opens the consent window naming the operator the relay vouches for', async (t) => {
  const { relay, h, consent } = await hostAskedToJoin(t);
  assert.deepEqual(consent.status === 'consent' && consent.operator, relay.operatorIdentity);
  assert.equal(h.host.captureAllowed(), false, 'no capture before Allow');
  assert.deepEqual(h.log, [], 'input untouched before Allow');
});

test('nobody answering denies automatically after its own timeout, which the user is told; the operator is told it timed out', async (t) => {
  const { relay, h, op } = await hostAskedToJoin(t, { consentTimeoutMs: 200 });
  const ended = await op.next('session:ended');
  assert.equal(ended.reason, 'consent-timeout');
  assert.deepEqual(h.host.state, {
    status: 'ended',
    sessionId: h.sessionId,
    reason: 'consent-timeout',
    operator: relay.operatorIdentity,
    waitedMs: 200,
  });
  assert.equal(h.host.captureAllowed(), false);
});

test('allow, view only, control again and end drive input and capture', async (t) => {
  const { h, op } = await hostAskedToJoin(t);

  h.host.answerConsent('control');
  assert.equal((await op.next('session:admitted')).mode, 'control');
  assert.equal(h.host.captureAllowed(), true);
  h.host.handleInput({ t: 'release-all' });

  h.host.setMode('view');
  assert.equal((await op.next('session:mode')).mode, 'view');
  h.host.setMode('control');
  await op.next('session:mode');

  h.host.end();
  assert.equal((await op.next('session:ended')).reason, 'user-ended');
  assert.equal(h.host.captureAllowed(), false);
  h.host.handleInput({ t: 'release-all' }); // after the end: never reaches input
  assert.deepEqual(h.log, ['enabled', 'event:release-all', 'disabled', 'enabled', 'disabled']);
  assert.throws(() => h.host.sendSignal({ type: 'offer', sdp: 'v=0' }), /No session is active/);
});

test('answering when nothing is asked is refused; a deny keeps the device available', async (t) => {
  const relay = await startTestRelay();
  const h = await startHost(relay);
  t.after(async () => (h.host.stop(), await relay.close()));
  assert.throws(() => h.host.answerConsent('control'), /no request waiting/);
  const op = await relay.connectOperator();
  op.emit('session:join', { sessionId: h.sessionId });
  await h.until('consent');
  h.host.answerConsent('deny');
  assert.equal((await op.next('session:ended')).reason, 'declined');
  // The same operator may ask again; the user is asked again.
  op.emit('session:join', { sessionId: h.sessionId });
  await h.until('consent');
});

test('sound is captured only where the policy allows audio redirection, and the user is told before and during', async (t) => {
  const relay = await startTestRelay();
  const device = await relay.addDevice('desk-42');
  const h = await startHost(relay, { deviceToken: device.token });
  t.after(async () => (h.host.stop(), await relay.close()));
  const op = await relay.connectOperator();

  async function unattended() {
    const assistance = await relay.requestAssistance({ deviceId: device.id, mode: 'unattended' });
    const requested = await h.until('requested');
    op.emit('assistance:open', { activation: activationToken(assistance), password: assistance.password });
    const active = await h.until('active');
    return { assistance, requested, active };
  }

  // The specification's default: off.
  const off = await unattended();
  assert.equal('audio' in off.requested, false);
  assert.equal('audio' in off.active, false);
  assert.equal(h.host.audioCaptureAllowed(), false);
  assert.equal(h.host.captureAllowed(), true);
  h.host.end();
  await h.until('ended');

  const admin = await firstAdmin(relay);
  assert.equal(
    (await admin.call('PUT', '/policy', { product: { ...DEFAULT_POLICY, audioRedirection: true }, groups: {} })).status,
    200,
  );
  const on = await unattended();
  assert.equal(on.requested.status === 'requested' && on.requested.audio, true, 'told before anyone connects');
  assert.equal(on.active.status === 'active' && on.active.audio, true, 'and while connected');
  assert.equal(h.host.audioCaptureAllowed(), true);
  h.host.end();
  await h.until('ended');
  assert.equal(h.host.audioCaptureAllowed(), false, 'never outside an active session');
});

test('the user answers while the relay is down and it restarts: the answer stands, the user is not asked twice', async (t) => {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'flxra-host-restart-'));
  const clock = new TestClock();
  let relay = await startTestRelay({ dataDir, clock });
  const device = await relay.addDevice('desk-42');
  const h = await startHost(relay, { deviceToken: device.token });
  t.after(async () => {
    h.host.stop();
    await relay.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  const assistance = await relay.requestAssistance({ deviceId: device.id, mode: 'attended' });
  const op = await relay.connectOperator();
  op.emit('assistance:open', { activation: activationToken(assistance) });
  await h.until('consent');
  const operatorToken = relay.operatorToken;

  // The relay stops while the consent window shows; the user allows control meanwhile.
  const { port } = relay;
  await relay.close();
  await h.untilWhere('reconnecting', (s) => 'reconnecting' in s);
  h.host.answerConsent('control');
  assert.equal(h.host.state.status, 'active');

  // Back on the same address: the host resumes, the operator's app opens the file again, and the
  // relay asks the device again, which answers as the user did.
  relay = await startTestRelay({ dataDir, clock, port });
  await h.untilWhere('back in the session', (s) => s.status === 'active' && !('reconnecting' in s), 10_000);
  const again = await connectClient(relay.url, { role: 'operator', token: operatorToken });
  t.after(() => again.close());
  await again.next('operator:ready');
  again.emit('assistance:open', { activation: activationToken(assistance) });
  const admitted = await again.next('session:admitted', { timeoutMs: 5_000 });
  assert.deepEqual([admitted.sessionId, admitted.mode], [assistance.sessionId, 'control']);
  // The consent window opened once (it said "reconnecting" meanwhile, which is the same window).
  const opened = h.states.filter((s, i) => s.status === 'consent' && h.states[i - 1]?.status !== 'consent');
  assert.equal(opened.length, 1, 'asked once');
  assert.equal(h.host.state.status, 'active');
});
