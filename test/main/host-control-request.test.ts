/**
 * The host's side of the viewer toolbar against a real relay: the operator's Request control
 * becomes a question in the indicator's state (only while view only), Keep view only closes it,
 * Give control goes out as session:mode; Ctrl+Alt+Del comes back refused with its reason on
 * Linux (view only refused as such), and nothing of it reaches the input injector.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hostAskedToJoin } from '../fixtures/host-session.js';

test('Request control is asked in the indicator; the answer changes the mode through session:mode', async (t) => {
  const { h, op } = await hostAskedToJoin(t);
  h.host.answerConsent('view');
  await op.next('session:admitted');

  assert.deepEqual(h.host.handleInput({ t: 'sas' }), {
    code: 'view-only',
    message: 'Not sent: the user allows you to view only. Ask for control first.',
  });

  op.emit('session:request-control', { sessionId: h.sessionId });
  await h.untilWhere('asked for control', (s) => s.status === 'active' && s.controlRequested === true);
  h.host.keepViewOnly();
  assert.equal(h.host.state.status === 'active' && h.host.state.controlRequested, undefined);
  assert.equal(h.host.state.status === 'active' && h.host.state.mode, 'view');

  op.emit('session:request-control', { sessionId: h.sessionId });
  await h.untilWhere('asked for control', (s) => s.status === 'active' && s.controlRequested === true);
  h.host.setMode('control');
  assert.equal((await op.next('session:mode')).mode, 'control');
  assert.equal(h.host.state.status === 'active' && h.host.state.controlRequested, undefined);

  const logBefore = h.log.length;
  const refusal = h.host.handleInput({ t: 'sas' });
  assert.equal(refusal?.code, process.platform === 'win32' ? 'sas-unavailable' : 'sas-unsupported');
  assert.deepEqual(h.log.slice(logBefore), [], 'nothing of Ctrl+Alt+Del was injected');
});
