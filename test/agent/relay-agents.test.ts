/**
 * The relay's agent side with scripted agents (socket.io clients on /agent) and hosts: the
 * enrolment API and CLI, the namespace's handshake and checks, one-time host tokens, and an
 * agent that cannot start its host. An agent leaving during an assistance: agent-away.test.ts.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { AGENT_NAMESPACE } from '../../src/shared/agent-protocol.js';
import { activationToken, ApiRefusal, refusal } from '../../dev/rig/relay.js';
import { connectAgent, connectStartedHost, enrol, enrolled, onlineAgent, relayFor, REPORT } from './fake-agents.js';

const run = promisify(execFile);

test('enrolment: a valid token enrols a device into its group; bad, revoked and expired tokens and bad bodies are refused', async (t) => {
  const relay = await relayFor(t);
  const { deviceId, agentToken } = await enrolled(relay, 'Front desk');
  assert.match(agentToken, /^flxra_dev_/, 'the agent token is a device token of the registry, stored as a scrypt hash');
  assert.equal(relay.handle.devices.has(deviceId), true);
  assert.deepEqual(
    (({ hostname, reportGroup, environmentId, online, lastSeen, userSessions }) => ({
      hostname,
      reportGroup,
      environmentId,
      online,
      lastSeen,
      userSessions,
    }))(relay.handle.agents.get(deviceId)!),
    {
      hostname: 'kiosk-7',
      reportGroup: 'Front desk',
      environmentId: 'default',
      online: false,
      lastSeen: null,
      userSessions: [],
    },
  );
  const [row] = relay.handle.audit.query().filter((e) => e.action === 'device.enrolled');
  assert.deepEqual(
    row && { actor: row.actor, deviceId: row.deviceId, result: row.result, detail: row.detail },
    {
      actor: { kind: 'device', id: deviceId, name: 'kiosk-7' },
      deviceId,
      result: 'ok',
      detail: { reportGroup: 'Front desk', agentVersion: REPORT.agentVersion },
    },
    'the enrolment is in the audit trail',
  );

  const request = { hostname: 'h', os: 'Linux', agentVersion: '26.11.0' };
  const refused = {
    status: 403,
    body: { error: { code: 'enrolment-refused', message: 'invalid, expired or revoked enrolment token' } },
  };
  assert.deepEqual(await enrol(relay, { ...request, enrolmentToken: 'flxra_enrol_guess' }), refused);
  const revoked = relay.handle.enrolment.create({ environmentId: 'default', reportGroup: 'Kiosks' });
  assert.equal(relay.handle.enrolment.revoke(revoked.id), true);
  assert.deepEqual(await enrol(relay, { ...request, enrolmentToken: revoked.token }), refused);
  const expiring = relay.handle.enrolment.create({
    environmentId: 'default',
    reportGroup: 'Kiosks',
    lifetimeMs: 60_000,
  });
  relay.clock.advance(60_000);
  assert.deepEqual(await enrol(relay, { ...request, enrolmentToken: expiring.token }), refused);
  const bad = await enrol(relay, { ...request, agentVersion: '26.13', enrolmentToken: revoked.token });
  assert.equal(bad.status, 400);
  assert.match(JSON.stringify(bad.body), /agentVersion: a version is YY.M or YY.M.patch/);
});

test('the relay CLI makes enrolment tokens that a relay on the same data accepts', async (t) => {
  const data = await mkdtemp(path.join(os.tmpdir(), 'flxra-enrol-cli-'));
  t.after(() => rm(data, { recursive: true, force: true }));
  const { stdout } = await run(process.execPath, [
    '--import',
    'tsx',
    'src/relay/cli.ts',
    'enrolment',
    'create',
    '--group',
    'Kiosks',
    '--data',
    data,
  ]);
  const token = /token: +(\S+)/.exec(stdout)?.[1];
  assert.ok(token, stdout);
  const relay = await relayFor(t, { dataDir: data });
  const answer = await enrol(relay, { enrolmentToken: token, hostname: 'h', os: 'Linux', agentVersion: '26.11.0' });
  assert.equal(answer.status, 201);
  assert.equal(answer.body.reportGroup, 'Kiosks');
});

test('the agent namespace: only agent tokens get in; every event is checked; reports feed the registry', async (t) => {
  const relay = await relayFor(t);
  const hostOnly = await relay.addDevice('host-only');
  for (const agentToken of ['flxra_dev_000000000000_guess', hostOnly.token]) {
    assert.deepEqual(
      await refusal(`${relay.url}${AGENT_NAMESPACE}`, { role: 'agent', agentToken, instanceId: randomUUID() }),
      { code: 'unauthorized', message: 'invalid or revoked agent token' },
    );
  }
  const { agentToken } = await enrolled(relay);
  assert.deepEqual(
    await refusal(`${relay.url}${AGENT_NAMESPACE}`, { role: 'agent', agentToken }),
    { code: 'unauthorized', message: 'invalid or revoked agent token' },
    'an agent must say which run of it connects',
  );
  const agent = await connectAgent(t, relay, agentToken, { report: false });

  const errors: Array<[string, unknown, string]> = [
    ['agent:bogus', {}, 'unknown-event'],
    [
      'agent:report',
      { ...REPORT, userSessions: [{ id: ':0', user: 'alice', state: 'asleep', kind: 'console' }] },
      'bad-payload',
    ],
    ['agent:host-started', { sessionId: '123456789' }, 'not-in-session'],
    ['agent:host-failed', { sessionId: '123456789', message: 'no' }, 'not-in-session'],
  ];
  for (const [event, payload, code] of errors) {
    agent.emit(event, payload);
    const error = await agent.next('relay:error');
    assert.equal(error.code, code, event);
  }
  assert.deepEqual(relay.handle.agents.get(agent.deviceId)?.userSessions, [], 'the refused report changed nothing');
  agent.emit('agent:report', REPORT);
  await agent.client.flush();
  assert.deepEqual(relay.handle.agents.get(agent.deviceId)?.userSessions, REPORT.userSessions);
  assert.equal(relay.handle.agents.get(agent.deviceId)?.online, true);
});

test('a host token works once, for its assistance: the host is in it before the operator gets the file', async (t) => {
  const relay = await relayFor(t);
  const agent = await onlineAgent(t, relay);
  const answered = relay.requestAssistance({ deviceId: agent.deviceId, mode: 'unattended' });
  const start = await agent.next('agent:start-host');
  assert.equal(start.mode, 'unattended');
  assert.deepEqual(start.operator, relay.operatorIdentity);
  agent.emit('agent:host-started', { sessionId: start.sessionId });

  assert.deepEqual(await refusal(relay.url, { role: 'host', deviceName: 'x', hostToken: 'x'.repeat(43) }), {
    code: 'unauthorized',
    message: 'invalid or used host token',
  });
  const host = await connectStartedHost(relay, start.hostToken);
  t.after(() => host.close());
  const prepared = await host.next('assistance:prepared');
  const { hostResumeToken, ...told } = prepared;
  assert.deepEqual(told, {
    sessionId: start.sessionId,
    mode: 'unattended',
    operator: relay.operatorIdentity,
    audio: false,
  });
  assert.match(hostResumeToken, /^[\w-]{43}$/, 'a token to come back with after a dropped connection');
  const response = await answered;
  assert.equal(response.sessionId, start.sessionId);
  assert.deepEqual(await refusal(relay.url, { role: 'host', deviceName: 'x', hostToken: start.hostToken }), {
    code: 'unauthorized',
    message: 'invalid or used host token',
  });

  const op = await relay.connectOperator();
  op.emit('assistance:open', { activation: activationToken(response), password: response.password });
  await op.next('session:admitted');
  await host.next('session:unattended-start');
});

test('an agent that cannot start the host, or not in time: the operator is told why and the assistance is over', async (t) => {
  const relay = await relayFor(t, { relay: { hostStartTimeoutMs: 300 } });
  const agent = await onlineAgent(t, relay);
  const failing = relay.requestAssistance({ deviceId: agent.deviceId, mode: 'attended' });
  const start = await agent.next('agent:start-host');
  agent.emit('agent:host-failed', {
    sessionId: start.sessionId,
    message: 'user session :0 is not on this device any more',
  });
  await assert.rejects(failing, (err: ApiRefusal) => {
    assert.equal(err.status, 502);
    assert.equal(err.code, 'host-failed');
    assert.match(
      err.message,
      /the device could not start the assistance: user session :0 is not on this device any more/,
    );
    return true;
  });
  assert.deepEqual(await agent.next('agent:stop-host'), { sessionId: start.sessionId });
  assert.deepEqual(await refusal(relay.url, { role: 'host', deviceName: 'x', hostToken: start.hostToken }), {
    code: 'unauthorized',
    message: 'invalid or used host token',
  });

  const slow = relay.requestAssistance({ deviceId: agent.deviceId, mode: 'attended' });
  const ignored = await agent.next('agent:start-host');
  await assert.rejects(slow, /its agent did not get the host connected within 0.3 s/);
  assert.deepEqual(await agent.next('agent:stop-host'), { sessionId: ignored.sessionId });
});
