/**
 * A machine that enrols again keeps its device record instead of becoming a twin: found by its
 * machine identity (real agent processes, the built `out/dev/agent.mjs`, given one identity as two
 * installations on one machine would have) or by the device id the agent stored, within the
 * token's environment. The record keeps its id and name; the old credential dies at once, and
 * what it held open goes through the revocation path: the old agent's connection drops (it is
 * refused back in and says so), its assistances end (`agent-restarted`). A device id named by
 * another machine (a copied state folder) is not taken over.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { AGENT_NAMESPACE, ENROL_PATH, EnrolResponse } from '../../src/shared/agent-protocol.js';
import { connectClient, refusal, startTestRelay, type TestRelay } from '../../dev/rig/relay.js';
import { until } from '../../dev/rig/until.js';
import { enrolScriptedAgent } from '../fixtures/scripted-agent.js';
import { utmpFile } from '../platform/utmp-writer.js';
import { startAgent, type AgentProcess } from './agent-process.js';

let relay: TestRelay;
let dir: string;
const agents: AgentProcess[] = [];

before(async () => {
  relay = await startTestRelay();
  dir = await mkdtemp(path.join(os.tmpdir(), 'flxra-re-enrolment-'));
  await writeFile(path.join(dir, 'utmp'), utmpFile([]));
});

after(async () => {
  await Promise.all(agents.map((a) => a.killAll()));
  await relay?.close();
  await rm(dir, { recursive: true, force: true });
});

const newToken = (reportGroup = 'Kiosks') => relay.handle.enrolment.create({ environmentId: 'default', reportGroup });

function run(stateDir: string, machineIdentity: string, token: string): AgentProcess {
  const { DISPLAY: _, ...env } = process.env;
  const started = startAgent(
    [
      '--relay',
      relay.url,
      '--state-dir',
      path.join(dir, stateDir),
      '--utmp',
      path.join(dir, 'utmp'),
      '--enroll-file',
      '-',
    ],
    { ...env, FLXRA_DEV_MACHINE_IDENTITY: machineIdentity },
    undefined,
    `${token}\n`,
  );
  agents.push(started);
  return started;
}

async function enrolOverHttp(body: Record<string, unknown>): Promise<EnrolResponse> {
  const response = await fetch(`${relay.url}${ENROL_PATH}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ hostname: 'ws-09', os: 'Linux 6.1.0 (x64)', agentVersion: '26.11', ...body }),
  });
  assert.equal(response.status, 201, await response.clone().text());
  return EnrolResponse.parse(await response.json());
}

test('the same machine enrolling again (another installation, a fresh state folder) keeps its record', async () => {
  const machine = randomBytes(32).toString('hex');
  const first = run('first-install', machine, newToken().token);
  const [, deviceId] = (await first.waitFor(/ready as device (\w+)/, { timeoutMs: 20_000 })) as [string, string];
  assert.ok(relay.handle.devices.rename(deviceId, 'Front desk kiosk'));

  const again = run('second-install', machine, newToken('Lobby').token);
  await again.waitFor(new RegExp(`ready as device ${deviceId}`), { timeoutMs: 20_000 });
  const devices = relay.handle.agents.list();
  assert.deepEqual(
    devices.map((d) => [d.deviceId, d.name, d.reportGroup]),
    [[deviceId, 'Front desk kiosk', 'Lobby']],
    'one record: its id and name kept, the new token’s report group',
  );
  // The first installation's credential is dead: its connection dropped and it is refused back in.
  await first.waitFor(/the relay refused this device's credential/, { timeoutMs: 20_000 });
  assert.deepEqual(await first.exited, { code: 3, signal: null });
  const audited = relay.handle.audit.query({ deviceId }).map((e) => e.action);
  assert.deepEqual(audited.filter((a) => a.startsWith('device.')).reverse(), ['device.enrolled', 'device.re-enrolled']);

  // Another machine is another device.
  const other = run('other-machine', randomBytes(32).toString('hex'), newToken().token);
  const [, otherId] = (await other.waitFor(/ready as device (\w+)/, { timeoutMs: 20_000 })) as [string, string];
  assert.notEqual(otherId, deviceId);
  assert.equal(relay.handle.agents.list().length, 2);
});

test('by its stored device id: the old token refused, its assistance ended; another machine naming it gets its own', async () => {
  const agent = await enrolScriptedAgent(relay, { hostname: 'ws-09', reportGroup: 'Office' });
  const { sessionId } = await relay.requestAssistance({ deviceId: agent.deviceId, mode: 'unattended' });
  const host = await agent.nextHost();
  const oldToken = (agent.client.socket.auth as { agentToken: string }).agentToken;

  const again = await enrolOverHttp({ enrolmentToken: newToken('Office').token, deviceId: agent.deviceId });
  assert.deepEqual([again.deviceId, again.reused], [agent.deviceId, true]);
  await until('the old agent connection dropped', () => agent.client.socket.disconnected);
  assert.deepEqual(await host.next('session:ended'), { sessionId, reason: 'agent-restarted' });
  await until('its host dropped', () => host.socket.disconnected);
  const ended = relay.handle.audit.query({ sessionId, action: 'assistance.ended' }).map((e) => e.detail.reason);
  assert.deepEqual(ended, ['agent-restarted']);
  assert.equal(
    (
      await refusal(`${relay.url}${AGENT_NAMESPACE}`, {
        role: 'agent',
        agentToken: oldToken,
        instanceId: crypto.randomUUID(),
      })
    ).code,
    'unauthorized',
  );
  const back = await connectClient(`${relay.url}${AGENT_NAMESPACE}`, {
    role: 'agent',
    agentToken: again.agentToken,
    instanceId: crypto.randomUUID(),
  });
  await back.next('agent:ready' as never);
  back.close();

  // A machine identity on record that is not the caller's: a copied state folder, not this device.
  const machine = randomBytes(32).toString('hex');
  const original = await enrolOverHttp({ enrolmentToken: newToken().token, machineIdentity: machine });
  const copied = await enrolOverHttp({
    enrolmentToken: newToken().token,
    deviceId: original.deviceId,
    machineIdentity: randomBytes(32).toString('hex'),
  });
  assert.notEqual(copied.deviceId, original.deviceId);
  assert.equal(copied.reused, false);
});
