/**
 * The viewer toolbar's features as capabilities of the one policy, through a real relay and its real console API:
 * asking for control (control.request, decided at the relay), special keys (keys.special) and other displays
 * (displays.switch), which cross the data channel and are decided by the host from the session:features the relay
 * sends. Nothing is told before consent; each is refused (and audited as refused) where the policy forbids it; the
 * host's reports of what it carried out are audited.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { startTestRelay, type TestRelay } from '../../dev/rig/relay.js';
import type { Capability } from '../../src/shared/capabilities.js';
import type { PolicySettings } from '../../src/shared/policy.js';
import { firstAdmin, type ConsoleClient } from '../fixtures/console.js';

describe('viewer toolbar capabilities at the relay', () => {
  let relay: TestRelay;
  let admin: ConsoleClient;
  let initial: PolicySettings;
  before(async () => {
    relay = await startTestRelay();
    admin = await firstAdmin(relay);
    initial = (await admin.call('GET', '/policy')).body as PolicySettings;
  });
  afterEach(async () => {
    relay.closeClients();
    assert.equal((await admin.call('PUT', '/policy', initial)).status, 200);
  });
  after(() => relay?.close());

  const trail = (sessionId: string, action: string) =>
    relay.handle.audit
      .query({ sessionId })
      .filter((e) => e.action === action)
      .sort((a, b) => a.id - b.id)
      .map((e) => ({ result: e.result, ...e.detail }));

  /** The operator role loses these capabilities at product level. */
  async function forbid(...capabilities: Capability[]) {
    const off = Object.fromEntries(capabilities.map((c) => [c, { operator: false }]));
    const product = { ...initial.product, capabilities: { ...initial.product.capabilities, ...off } };
    assert.equal((await admin.call('PUT', '/policy', { ...initial, product })).status, 200);
  }

  it('tells both parties the toolbar features only once the user let the operator in, all on by default', async () => {
    const { host, op, sessionId } = await relay.openSession(null);
    await host.flush();
    assert.deepEqual(host.received('session:features'), [], 'nothing before consent');
    assert.deepEqual(op.received('session:features'), []);
    // Asking for control before consent is refused, and recorded as nothing.
    op.emit('session:request-control', { sessionId });
    assert.equal((await op.next('relay:error')).code, 'not-in-session');

    host.emit('session:consent', { sessionId, decision: 'view' });
    const told = await op.next('session:features');
    assert.deepEqual(await host.next('session:features'), told);
    assert.deepEqual(
      [told.controlRequest, told.specialKeys, told.otherDisplays],
      [{ allowed: true }, { allowed: true }, { allowed: true }],
    );
    assert.deepEqual(trail(sessionId, 'control.requested'), []);
  });

  it('refuses Request control where the policy forbids it, audited as refused, the host never asked', async () => {
    await forbid('control.request');
    const { host, op, sessionId } = await relay.openSession('view');
    const told = await op.next('session:features');
    assert.equal(told.controlRequest.allowed, false);
    assert.match(told.controlRequest.allowed ? '' : told.controlRequest.reason, /Asking for control is not allowed/);
    op.emit('session:request-control', { sessionId });
    const err = await op.next('relay:error');
    assert.equal(err.code, 'forbidden');
    assert.match(err.message, /Asking for control is not allowed for the operator role/);
    await host.flush();
    assert.deepEqual(host.received('session:control-requested'), []);
    assert.deepEqual(trail(sessionId, 'control.requested'), [{ result: 'refused', code: 'not-permitted' }]);

    // Allowed again: both parties are told at once, and the request goes through.
    assert.equal((await admin.call('PUT', '/policy', initial)).status, 200);
    assert.equal((await op.next('session:features')).controlRequest.allowed, true);
    op.emit('session:request-control', { sessionId });
    assert.deepEqual(await host.next('session:control-requested'), { sessionId });
    assert.deepEqual(trail(sessionId, 'control.requested').at(-1), { result: 'ok' });
  });

  it('tells the host when special keys and other displays are forbidden, and audits what it reports', async () => {
    const { host, op, sessionId } = await relay.openSession('control');
    await host.next('session:features');
    host.emit('session:feature-used', { sessionId, feature: 'special-key', what: 'windows-key', done: true });
    host.emit('session:feature-used', { sessionId, feature: 'display', what: 'all', done: true });

    await forbid('keys.special', 'displays.switch');
    const told = await host.next('session:features');
    assert.equal(told.specialKeys.allowed, false);
    assert.match(told.specialKeys.allowed ? '' : told.specialKeys.reason, /Special keys is not allowed/);
    assert.match(told.otherDisplays.allowed ? '' : told.otherDisplays.reason, /Other displays is not allowed/);
    // The host refused them (as it must now), and one it carried out anyway is recorded as refused by the policy.
    host.emit('session:feature-used', {
      sessionId,
      feature: 'special-key',
      what: 'ctrl-alt-del',
      done: false,
      code: 'not-permitted',
    });
    host.emit('session:feature-used', { sessionId, feature: 'display', what: '2', done: true });
    // Only the host of the session reports: an operator's report is refused, recorded as nothing.
    op.emit('session:feature-used', { sessionId, feature: 'display', what: 'all', done: true });
    assert.equal((await op.next('relay:error')).code, 'not-in-session');
    await host.flush();
    assert.deepEqual(trail(sessionId, 'special-key.sent'), [
      { result: 'ok', key: 'windows-key' },
      { result: 'refused', key: 'ctrl-alt-del', code: 'not-permitted' },
    ]);
    assert.deepEqual(trail(sessionId, 'display.shown'), [
      { result: 'ok', display: 'all' },
      { result: 'refused', display: '2', code: 'not-permitted' },
    ]);
  });
});
