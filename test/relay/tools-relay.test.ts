/**
 * The Flexxible Tools' path operator ⇄ relay ⇄ agent, end to end on real sockets: a real relay, an
 * enrolled agent (the scripted agent running the agent's own tool hosts, src/agent/agent-tools.ts,
 * on the real Linux backends: real shells in real ptys, /proc), an operator client speaking the
 * wire contract. What the relay forwards, what it refuses (role, unattended, a host asking,
 * another environment) and audits, what the user and the policy close, and that ending the
 * assistance ends the shell's tree.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { activationToken, startTestRelay, type HostClient, type TestRelay } from '../../dev/rig/relay.js';
import { until } from '../../dev/rig/until.js';
import { createToolBackends } from '../../src/platform/tools/index.js';
import type { PolicySettings } from '../../src/shared/console-api.js';
import type { AssistanceMode } from '../../src/shared/protocol.js';
import type { ToolsAvailable } from '../../src/shared/tools-protocol.js';
import { firstAdmin, type ConsoleClient } from '../fixtures/console.js';
import { enrolScriptedAgent, type ScriptedAgent } from '../fixtures/scripted-agent.js';
import { processEnded } from '../fixtures/process-ended.js';
import { ToolPanel } from '../fixtures/tool-panel.js';

const UID = String(process.getuid!());

describe('Flexxible Tools through the relay', () => {
  let relay: TestRelay;
  let admin: ConsoleClient & { operatorToken: string };
  let agent: ScriptedAgent;
  const panels: ToolPanel[] = [];

  before(async () => {
    relay = await startTestRelay();
    admin = await firstAdmin(relay);
    agent = await enrolScriptedAgent(relay, {
      hostname: 'ws-tools',
      reportGroup: 'Office',
      tools: createToolBackends(),
    });
  });
  after(async () => {
    for (const panel of panels) panel.close();
    await agent.tools?.endAll();
    agent.disconnect();
    await relay.close();
  });

  /** An assistance on `device` with the operator of `token` admitted (with control), and its panel. */
  async function admitted(
    token: string,
    mode: AssistanceMode = 'attended',
    device: ScriptedAgent = agent,
  ): Promise<{ panel: ToolPanel; host: HostClient; sessionId: string; available: ToolsAvailable }> {
    const assistance = await relay.requestAssistance({ deviceId: device.deviceId, mode }, token);
    const host = await device.nextHost();
    const { sessionId } = assistance;
    const op = await relay.connectOperator(token);
    if (mode === 'attended') {
      op.emit('assistance:open', { activation: activationToken(assistance) });
      await host.next('session:join-request');
      host.emit('session:consent', { sessionId, decision: 'control' });
    } else op.emit('assistance:open', { activation: activationToken(assistance), password: assistance.password! });
    await op.next('session:admitted');
    const available = await op.next('tools:available');
    assert.equal(available.sessionId, sessionId);
    const panel = new ToolPanel(op, sessionId);
    panels.push(panel);
    return { panel, host, sessionId, available };
  }

  const trail = (sessionId: string, action: string) =>
    relay.handle.audit.query({ sessionId }).filter((e) => e.action === action);

  it("opens an agent shell through the relay: id -u, resize, two tabs, the user's indicator, audited", async () => {
    const { panel, host, sessionId } = await admitted(admin.operatorToken);
    panel.send({ type: 'tool.open', toolId: 'tab-1', tool: 'cmd', cols: 80, rows: 24 });
    const opened = await panel.event('tab-1', 'tool.opened');
    assert.equal(opened.account?.kind, 'agent');
    const list = await host.next('tool:open-list');
    assert.deepEqual(list.tools, [{ toolId: 'tab-1', tool: 'cmd' }]);

    panel.send({ type: 'terminal.input', toolId: 'tab-1', data: 'id -u\r' });
    await panel.output('tab-1', new RegExp(`^${UID}\\r?$`, 'm'));
    panel.send({ type: 'terminal.resize', toolId: 'tab-1', cols: 120, rows: 40 });
    panel.send({ type: 'terminal.input', toolId: 'tab-1', data: 'stty size\r' });
    await panel.output('tab-1', /^40 120\r?$/m);

    panel.send({ type: 'tool.open', toolId: 'tab-2', tool: 'cmd' });
    await panel.event('tab-2', 'tool.opened');
    // A password typed where nothing echoes is not in the transcript; what the shell displays is.
    const ask = `stty -echo; printf 'Pass%s' 'word: '; read -r SECRET; stty echo; echo "got \${#SECRET}"\r`;
    panel.send({ type: 'terminal.input', toolId: 'tab-2', data: ask });
    await panel.output('tab-2', /Password: $/);
    panel.send({ type: 'terminal.input', toolId: 'tab-2', data: 'hunter2-never-shown\r' });
    await panel.output('tab-2', /got 19\r?$/m);
    assert.ok(!panel.of('tab-1').output.includes('got 19'), 'each tab has its own output');

    // The user closes tab 2 from the indicator: the agent closes it, the operator is told why.
    await host.next('tool:open-list', { where: (l) => l.tools.length === 2 });
    host.emit('tool:close-by-user', { sessionId, toolId: 'tab-2' });
    const closed = await panel.event('tab-2', 'tool.closed');
    assert.equal(closed.reason, 'closed-by-user');
    await host.next('tool:open-list', { where: (l) => l.tools.length === 1 });

    const [tab2] = trail(sessionId, 'tool.closed');
    assert.equal(tab2?.detail.reason, 'closed-by-user');
    assert.match(String(tab2?.detail.transcript), /got 19/);
    assert.ok(!String(tab2?.detail.transcript).includes('hunter2'), 'keystrokes are never recorded');
    assert.deepEqual(
      trail(sessionId, 'tool.opened').map((e) => [e.detail.toolId, e.detail.tool, e.actor.name]),
      [
        ['tab-2', 'cmd', 'Ada Admin'],
        ['tab-1', 'cmd', 'Ada Admin'],
      ],
    );
  });

  it('lists processes and ends a test process, audited with its PID and name', async () => {
    const { panel, sessionId } = await admitted(admin.operatorToken);
    const child = spawn('sleep', ['300'], { stdio: 'ignore' });
    const pid = child.pid!;
    panel.send({ type: 'tool.open', toolId: 'tasks', tool: 'processes' });
    await panel.event('tasks', 'tool.opened');
    panel.send({ type: 'processes.list', toolId: 'tasks', requestId: 'list-1' });
    const list = (await panel.result('tasks', 'list-1')) as { processes: { pid: number; name: string }[] };
    assert.equal(list.processes.find((p) => p.pid === pid)?.name, 'sleep');
    panel.send({ type: 'processes.kill', toolId: 'tasks', requestId: 'kill-1', pid, tree: false });
    await panel.result('tasks', 'kill-1');
    await until('the test process gone', () => child.exitCode !== null || child.signalCode !== null, { everyMs: 10 });
    await until('the audit row', () => trail(sessionId, 'tool.process-ended').length === 1, { everyMs: 10 });
    const [row] = trail(sessionId, 'tool.process-ended');
    assert.equal(row?.detail.pid, pid);
    assert.equal(row?.detail.name, 'sleep');
    assert.equal(row?.deviceId, agent.deviceId);
  });

  it('tells each admitted operator which tools its role may use, before anything is asked', async () => {
    const { available } = await admitted(admin.operatorToken);
    assert.deepEqual(
      available.tools.map((t) => [t.tool, t.allowed]),
      [
        ['cmd', true],
        ['powershell', true],
        ['registry', true],
        ['processes', true],
      ],
    );
    // Nobody is signed in on the scripted device: no terminal as a user, and why.
    assert.deepEqual(available.userTerminal, { allowed: false, reason: 'Nobody is signed in on the device just now.' });
    // Someone signs in: the next admission offers a terminal as that user.
    await agent.report({ userSessions: [{ id: '2', user: 'alice', state: 'active', kind: 'console' }] });
    try {
      const withUser = await admitted(admin.operatorToken);
      assert.deepEqual(withUser.available.userTerminal, { allowed: true, users: ['alice'] });
    } finally {
      await agent.report({ userSessions: [] });
    }
    const plain = await admitted(relay.operatorToken);
    assert.ok(plain.available.tools.every((t) => !t.allowed && /operator role/.test(t.reason)));
    const unattended = await admitted(admin.operatorToken, 'unattended');
    assert.ok(unattended.available.tools.every((t) => !t.allowed && /unattended/.test(t.reason)));
  });

  it('gives two roles that differ by one tool different panels and different answers', async () => {
    const name = 'desk-no-registry';
    assert.equal((await admin.call('POST', '/roles', { name, description: 'no registry' })).status, 201);
    const current = (await admin.call('GET', '/policy')).body as PolicySettings;
    const on = Object.fromEntries(
      (['tool.cmd', 'tool.powershell', 'tool.processes'] as const).map((c) => [
        c,
        { ...current.product.capabilities[c], [name]: true },
      ]),
    );
    const policy: PolicySettings = {
      ...current,
      product: { ...current.product, capabilities: { ...current.product.capabilities, ...on } },
    };
    assert.equal((await admin.call('PUT', '/policy', policy)).status, 200);
    const desk = await relay.addOperator('Desk');
    const assign = (role: string) =>
      admin.call('PUT', '/roles/assignments', { kind: 'operator', id: desk.identity.id, role });
    assert.equal((await assign(name)).status, 200);
    try {
      const asDesk = await admitted(desk.token);
      const asAdmin = await admitted(admin.operatorToken);
      const allowed = (a: ToolsAvailable) => a.tools.filter((t) => t.allowed).map((t) => t.tool);
      assert.deepEqual(allowed(asDesk.available), ['cmd', 'powershell', 'processes']);
      assert.deepEqual(allowed(asAdmin.available), ['cmd', 'powershell', 'registry', 'processes']);
      asDesk.panel.send({ type: 'tool.open', toolId: 'reg', tool: 'registry' });
      asAdmin.panel.send({ type: 'tool.open', toolId: 'reg', tool: 'registry' });
      const refused = await asDesk.panel.event('reg', 'tool.refused');
      assert.equal(refused.code, 'not-permitted');
      assert.match(refused.message, new RegExp(name));
      // Forwarded for the admin: this Linux device's agent answers that it has no registry.
      const answered = await asAdmin.panel.event('reg', 'tool.refused');
      assert.equal(answered.code, 'no-registry');
      assert.match(answered.message, /registry/);

      // Its role taken back: the panel is told at once that it has no tools any more.
      assert.equal((await assign('operator')).status, 200);
      const now = await asDesk.panel.op.next('tools:available');
      assert.ok(now.tools.every((t) => !t.allowed));
    } finally {
      assert.equal((await admin.call('PUT', '/policy', current)).status, 200);
    }
  });

  it('refuses a role without the tools at the relay, and audits it', async () => {
    // The pre-registered operator is no console user: its role is operator; the policy gives tools to admins.
    const { panel, sessionId } = await admitted(relay.operatorToken);
    panel.send({ type: 'tool.open', toolId: 'no', tool: 'cmd' });
    const refused = await panel.event('no', 'tool.refused');
    assert.equal(refused.code, 'not-permitted');
    assert.match(refused.message, /operator role/);
    const [row] = trail(sessionId, 'tool.refused');
    assert.equal(row?.actor.name, relay.operatorIdentity.name);
    assert.equal(row?.detail.code, 'not-permitted');
    await panel.op.flush();
    assert.ok(!panel.of('no').events.some((e) => e.type === 'tool.opened'));
  });

  it('refuses tools during unattended assistance unless the policy allows them', async () => {
    const { panel, sessionId } = await admitted(admin.operatorToken, 'unattended');
    panel.send({ type: 'tool.open', toolId: 'u', tool: 'processes' });
    const refused = await panel.event('u', 'tool.refused');
    assert.equal(refused.code, 'not-permitted');
    assert.match(refused.message, /unattended/);
    assert.equal(trail(sessionId, 'tool.refused').length, 1);

    const current = (await admin.call('GET', '/policy')).body as PolicySettings;
    const capabilities = { ...current.product.capabilities, 'tool.unattended': { admin: true } };
    const allowed: PolicySettings = { ...current, product: { ...current.product, capabilities } };
    assert.equal((await admin.call('PUT', '/policy', allowed)).status, 200);
    try {
      // The save re-tells the panel: the task manager is allowed now, and it opens.
      const now = await panel.op.next('tools:available', { where: (a) => a.sessionId === sessionId });
      assert.equal(now.tools.find((t) => t.tool === 'processes')?.allowed, true);
      panel.send({ type: 'tool.open', toolId: 'u2', tool: 'processes' });
      await panel.event('u2', 'tool.opened');
    } finally {
      assert.equal((await admin.call('PUT', '/policy', current)).status, 200);
    }
  });

  it("refuses a host process's tool request, and audits it", async () => {
    const { host, sessionId } = await admitted(admin.operatorToken);
    host.emitRaw('tool:request', { sessionId, request: { type: 'tool.open', toolId: 'h', tool: 'cmd' } });
    const error = await host.next('relay:error', { where: (e) => e.event === 'tool:request' });
    assert.equal(error.code, 'forbidden');
    const [row] = trail(sessionId, 'tool.refused');
    assert.equal(row?.actor.kind, 'device');
    assert.equal(row?.detail.reason, 'a host process asked for a tool');
  });

  it('refuses tools across environments', async () => {
    const branch = await enrolScriptedAgent(relay, {
      hostname: 'ws-branch',
      reportGroup: 'Office',
      environmentId: 'branch',
      tools: createToolBackends(),
    });
    try {
      const { panel, sessionId } = await admitted(admin.operatorToken, 'attended', branch);
      panel.send({ type: 'tool.open', toolId: 'x', tool: 'cmd' });
      const refused = await panel.event('x', 'tool.refused');
      assert.equal(refused.code, 'other-environment');
      assert.equal(trail(sessionId, 'tool.refused')[0]?.detail.code, 'other-environment');
      // The console lists only its user's environment.
      const listed = (await admin.call('GET', '/devices')).body as { devices: { hostname: string }[] };
      assert.deepEqual(
        listed.devices.map((d) => d.hostname),
        ['ws-tools'],
      );
    } finally {
      branch.disconnect();
    }
  });

  it("ends the shell's process tree within 2 s when the assistance ends", async () => {
    const { panel } = await admitted(admin.operatorToken);
    panel.send({ type: 'tool.open', toolId: 'doomed', tool: 'cmd' });
    await panel.event('doomed', 'tool.opened');
    panel.send({ type: 'terminal.input', toolId: 'doomed', data: 'sleep 300 & echo "pids $$ $!"\r' });
    const [, shell, sleeper] = /^pids (\d+) (\d+)\r?$/m.exec(await panel.output('doomed', /^pids \d+ \d+\r?$/m))!;
    const pids = [shell!, sleeper!];
    assert.ok(!pids.some(processEnded), 'the shell and its child run');
    panel.op.emit('session:end', { sessionId: panel.sessionId });
    await until('every process of the shell gone', () => pids.every(processEnded), {
      everyMs: 10,
      timeoutMs: 2_000,
    });
  });

  it('closes an open terminal at once when the policy switches the tools off', async () => {
    const { panel, sessionId } = await admitted(admin.operatorToken);
    panel.send({ type: 'tool.open', toolId: 'pol', tool: 'cmd' });
    await panel.event('pol', 'tool.opened');
    const current = (await admin.call('GET', '/policy')).body as PolicySettings;
    // The command prompt switched off for admins at product level (the capability matrix's cell).
    const capabilities = { ...current.product.capabilities, 'tool.cmd': { admin: false } };
    const off: PolicySettings = { ...current, product: { ...current.product, capabilities } };
    assert.equal((await admin.call('PUT', '/policy', off)).status, 200);
    try {
      const closed = await panel.event('pol', 'tool.closed');
      assert.equal(closed.reason, 'policy-changed');
      assert.match(closed.message, /policy/);
      await until('audited', () => trail(sessionId, 'tool.closed').some((e) => e.detail.reason === 'policy-changed'));
    } finally {
      assert.equal((await admin.call('PUT', '/policy', current)).status, 200);
    }
  });

  it("carries a flooding terminal under the relay's limits, credit end to end", async () => {
    const { panel } = await admitted(admin.operatorToken);
    panel.send({ type: 'tool.open', toolId: 'flood', tool: 'cmd' });
    await panel.event('flood', 'tool.opened');
    const before = relay.handle.counters();
    const bytes = 4 * 1024 * 1024;
    panel.send({
      type: 'terminal.input',
      toolId: 'flood',
      data: `head -c ${bytes} /dev/zero | tr '\\0' x; echo; echo FLOOD-DONE\r`,
    });
    await panel.output('flood', /^FLOOD-DONE\r?$/m, 30_000);
    assert.ok((panel.of('flood').output.match(/x/g)?.length ?? 0) >= bytes);
    const after = relay.handle.counters();
    assert.equal(after.eventsRefused, before.eventsRefused, 'no tool event refused for its rate');
    assert.equal(after.floodsDropped, before.floodsDropped);
    assert.equal(after.slowReadersDropped, before.slowReadersDropped);
    // At most a window per stream waits anywhere: far under the 1 MiB a connection may have queued.
    assert.ok(after.queuedBytes.highest < 256 * 1024, `highest queue ${after.queuedBytes.highest} bytes`);
  });
});
