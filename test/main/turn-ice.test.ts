/**
 * The TURN servers the relay gives a session's peers reach each app's active state, which its
 * page's peer is made from: the host's after the user allowed (and, unattended, although they
 * arrive before the session's start), the operator's after its admission; each side its own
 * credentials. Against a real relay with TURN configured (no TURN server is needed to issue them).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test, type TestContext } from 'node:test';
import { OperatorSession } from '../../src/main/operator/operator-session.js';
import type { OperatorState } from '../../src/shared/ipc.js';
import { activationToken, startTestRelay, type TestRelay } from '../../dev/rig/relay.js';
import { until } from '../../dev/rig/until.js';
import { startHost } from '../fixtures/host-session.js';

const URLS = ['turn:turn.example.org:3478?transport=udp', 'turns:turn.example.org:443?transport=tcp'];

async function relayWithTurn(t: TestContext): Promise<TestRelay> {
  const relay = await startTestRelay({
    relay: { turn: { urls: URLS, secret: randomBytes(32).toString('base64url'), relayOnly: true } },
  });
  t.after(() => relay.close());
  return relay;
}

function operatorApp(t: TestContext, relay: TestRelay) {
  const session = new OperatorSession({ relayUrl: relay.url, token: relay.operatorToken, emit: () => undefined });
  t.after(() => session.stop());
  const active = (what: (s: Extract<OperatorState, { status: 'active' }>) => boolean) =>
    until('the operator active with its TURN servers', () => {
      const s = session.state;
      return s.status === 'active' && what(s) && s;
    });
  return { session, started: session.start(), active };
}

test('attended: after Allow both apps hold their own TURN credentials for the peer', async (t) => {
  const relay = await relayWithTurn(t);
  const h = await startHost(relay);
  t.after(() => h.host.stop());
  const op = operatorApp(t, relay);
  await op.started;
  op.session.join(h.sessionId);
  await h.until('consent');
  h.host.answerConsent('control');
  const hostActive = await h.untilWhere('active with TURN', (s) => s.status === 'active' && s.ice !== undefined);
  const opActive = await op.active((s) => s.ice !== undefined);
  const hostIce = hostActive.status === 'active' ? hostActive.ice : undefined;
  for (const ice of [hostIce, opActive.ice]) {
    assert.deepEqual(ice?.iceServers[0]?.urls, URLS);
    assert.equal(ice?.iceTransportPolicy, 'relay');
  }
  assert.notEqual(hostIce?.iceServers[0]?.username, opActive.ice?.iceServers[0]?.username);
  // A later change of the state keeps them (the page's next peer is made from it).
  h.host.setMode('view');
  await h.untilWhere('view only', (s) => s.status === 'active' && s.mode === 'view');
  assert.deepEqual(h.host.state.status === 'active' && h.host.state.ice, hostIce);
});

test('unattended: the credentials that come before the session starts are in its active state', async (t) => {
  const relay = await relayWithTurn(t);
  const device = await relay.addDevice('desk-42');
  const h = await startHost(relay, { deviceToken: device.token });
  t.after(() => h.host.stop());
  const assistance = await relay.requestAssistance({ deviceId: device.id, mode: 'unattended' });
  await h.until('requested');
  const op = await relay.connectOperator();
  op.emit('assistance:open', { activation: activationToken(assistance), password: assistance.password });
  const active = await h.until('active');
  assert.equal(active.status === 'active' && active.ice?.iceServers[0]?.urls[0], URLS[0]);
  // Every active state the window was shown carried them: the page never made a peer without.
  assert.ok(h.states.filter((s) => s.status === 'active').every((s) => s.status === 'active' && s.ice));
});
