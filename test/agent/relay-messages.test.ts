/**
 * What the device agent does with what its relay sends: a malformed message (an attacker posing
 * as the relay, or a relay of another version) is dropped and logged, starts nothing, and does
 * not stop the agent from acting on the next valid one. What a relay cannot decide for the
 * device (whether control needs the verification words) stays the device's, whatever it sends.
 * A real socket.io server stands in for the relay's agent namespace so that the test can send
 * what a real relay never would.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { Server } from 'socket.io';
import { Agent } from '../../src/agent/agent.js';
import { AGENT_VERSION } from '../../src/agent/device-info.js';
import type { HostLaunchRequest } from '../../src/agent/launcher/launcher.js';
import { AGENT_NAMESPACE } from '../../src/shared/agent-protocol.js';
import type { VerificationPolicy } from '../../src/shared/verification-policy.js';
import { until } from '../../dev/rig/until.js';

/** The device's own configuration: control only after the words, unattended view only. */
const DEVICE_SETTING: VerificationPolicy = { required: true, unattended: 'view' };

test('the agent drops malformed relay messages, starts nothing for them, and still acts on a valid one', async (t) => {
  const http = createServer();
  const io = new Server(http);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  t.after(() => io.close());
  let relaySide: { emit(event: string, payload: unknown): void } | null = null;
  const reported = new Promise<unknown>((resolve) => {
    io.of(AGENT_NAMESPACE).on('connection', (socket) => {
      relaySide = socket;
      socket.on('agent:report', resolve);
      socket.emit('agent:start-host', { sessionId: 'not a session id', mode: 'attended' });
      socket.emit('agent:stop-host', { sessionId: 12 });
      socket.emit('agent:ready', { deviceId: 'device-1' });
      socket.emit('agent:ready', { deviceId: 'device-1', heartbeatMs: 60_000 });
    });
  });
  const logs: string[] = [];
  const started: HostLaunchRequest[] = [];
  const agent = new Agent({
    relayUrl: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    agentToken: 'flxra_agent_token_for_this_test',
    readReport: () =>
      Promise.resolve({ hostname: 'kiosk-7', os: 'Linux', agentVersion: AGENT_VERSION, userSessions: [] }),
    launcher: {
      start: (request) => {
        started.push(request);
        return Promise.reject(new Error('no host in this test'));
      },
      stop: () => Promise.resolve(),
      stopAll: () => Promise.resolve(),
    },
    verification: DEVICE_SETTING,
    onRefused: (reason) => assert.fail(`refused: ${reason}`),
    log: (line) => void logs.push(line),
  });
  agent.start();
  t.after(() => agent.stop());
  assert.deepEqual(await reported, { hostname: 'kiosk-7', os: 'Linux', agentVersion: AGENT_VERSION, userSessions: [] });
  for (const event of ['agent:start-host', 'agent:stop-host', 'agent:ready'])
    assert.ok(logs.includes(`ignored a malformed ${event} from the relay`), `${event} in ${logs.join(' | ')}`);
  assert.ok(logs.includes('ready as device device-1; reporting every 60000 ms and on change'));
  assert.deepEqual(started, []);

  // A valid request, with the relay's own idea of the verification words: the device's setting goes to the host.
  relaySide!.emit('agent:start-host', {
    sessionId: '123456789',
    mode: 'unattended',
    hostToken: 'flxra_host_token_for_this_test',
    operator: { id: 'op1', name: 'Ada Lovelace', organisation: 'Help Desk' },
    verification: { required: false, unattended: 'control' },
  });
  const request = await until('the host asked for', () => (started as HostLaunchRequest[])[0]);
  assert.deepEqual(request.verification, DEVICE_SETTING);
});
