/**
 * The verification words in the host's session, against a real relay: where the device requires
 * them, control waits (the operator told "view") until the user confirms the current connection's
 * words; a connection not verified takes control back; the same two pages reconnected keep it;
 * unattended assistances get the screen view only unless the device lets them go without.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HostState } from '../../src/shared/ipc.js';
import type { VerificationPolicy } from '../../src/shared/verification-policy.js';
import { activationToken, startTestRelay } from '../../dev/rig/relay.js';
import { hostAskedToJoin, startHost } from '../fixtures/host-session.js';

const REQUIRED: VerificationPolicy = { required: true, unattended: 'view' };
const WORDS = ['abandon', 'ability', 'able', 'about'];
const OTHER_WORDS = ['zebra', 'zero', 'zone', 'zoo'];

type Active = Extract<HostState, { status: 'active' }>;
const active = (s: HostState): Active => {
  if (s.status !== 'active') assert.fail(`not active: ${s.status}`);
  return s;
};

test('words required: control waits for the user to confirm this connection’s words; input stays off until then', async (t) => {
  const { h, op, consent } = await hostAskedToJoin(t, { verification: REQUIRED });
  assert.equal(consent.status === 'consent' && consent.wordsRequired, true, 'the user is told before answering');

  h.host.answerConsent('control');
  assert.equal(
    (await op.next('session:admitted')).mode,
    'view',
    'the relay hears "view" until the words are confirmed',
  );
  let s = active(h.host.state);
  assert.equal(s.mode, 'view');
  assert.deepEqual(s.verification, { required: true, words: null, confirmed: false, controlPending: true });
  assert.equal(h.host.captureAllowed(), true, 'the operator sees the screen meanwhile');
  h.host.handleInput({ t: 'release-all' });
  assert.throws(() => h.host.confirmWords(WORDS), /not the words of the current connection/, 'no words yet');

  h.host.reportVerification(null); // the page opens its connection
  h.host.reportVerification({ words: WORDS, connection: 'A | B' });
  s = active(h.host.state);
  assert.deepEqual(s.verification.words, WORDS);
  assert.equal(s.mode, 'view');
  assert.throws(() => h.host.confirmWords(OTHER_WORDS), /not the words of the current connection/);
  assert.equal(active(h.host.state).mode, 'view');

  h.host.confirmWords(WORDS);
  assert.equal((await op.next('session:mode')).mode, 'control');
  s = active(h.host.state);
  assert.equal(s.mode, 'control');
  assert.equal(s.verification.confirmed, true);
  h.host.handleInput({ t: 'release-all' });
  assert.deepEqual(h.log, ['disabled', 'disabled', 'disabled', 'enabled', 'event:release-all']);
});

test('words required: a new connection not verified takes control back; the same two pages reconnected keep it', async (t) => {
  const { h, op } = await hostAskedToJoin(t, { verification: REQUIRED });
  h.host.answerConsent('control');
  await op.next('session:admitted');
  h.host.reportVerification({ words: WORDS, connection: 'A | B' });
  h.host.confirmWords(WORDS);
  assert.equal((await op.next('session:mode')).mode, 'control');

  // A fresh peer (the operator reconnected, or the relay asked for one): nothing verified until its words are in.
  h.host.reportVerification(null);
  assert.equal((await op.next('session:mode')).mode, 'view');
  assert.equal(active(h.host.state).verification.controlPending, true);
  h.host.handleInput({ t: 'release-all' });
  // Same certificates (the same two pages), new nonces: new words, the same connection: control is back.
  h.host.reportVerification({ words: OTHER_WORDS, connection: 'A | B' });
  assert.equal((await op.next('session:mode')).mode, 'control');
  assert.equal(active(h.host.state).verification.confirmed, true);

  // Someone else's certificate (a relay in the middle): control waits for words the user will not confirm.
  h.host.reportVerification(null);
  assert.equal((await op.next('session:mode')).mode, 'view');
  h.host.reportVerification({ words: OTHER_WORDS, connection: 'A | M' });
  const s = active(h.host.state);
  assert.equal(s.mode, 'view');
  assert.equal(s.verification.confirmed, false);
  // The user's own "Allow control" waits for the words too.
  h.host.setMode('control');
  assert.equal(active(h.host.state).mode, 'view');
  await op.flush();
  assert.deepEqual(op.received('session:mode'), [], 'the operator was never given control on that connection');

  h.host.rejectWords();
  assert.equal((await op.next('session:ended')).reason, 'user-ended');
  const ended = h.host.state;
  assert.equal(ended.status === 'ended' && ended.wordsDiffered, true);
  assert.equal(h.log.filter((l) => l === 'event:release-all').length, 0, 'no input on an unverified connection');
});

test('words not required: control at once, words shown, nothing waits for them', async (t) => {
  const { h, op } = await hostAskedToJoin(t);
  h.host.answerConsent('control');
  assert.equal((await op.next('session:admitted')).mode, 'control');
  h.host.reportVerification(null);
  h.host.reportVerification({ words: WORDS, connection: 'A | B' });
  const s = active(h.host.state);
  assert.equal(s.mode, 'control');
  assert.deepEqual(s.verification, { required: false, words: WORDS, confirmed: false, controlPending: false });
  await op.flush();
  assert.deepEqual(op.received('session:mode'), []);
});

test('unattended where the words are required: view only, unless the device lets unattended control go without them', async (t) => {
  const relay = await startTestRelay();
  t.after(() => relay.close());
  for (const [policy, expected] of [
    [REQUIRED, 'view'],
    [{ required: true, unattended: 'control' }, 'control'],
  ] as const) {
    const device = await relay.addDevice(`desk-${expected}`);
    const h = await startHost(relay, { deviceToken: device.token, verification: policy });
    t.after(() => h.host.stop());
    const assistance = await relay.requestAssistance({ deviceId: device.id, mode: 'unattended' });
    await h.until('requested');
    const op = await relay.connectOperator();
    op.emit('assistance:open', { activation: activationToken(assistance), password: assistance.password });
    assert.equal((await op.next('session:admitted')).unattended, true);
    const s = active(await h.until('active'));
    assert.equal(s.mode, expected);
    if (expected === 'view') {
      assert.equal((await op.next('session:mode')).mode, 'view', 'the operator is told it is view only');
      assert.equal(s.verification.controlPending, true, 'someone at the device can still confirm the words');
      assert.deepEqual(h.log, ['disabled']);
    } else {
      assert.equal(s.verification.required, false);
      assert.deepEqual(h.log, ['enabled']);
    }
    h.host.stop();
  }
});
