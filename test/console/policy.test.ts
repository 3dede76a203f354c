/**
 * The policy and version gating, enforced by the relay itself: requests that bypass the console
 * (the operators' HTTP API with a bearer token, assistance:open on the socket) are refused with
 * the reason the console shows for the same device and type.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import type { ConsoleDevice, PolicySettings } from '../../src/shared/console-api.js';
import { DEFAULT_POLICY, type PolicyOverride } from '../../src/shared/policy.js';
import type { RequestedMode } from '../../src/shared/protocol.js';
import { firstAdmin, type ConsoleClient } from '../fixtures/console.js';
import { activationToken, ApiRefusal, startTestRelay, type TestRelay } from '../../dev/rig/relay.js';
import { enrolScriptedAgent, type ScriptedAgent } from '../fixtures/scripted-agent.js';

const seat = { id: '2', user: 'alice', state: 'active', kind: 'console' } as const;

describe('policy enforced at the relay', () => {
  let relay: TestRelay;
  let admin: ConsoleClient;
  const agents: Record<string, ScriptedAgent> = {};
  before(async () => {
    relay = await startTestRelay();
    admin = await firstAdmin(relay);
    const devices: Array<[string, string, string]> = [
      ['office-1', 'Office', '26.11'],
      ['kiosk-old', 'Kiosks', '24.8.1'],
      ['kiosk-new', 'Kiosks', '24.9.2'],
      ['srv-1', 'Servers', '25.1'],
      ['lab-1', 'Lab', '26.11'],
      ['ancient', 'Office', '23.6'],
    ];
    for (const [hostname, reportGroup, agentVersion] of devices) {
      agents[hostname] = await enrolScriptedAgent(relay, { hostname, reportGroup, agentVersion, userSessions: [seat] });
    }
  });
  afterEach(() => relay.closeClients());
  after(() => relay.close());

  async function setPolicy(groups: Record<string, PolicyOverride>, product = DEFAULT_POLICY): Promise<void> {
    const answer = await admin.call('PUT', '/policy', { product, groups } satisfies PolicySettings);
    assert.equal(answer.status, 200, answer.text);
  }

  /** What the operators' API answers, bypassing the console: the assistance, or the refusal. */
  async function requestDirect(hostname: string, mode: RequestedMode, userSessionId?: string) {
    const agent = agents[hostname]!;
    try {
      const response = await relay.requestAssistance({
        deviceId: agent.deviceId,
        mode,
        ...(userSessionId ? { userSessionId } : {}),
      });
      // The relay answered once the agent's host was in: take it, so that the next request gets its own.
      await agent.nextHost();
      return { ok: true, response } as const;
    } catch (err) {
      assert.ok(err instanceof ApiRefusal, String(err));
      return {
        ok: false,
        status: err.status,
        code: err.code,
        message: err.message.replace(/^\d+ [\w-]+: /, ''),
      } as const;
    }
  }

  async function consoleReason(hostname: string, mode: RequestedMode): Promise<string | undefined> {
    const { devices } = (await admin.call('GET', '/devices')).body as { devices: ConsoleDevice[] };
    return devices.find((d) => d.hostname === hostname)!.availability[mode].reason;
  }

  it('starts from the specification’s defaults, as the rig saves them: everything on, audio off, 23.7 and 24.9.2', async () => {
    const answer = await admin.call('GET', '/policy');
    assert.deepEqual(answer.body, { product: DEFAULT_POLICY, groups: {} });
    assert.equal(DEFAULT_POLICY.audioRedirection, false);
    assert.deepEqual(DEFAULT_POLICY.minAgentVersion, { remoteAssistance: '23.7', dynamic: '24.9.2' });
  });

  it('refuses over the operators’ API with 403 and the console’s reason', async () => {
    await setPolicy({ Servers: { allowedTypes: ['dynamic'] }, Lab: { remoteAssistance: false } });
    const cases: Array<[string, RequestedMode, string]> = [
      ['lab-1', 'attended', 'Remote assistance is not enabled for report group Lab.'],
      ['kiosk-old', 'dynamic', 'Agent 24.8.1 is too old: dynamic assistance needs 24.9.2 or later.'],
      ['srv-1', 'attended', 'Report group Servers is set to dynamic assistance, so only dynamic is offered.'],
      ['srv-1', 'unattended', 'Report group Servers is set to dynamic assistance, so only dynamic is offered.'],
      ['ancient', 'attended', 'Agent 23.6 is too old: remote assistance needs 23.7 or later.'],
    ];
    for (const [hostname, mode, reason] of cases) {
      const answer = await requestDirect(hostname, mode);
      assert.deepEqual(
        answer,
        { ok: false, status: 403, code: 'forbidden-by-policy', message: reason },
        `${hostname} ${mode}`,
      );
      assert.equal(await consoleReason(hostname, mode), reason, `the console shows the same for ${hostname} ${mode}`);
    }
    // What the policy allows goes through.
    assert.equal((await requestDirect('kiosk-old', 'unattended')).ok, true);
    assert.equal((await requestDirect('kiosk-new', 'dynamic')).ok, true);
    assert.equal((await requestDirect('srv-1', 'dynamic')).ok, true);
    // Session level: with dynamic allowed, unattended starts at device level only.
    const sessionLevel = await requestDirect('office-1', 'unattended', seat.id);
    assert.ok(!sessionLevel.ok);
    assert.equal(sessionLevel.status, 403);
    assert.match(sessionLevel.message, /unattended assistance is started at device level, not on a session/);

    const refused = relay.handle.audit.query({ action: 'assistance.refused' });
    assert.ok(refused.length >= cases.length + 1);
    assert.deepEqual(
      { ...refused.find((e) => e.deviceId === agents['lab-1']!.deviceId)!, id: 0, at: '' },
      {
        id: 0,
        at: '',
        actor: { kind: 'operator', id: relay.operatorIdentity.id, name: relay.operatorIdentity.name },
        action: 'assistance.refused',
        deviceId: agents['lab-1']!.deviceId,
        sessionId: null,
        result: 'denied',
        detail: {
          mode: 'attended',
          via: 'api',
          code: 'forbidden-by-policy',
          reason: 'Remote assistance is not enabled for report group Lab.',
        },
      },
    );
  });

  it('compares versions as versions, not as strings', async () => {
    // "24.9.2" sorts after "24.10" as text; as a version it is older.
    await setPolicy({}, { ...DEFAULT_POLICY, minAgentVersion: { remoteAssistance: '23.7', dynamic: '24.10' } });
    const old = await requestDirect('kiosk-new', 'dynamic');
    assert.deepEqual(old, {
      ok: false,
      status: 403,
      code: 'forbidden-by-policy',
      message: 'Agent 24.9.2 is too old: dynamic assistance needs 24.10 or later.',
    });
    assert.equal((await requestDirect('srv-1', 'dynamic')).ok, true, '25.1 is newer than 24.10');
  });

  it('a file issued before remote assistance was switched off for its group no longer opens, even once it is back on', async () => {
    await setPolicy({});
    const assistance = await requestDirect('office-1', 'unattended');
    assert.ok(assistance.ok);
    await setPolicy({ Office: { remoteAssistance: false } });
    const op = await relay.connectOperator();
    const open = () =>
      op.emit('assistance:open', {
        activation: activationToken(assistance.response),
        password: assistance.response.password,
      });
    open();
    assert.deepEqual(await op.next('relay:error'), {
      code: 'session-expired',
      event: 'assistance:open',
      message: 'this assistance is over; request a new one',
      // How it really ended, for the operator's app to say (not that its time ran out).
      endReason: 'policy-changed',
    });
    const [row] = relay.handle.audit.query({ sessionId: assistance.response.sessionId, action: 'assistance.ended' });
    assert.deepEqual(row?.detail, {
      reason: 'policy-changed',
      policy: 'Remote assistance is not enabled for report group Office.',
    });

    await setPolicy({});
    open();
    assert.equal((await op.next('relay:error')).code, 'session-expired');
  });

  it('switching remote assistance off for a group ends its running assistances, both sides told why; other groups run on', async () => {
    await setPolicy({});
    /** An unattended assistance with the operator admitted and its host in. */
    async function running(hostname: string) {
      const agent = agents[hostname]!;
      const response = await relay.requestAssistance({ deviceId: agent.deviceId, mode: 'unattended' });
      const host = await agent.nextHost();
      const op = await relay.connectOperator();
      op.emit('assistance:open', { activation: activationToken(response), password: response.password });
      const { resumeToken } = await op.next('session:admitted');
      return { host, op, sessionId: response.sessionId, resumeToken };
    }
    const office = await running('office-1');
    const server = await running('srv-1');

    // Narrowing the allowed types leaves a running assistance be: it was allowed when opened.
    await setPolicy({ Office: { allowedTypes: ['attended'] } });
    await office.op.flush();
    assert.deepEqual(office.op.received('session:ended'), []);

    await setPolicy({ Office: { remoteAssistance: false } });
    const ended = { sessionId: office.sessionId, reason: 'policy-changed' };
    assert.deepEqual(await office.op.next('session:ended'), ended);
    assert.deepEqual(await office.host.next('session:ended'), ended);

    // Over for good: its resume token is refused, even once the policy allows assistance again.
    await setPolicy({});
    const back = await relay.connectOperator();
    back.emit('session:resume', { sessionId: office.sessionId, resumeToken: office.resumeToken! });
    assert.equal((await back.next('relay:error')).code, 'session-expired');

    // The other group's assistance went on: signalling still flows between its two sides.
    await server.op.flush();
    assert.deepEqual(server.op.received('session:ended'), []);
    server.op.emit('session:signal', { sessionId: server.sessionId, signal: { type: 'offer', sdp: 'v=0' } });
    assert.equal((await server.host.next('session:signal')).sessionId, server.sessionId);

    const [row] = relay.handle.audit.query({ sessionId: office.sessionId, action: 'assistance.ended' });
    assert.deepEqual(
      { actor: row!.actor, result: row!.result, deviceId: row!.deviceId, detail: row!.detail },
      {
        actor: { kind: 'admin', id: 'root-admin', name: row!.actor.name },
        result: 'ok',
        deviceId: agents['office-1']!.deviceId,
        detail: { reason: 'policy-changed', policy: 'Remote assistance is not enabled for report group Office.' },
      },
    );
    const [closed] = relay.handle.audit.query({ sessionId: office.sessionId, action: 'connection.ended' });
    assert.equal(closed?.detail.reason, 'policy-changed');
  });

  it('applies the product level to hosts without an agent, without version gating', async () => {
    await setPolicy({}, { ...DEFAULT_POLICY, allowedTypes: ['attended'] });
    const host = await relay.connectDevice('legacy host');
    const refused = await relay
      .requestAssistance({ deviceId: host.deviceId, mode: 'unattended' })
      .catch((e: unknown) => e);
    assert.ok(refused instanceof ApiRefusal && refused.status === 403, String(refused));
    assert.match(refused.message, /Unattended assistance is not enabled/);
    assert.equal((await relay.requestAssistance({ deviceId: host.deviceId, mode: 'attended' })).mode, 'attended');
    await setPolicy({});
  });

  it('tells the host whether the operator may hear the device: by its group’s audio setting, off by default', async () => {
    await setPolicy({ Lab: { audioRedirection: true } });
    for (const [hostname, audio] of [
      ['lab-1', true],
      ['office-1', false],
    ] as const) {
      const agent = agents[hostname]!;
      await relay.requestAssistance({ deviceId: agent.deviceId, mode: 'attended' });
      const host = await agent.nextHost();
      assert.equal((await host.next('assistance:prepared')).audio, audio, hostname);
    }
    await setPolicy({});
  });

  it('keeps the capability cells and audio setting per group, and validates what it stores', async () => {
    const capabilities = { 'tool.cmd': { operator: true } };
    await setPolicy({ Lab: { audioRedirection: true, capabilities } });
    const stored = (await admin.call('GET', '/policy')).body as PolicySettings;
    assert.deepEqual(stored.groups.Lab, { audioRedirection: true, capabilities });
    assert.equal(stored.product.audioRedirection, false);
    const invalid = await admin.call('PUT', '/policy', {
      product: { ...DEFAULT_POLICY, minAgentVersion: { remoteAssistance: '23.13', dynamic: '24.9.2' } },
      groups: {},
    });
    assert.equal(invalid.status, 400);
    assert.match(invalid.text, /a version is YY.M or YY.M.patch/);
    const changes = relay.handle.audit.query({ action: 'policy.changed' });
    assert.equal(changes[0]!.actor.id, 'root-admin');
    assert.deepEqual(JSON.parse(String(changes[0]!.detail.settings)), stored);
    await setPolicy({});
  });
});
