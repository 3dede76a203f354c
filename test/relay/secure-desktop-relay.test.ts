/**
 * Secure-desktop input (for a UAC prompt, the Ctrl+Alt+Del screen, the logon screen) through a
 * real relay to an enrolled agent's own connection: forwarded from the admitted operator with
 * control of a running assistance, and refused from a host socket (the user's process must never
 * be on this path), from an operator let in to watch only (told on secure-desktop:refused, as
 * the device's own refusals), from another operator, and before anyone is admitted. The agent
 * receives exactly what was forwarded; on this Linux device its own module
 * (src/agent/agent-secure-desktop.ts) answers Ctrl+Alt+Del with a refusal the operator reads.
 * Each Ctrl+Alt+Del an operator asks for is in the audit trail (forwarded or refused, and the
 * device's refusal). The agent's word that its helper is attached reaches the admitted operator
 * (on admission, and on each change), never the host.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { activationToken, startTestRelay, type TestRelay } from '../../dev/rig/relay.js';
import type { AccessMode } from '../../src/shared/protocol.js';
import type { AuditEntry } from '../../src/shared/audit.js';
import type { SecureDesktopInput } from '../../src/shared/secure-desktop-input.js';
import type { PolicySettings } from '../../src/shared/policy.js';
import { admittedAtAgent, enrolScriptedAgent, type ScriptedAgent } from '../fixtures/scripted-agent.js';
import { firstAdmin } from '../fixtures/console.js';

const EVENT = 'secure-desktop:input';

describe('secure-desktop input through the relay', () => {
  let relay: TestRelay;
  let agent: ScriptedAgent;

  before(async () => {
    relay = await startTestRelay();
    agent = await enrolScriptedAgent(relay, { hostname: 'ws-uac', reportGroup: 'Office', secureDesktop: true });
  });
  after(async () => {
    agent.disconnect();
    await relay.close();
  });

  const admitted = (access: AccessMode) => admittedAtAgent(relay, agent, access);

  /** What the agent's connection received, once everything sent before has gone through the relay. */
  async function atAgent(): Promise<unknown[]> {
    await agent.client.flush();
    return agent.client.received(EVENT as never);
  }

  /** The Ctrl+Alt+Del rows of the audit trail for one assistance: result, by whom, why. */
  const sasAudit = (sessionId: string) =>
    relay.handle.audit
      .query({ sessionId })
      .filter((e: AuditEntry) => e.action === 'secure-desktop.sas')
      .sort((a: AuditEntry, b: AuditEntry) => a.id - b.id)
      .map((e: AuditEntry) => ({ actor: e.actor.kind, result: e.result, code: e.detail.code, by: e.detail.by }));

  const click: SecureDesktopInput = { kind: 'pointer', x: 640, y: 400, action: 'down', button: 'left' };

  it("forwards the admitted operator's input (pointer, key, Ctrl+Alt+Del) to the agent only", async () => {
    const { host, op, sessionId } = await admitted('control');
    const inputs: SecureDesktopInput[] = [click, { kind: 'key', vk: 0x0d, scan: 0x1c, down: true }, { kind: 'sas' }];
    const before = (await atAgent()).length;
    for (const input of inputs) op.emit(EVENT, { sessionId, input });
    await op.flush();
    assert.deepEqual(op.received('relay:error'), []);
    assert.deepEqual(
      (await atAgent()).slice(before),
      inputs.map((input) => ({ sessionId, input })),
    );
    await host.flush();
    assert.equal(host.received(EVENT as never).length, 0, 'the host is never sent secure-desktop input');
    const asked = sasAudit(sessionId).filter((row) => row.actor === 'operator');
    assert.deepEqual(asked, [{ actor: 'operator', result: 'forwarded', code: undefined, by: undefined }]);
  });

  it("Ctrl+Alt+Del on a device that is not Windows: the agent's refusal reaches the operator, worded for people, and is audited", async () => {
    const { op, sessionId } = await admitted('control');
    op.emit(EVENT, { sessionId, input: { kind: 'sas' } });
    const refused = await op.next('secure-desktop:refused');
    assert.deepEqual(refused, {
      sessionId,
      code: 'sas-unsupported',
      message:
        'Ctrl+Alt+Del was not sent: this device does not run Windows, and only Windows has a Secure Attention Sequence.',
    });
    assert.deepEqual(sasAudit(sessionId), [
      { actor: 'operator', result: 'forwarded', code: undefined, by: undefined },
      { actor: 'device', result: 'refused', code: 'sas-unsupported', by: 'device' },
    ]);
  });

  it("tells the admitted operator, not the host, whether the agent's helper is attached: on admission and on each change", async () => {
    const assistance = await relay.requestAssistance({ deviceId: agent.deviceId, mode: 'attended' });
    const host = await agent.nextHost();
    const { sessionId } = assistance;
    // Attached before anyone is admitted (the agent starts it with the host): kept, told on admission.
    agent.client.emitRaw('secure-desktop:helper', { sessionId, attached: true });
    await agent.client.flush();
    const op = await relay.connectOperator();
    op.emit('assistance:open', { activation: activationToken(assistance) });
    await host.next('session:join-request');
    host.emit('session:consent', { sessionId, decision: 'control' });
    await op.next('session:admitted');
    assert.deepEqual(await op.next('secure-desktop:helper'), { sessionId, attached: true });
    agent.client.emitRaw('secure-desktop:helper', { sessionId, attached: false });
    assert.deepEqual(await op.next('secure-desktop:helper', { where: (e) => !e.attached }), {
      sessionId,
      attached: false,
    });
    await host.flush();
    assert.equal(host.received('secure-desktop:helper' as never).length, 0, 'the host is not told');

    // Another device's agent cannot say so for this assistance.
    const other = await enrolScriptedAgent(relay, { hostname: 'ws-other', reportGroup: 'Office' });
    other.client.emitRaw('secure-desktop:helper', { sessionId, attached: true });
    const refused = await other.client.next('relay:error' as never, {
      where: (e: { event?: string }) => e.event === 'secure-desktop:helper',
    });
    assert.equal((refused as { code: string }).code, 'not-in-session');
    other.disconnect();
  });

  it('refuses it from a host socket, and the agent gets nothing', async () => {
    const { host, sessionId } = await admitted('control');
    const before = (await atAgent()).length;
    host.emit(EVENT, { sessionId, input: { kind: 'sas' } });
    const refused = await host.next('relay:error', { where: (e) => e.event === EVENT });
    assert.equal(refused.code, 'forbidden');
    assert.match(refused.message, /only from the assistance's operator/);
    assert.equal((await atAgent()).length, before);
  });

  it('refuses it (a click, Ctrl+Alt+Del) from an operator let in to watch only, and audits the refused Ctrl+Alt+Del', async () => {
    const { op, sessionId } = await admitted('view');
    const before = (await atAgent()).length;
    for (const input of [click, { kind: 'sas' } as const]) {
      op.emit(EVENT, { sessionId, input });
      // To the viewer's refusal slot (beside Ctrl+Alt+Del), not only to its log.
      const refused = await op.next('secure-desktop:refused', { where: (e) => e.sessionId === sessionId });
      assert.equal(refused.code, 'forbidden');
      assert.match(refused.message, /watch only/);
    }
    assert.equal((await atAgent()).length, before);
    assert.deepEqual(sasAudit(sessionId), [{ actor: 'operator', result: 'refused', code: 'forbidden', by: 'relay' }]);
  });

  it('refuses it from another operator and from one not admitted yet', async () => {
    const { sessionId } = await admitted('control');
    const other = await relay.addOperator('Mallory');
    const stranger = await relay.connectOperator(other.token);
    const before = (await atAgent()).length;
    stranger.emit(EVENT, { sessionId, input: { kind: 'sas' } });
    const refused = await stranger.next('relay:error', { where: (e) => e.event === EVENT });
    assert.equal(refused.code, 'not-in-session');

    const pending = await relay.requestAssistance({ deviceId: agent.deviceId, mode: 'attended' });
    const host = await agent.nextHost();
    const op = await relay.connectOperator();
    op.emit('assistance:open', { activation: activationToken(pending) });
    await host.next('session:join-request');
    op.emit(EVENT, { sessionId: pending.sessionId, input: { kind: 'sas' } });
    const early = await op.next('secure-desktop:refused', { where: (e) => e.sessionId === pending.sessionId });
    assert.equal(early.code, 'not-in-session');
    assert.equal((await atAgent()).length, before);
  });

  it("refuses Ctrl+Alt+Del where the policy's keys.special forbids it, audited; a click still goes", async () => {
    const admin = await firstAdmin(relay);
    const initial = (await admin.call('GET', '/policy')).body as PolicySettings;
    const capabilities = { ...initial.product.capabilities, 'keys.special': { operator: false } };
    assert.equal(
      (await admin.call('PUT', '/policy', { ...initial, product: { ...initial.product, capabilities } })).status,
      200,
    );
    try {
      const { op, sessionId } = await admitted('control');
      const before = (await atAgent()).length;
      op.emit(EVENT, { sessionId, input: { kind: 'sas' } });
      const refused = await op.next('secure-desktop:refused', { where: (e) => e.sessionId === sessionId });
      assert.equal(refused.code, 'not-permitted');
      assert.deepEqual(sasAudit(sessionId), [
        { actor: 'operator', result: 'refused', code: 'not-permitted', by: 'relay' },
      ]);
      op.emit(EVENT, { sessionId, input: click });
      await op.flush();
      const got = await atAgent();
      assert.equal(got.length, before + 1, 'only the click reached the agent');
      assert.deepEqual(got.at(-1), { sessionId, input: click });
    } finally {
      assert.equal((await admin.call('PUT', '/policy', initial)).status, 200);
    }
  });

  it('refuses input the helper could not carry, before any check', async () => {
    const { op, sessionId } = await admitted('control');
    op.emitRaw(EVENT, { sessionId, input: { kind: 'pointer', x: 2 ** 40, y: 0, action: 'move' } });
    const refused = await op.next('relay:error', { where: (e) => e.event === EVENT });
    assert.equal(refused.code, 'bad-payload');
  });
});
