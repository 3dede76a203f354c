/**
 * The agent itself (src/agent/agent.ts, in this process) carrying the Flexxible Tools: enrolled on a
 * real relay, it runs a real shell for the operator's request forwarded over its own connection,
 * and ends the shell's whole tree within 2 s when the assistance ends, here by its host's
 * connection going away (the user quitting the host: the host's relay connection is down).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Agent } from '../../src/agent/agent.js';
import { AGENT_VERSION } from '../../src/agent/device-info.js';
import { createToolBackends } from '../../src/platform/tools/index.js';
import { ENROL_PATH, EnrolResponse } from '../../src/shared/agent-protocol.js';
import {
  activationToken,
  connectClient,
  startTestRelay,
  type TestClient,
  type TestRelay,
} from '../../dev/rig/relay.js';
import { until } from '../../dev/rig/until.js';
import { firstAdmin } from '../fixtures/console.js';
import { processEnded } from '../fixtures/process-ended.js';
import { ToolPanel } from '../fixtures/tool-panel.js';

let relay: TestRelay;
let agent: Agent;
let deviceId: string;
const hosts: TestClient[] = [];

before(async () => {
  relay = await startTestRelay();
  const { token } = relay.handle.enrolment.create({ environmentId: 'default', reportGroup: 'Office' });
  const report = { hostname: 'ws-agent', os: 'Linux', agentVersion: AGENT_VERSION };
  const response = await fetch(`${relay.url}${ENROL_PATH}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ enrolmentToken: token, ...report }),
  });
  const enrolled = EnrolResponse.parse(await response.json());
  deviceId = enrolled.deviceId;
  agent = new Agent({
    relayUrl: relay.url,
    agentToken: enrolled.agentToken,
    readReport: () => Promise.resolve({ ...report, userSessions: [] }),
    // The host is a test client with the one-time host token; it "exits" when its connection closes.
    launcher: {
      async start({ hostToken }) {
        const host = await connectClient(relay.url, { role: 'host', deviceName: report.hostname, hostToken });
        hosts.push(host);
        const exited = new Promise<void>((resolve) => host.socket.on('disconnect', () => resolve()));
        return { pid: process.pid, exited };
      },
      stop: () => Promise.resolve(),
      stopAll: () => Promise.resolve(),
    },
    verification: { required: false, unattended: 'control' },
    ownDisplay: ':99',
    tools: createToolBackends(),
    onRefused: (reason) => assert.fail(`refused: ${reason}`),
    log: () => undefined,
  });
  agent.start();
  await until('the device online', () => relay.handle.agents.get(deviceId)?.online, { everyMs: 20 });
});
after(async () => {
  await agent.stop();
  await relay.close();
});

test("the agent runs the operator's shell and ends its tree within 2 s once the host's connection is gone", async () => {
  const admin = await firstAdmin(relay);
  const assistance = await relay.requestAssistance({ deviceId, mode: 'attended' }, admin.operatorToken);
  await until('the host in', () => hosts.length === 1, { everyMs: 20 });
  const host = hosts[0]!;
  const op = await relay.connectOperator(admin.operatorToken);
  op.emit('assistance:open', { activation: activationToken(assistance) });
  await host.next('session:join-request');
  host.emit('session:consent', { sessionId: assistance.sessionId, decision: 'control' });
  await op.next('session:admitted');

  const panel = new ToolPanel(op, assistance.sessionId);
  panel.send({ type: 'tool.open', toolId: 'sh', tool: 'cmd' });
  await panel.event('sh', 'tool.opened');
  panel.send({ type: 'terminal.input', toolId: 'sh', data: 'sleep 300 & echo "pids $$ $! $(id -u)"\r' });
  const out = await panel.output('sh', /^pids \d+ \d+ \d+\r?$/m);
  const [, shell, sleeper, uid] = /^pids (\d+) (\d+) (\d+)\r?$/m.exec(out)!;
  assert.equal(uid, String(process.getuid!()), "the shell runs as the agent's account");

  host.close();
  await until('every process of the shell gone', () => [shell!, sleeper!].every(processEnded), {
    everyMs: 10,
    timeoutMs: 2_000,
  });
  panel.close();
});
