/**
 * Revocation that bites at once. An operator or a device removed with the relay command, run as
 * people run it beside a running relay on its data folder, loses its open connections and its
 * running assistance ends on both sides with the reason, audited; a removal the relay's own
 * registry makes is noticed on the next event of the removed identity's socket, which is not
 * acted on. Real relay, real relay command (a child process), real socket.io clients.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, it } from 'node:test';
import {
  activationToken,
  startTestRelay,
  type DeviceHostClient,
  type OperatorClient,
  type TestRelay,
} from '../../dev/rig/relay.js';
import { until } from '../../dev/rig/until.js';
import { onlineAgent, runningAssistance } from '../agent/fake-agents.js';
import { firstAdmin } from '../fixtures/console.js';
import type { SessionId } from '../../src/shared/protocol.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));

/** `relay <args> --data <dir>` in a child process: its output, once it has exited 0. */
function relayCommand(dataDir: string, ...args: string[]): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/relay/cli.ts', ...args, '--data', dataDir], {
    cwd: repo,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) =>
    child.on('exit', (code) => (code === 0 ? resolve(output) : reject(new Error(`exit ${code}: ${output}`)))),
  );
}

describe('revocation', () => {
  let relay: TestRelay;
  beforeEach(async () => {
    relay = await startTestRelay();
  });
  afterEach(() => relay.close());

  /** An unattended assistance with the pre-registered operator in it. */
  async function running(): Promise<{ host: DeviceHostClient; op: OperatorClient; sessionId: SessionId }> {
    const host = await relay.connectDevice('Kiosk 7');
    const assistance = await relay.requestAssistance({ deviceId: host.deviceId, mode: 'unattended' });
    const { sessionId } = await host.next('assistance:prepared');
    const op = await relay.connectOperator();
    op.emit('assistance:open', { activation: activationToken(assistance), password: assistance.password! });
    await op.next('session:admitted');
    await host.next('session:unattended-start');
    return { host, op, sessionId };
  }

  const ended = (sessionId: SessionId) =>
    relay.handle.audit.query({ sessionId, action: 'assistance.ended' }).map((e) => e.detail?.reason);

  it('an operator removed with the relay command: its assistance ends on both sides and its connection drops', async () => {
    const { host, op, sessionId } = await running();
    const output = await relayCommand(relay.dataDir, 'operator', 'remove', relay.operatorIdentity.id);
    assert.match(output, /drops its connections and ends its assistances/);
    assert.deepEqual(await op.next('session:ended'), { sessionId, reason: 'operator-revoked' });
    assert.deepEqual(await host.next('session:ended'), { sessionId, reason: 'operator-revoked' });
    await until('the operator dropped', () => op.socket.disconnected);
    assert.deepEqual(ended(sessionId), ['operator-revoked']);
    // Its token opens nothing any more.
    await assert.rejects(relay.connectOperator(), /invalid or revoked operator token/);
    assert.equal(host.socket.connected, true, "the device's own connection stays");
  });

  it('a device removed with the relay command: its assistance ends on both sides and its host drops', async () => {
    const { host, op, sessionId } = await running();
    await relayCommand(relay.dataDir, 'device', 'remove', host.deviceId);
    assert.deepEqual(await op.next('session:ended'), { sessionId, reason: 'device-removed' });
    await until('the host dropped', () => host.socket.disconnected);
    assert.deepEqual(ended(sessionId), ['device-removed']);
    assert.equal(op.socket.connected, true, "the operator's own connection stays");
  });

  it("an identity removed by the relay's own registry is noticed on its socket's next event, which is not acted on", async () => {
    const { host, op, sessionId } = await running();
    // The same database connection as the relay's: no other process changed anything.
    assert.ok(relay.handle.operators.remove(relay.operatorIdentity.id));
    op.emit('session:signal', { sessionId, signal: { type: 'offer', sdp: 'v=0' } });
    assert.deepEqual(await host.next('session:ended'), { sessionId, reason: 'operator-revoked' });
    assert.deepEqual(host.received('session:signal'), [], 'the signal was not forwarded');
    await until('the operator dropped', () => op.socket.disconnected);
  });

  it("a device removed while its agent's host is in an assistance: the operator is told, the agent and its host drop", async (t) => {
    const agent = await onlineAgent(t, relay);
    const { host, op, sessionId } = await runningAssistance(t, relay, agent);
    await relayCommand(relay.dataDir, 'device', 'remove', agent.deviceId);
    assert.deepEqual(await op.next('session:ended'), { sessionId, reason: 'device-removed' });
    await until('the agent and its host dropped', () => agent.client.socket.disconnected && host.socket.disconnected);
    assert.deepEqual(ended(sessionId), ['device-removed']);
  });

  it('an administrator removes a device in the console: gone from its list, its agent and host drop, its assistance ends', async (t) => {
    const admin = await firstAdmin(relay);
    const agent = await onlineAgent(t, relay);
    const { host, op, sessionId } = await runningAssistance(t, relay, agent);
    assert.equal((await admin.call('DELETE', `/devices/${agent.deviceId}`)).status, 200);
    assert.deepEqual(await op.next('session:ended'), { sessionId, reason: 'device-removed' });
    await until('the agent and its host dropped', () => agent.client.socket.disconnected && host.socket.disconnected);
    const listed = (await admin.call('GET', '/devices')).body as { devices: Array<{ deviceId: string }> };
    assert.deepEqual(
      listed.devices.map((d) => d.deviceId),
      [],
    );
    assert.equal(relay.handle.audit.query({ action: 'device.removed' }).length, 1);
    assert.equal((await admin.call('DELETE', `/devices/${agent.deviceId}`)).status, 404, 'once');
  });
});
