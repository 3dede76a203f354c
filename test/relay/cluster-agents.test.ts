/**
 * The device agents' namespace across relay nodes (`--redis`, src/relay/cluster.ts): a device's
 * agent connected to node A, an operator on node B. The operator's assistance request reaches B
 * (the proxy's pick) and is carried out by A, the node of the device's agent, which has its
 * agent start the host; the operator, still on B, is admitted by the user and opens an admin
 * shell on the device: its tool requests go to A and the shell's output comes back. The host
 * app itself (HostSession), started with the agent's token behind a TCP forwarder that sends it
 * to B first, is told to try again and reaches A. Real Redis (test/fixtures/redis.ts), the
 * scripted agent with the agent's own tool hosts.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { activationToken, startTestRelay, type TestRelay } from '../../dev/rig/relay.js';
import { until } from '../../dev/rig/until.js';
import { HostSession } from '../../src/main/host/host-session.js';
import { createToolBackends } from '../../src/platform/tools/index.js';
import { DEFAULT_VERIFICATION } from '../../src/shared/verification-policy.js';
import { firstAdmin, type ConsoleClient } from '../fixtures/console.js';
import { startRedis, type Redis } from '../fixtures/redis.js';
import { enrolScriptedAgent, type ScriptedAgent } from '../fixtures/scripted-agent.js';
import { ToolPanel } from '../fixtures/tool-panel.js';

describe("a device's agent on one node, its operator on the other", () => {
  let redis: Redis;
  let a: TestRelay;
  let b: TestRelay;
  let admin: ConsoleClient & { operatorToken: string };
  let agent: ScriptedAgent;
  let panel: ToolPanel | undefined;
  before(async () => {
    redis = await startRedis();
    a = await startTestRelay({ relay: { redisUrl: redis.url, node: 'a' } });
    b = await startTestRelay({ dataDir: a.dataDir, clock: a.clock, relay: { redisUrl: redis.url, node: 'b' } });
    admin = await firstAdmin(a);
    agent = await enrolScriptedAgent(a, {
      hostname: 'ws-far',
      reportGroup: 'Office',
      tools: createToolBackends('linux'),
      // The proxy sends the host it starts to node B first.
      hostRelays: [b.url, a.url],
    });
  });
  after(async () => {
    panel?.close();
    await agent?.tools?.endAll();
    agent?.disconnect();
    await b?.close();
    await a?.close();
    await redis?.stop();
  });

  it('start the host through the agent’s node and carry an admin shell to the operator on the other', async () => {
    // Asked of node B, which has no connection to the device's agent.
    const assistance = await b.requestAssistance({ deviceId: agent.deviceId, mode: 'attended' }, admin.operatorToken);
    const host = await agent.nextHost();
    // Node B did not know the host's token and sent it on; node A, whose agent started it, took it.
    assert.deepEqual(agent.hostsRefused, [b.url]);
    const { sessionId } = assistance;
    const op = await b.connectOperator(admin.operatorToken);
    op.emit('assistance:open', { activation: activationToken(assistance) });
    await host.next('session:join-request');
    host.emit('session:consent', { sessionId, decision: 'control' });
    await op.next('session:admitted');
    const available = await op.next('tools:available');
    assert.equal(available.sessionId, sessionId);
    panel = new ToolPanel(op, sessionId);
    panel.send({ type: 'tool.open', toolId: 'tab-1', tool: 'cmd', cols: 80, rows: 24 });
    assert.equal((await panel.event('tab-1', 'tool.opened')).account?.kind, 'agent');
    // Typed once the shell shows its prompt (input before it would be flushed with its terminal's set-up).
    await panel.output('tab-1', /[#$] $/);
    panel.send({ type: 'terminal.input', toolId: 'tab-1', data: 'echo far-$((6*7))\r' });
    await panel.output('tab-1', /^far-42\r?$/m);
    // The audit names the operator of node B and the device of node A, once.
    const opened = a.handle.audit.query({ sessionId }).filter((e) => e.action === 'tool.opened');
    assert.equal(opened.length, 1);
    assert.equal(opened[0]?.actor.kind, 'operator');
    assert.equal(opened[0]?.deviceId, agent.deviceId);
  });

  it('have the host app an agent started try again through the proxy until it reaches the agent’s node', async () => {
    // A TCP forwarder in front of both nodes, as the proxy: the first connection to B, the next to A, and so on.
    const targets = [b.port, a.port];
    const reached: number[] = [];
    const proxy = net.createServer((client) => {
      const port = targets[reached.length % targets.length]!;
      reached.push(port);
      const upstream = net.connect(port, '127.0.0.1');
      client.pipe(upstream).pipe(client);
      const close = () => (client.destroy(), upstream.destroy());
      client.on('error', close).on('close', close);
      upstream.on('error', close).on('close', close);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as net.AddressInfo).port}`;
    let hostApp: HostSession | undefined;
    const far = await enrolScriptedAgent(a, {
      hostname: 'ws-app',
      reportGroup: 'Office',
      startHost: (hostToken) => {
        hostApp = new HostSession({
          relayUrl: proxyUrl,
          deviceName: 'ws-app',
          hostToken,
          input: { setEnabled: () => undefined, handle: () => undefined, releaseAll: () => undefined },
          displays: () => [{ id: '0', x: 0, y: 0, width: 1280, height: 720, primary: true }],
          verification: DEFAULT_VERIFICATION,
          emit: () => undefined,
        });
        hostApp.start();
      },
    });
    try {
      const assistance = await b.requestAssistance({ deviceId: far.deviceId, mode: 'attended' }, admin.operatorToken);
      const op = await b.connectOperator(admin.operatorToken);
      op.emit('assistance:open', { activation: activationToken(assistance) });
      // The user is asked: the host app is in its assistance on node A, after node B sent it on.
      await until('the host app asks the user', () => hostApp?.state.status === 'consent', { timeoutMs: 10_000 });
      assert.deepEqual(reached.slice(0, 2), [b.port, a.port]);
    } finally {
      hostApp?.stop();
      far.disconnect();
      await new Promise((resolve) => proxy.close(resolve));
    }
  });
});
