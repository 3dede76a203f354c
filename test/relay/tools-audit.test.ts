/**
 * The audit of the Flexxible Tools' changes, through a real relay to an enrolled agent (the scripted agent running the
 * agent's own tool hosts): every registry change the device made (the agent on a recorded Windows, the real reg.exe
 * backend replaying test/platform/fixtures/reg-session-audit-en.txt) is a `tool.registry-changed` row with operator,
 * device, assistance, time, the key and the value's old and new value, and a change the device refused is none;
 * every process ended (one alone, and a tree: a shell and its two children, on the real /proc backend) is a
 * `tool.process-ended` row with its PID and name, a tree's each of its own. The registry rows are in the console's
 * CSV export as they are in the trail.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { activationToken, startTestRelay, type TestRelay } from '../../dev/rig/relay.js';
import { until } from '../../dev/rig/until.js';
import { createToolBackends } from '../../src/platform/tools/index.js';
import type { AuditEntry } from '../../src/shared/audit.js';
import type { RegistryOp } from '../../src/shared/tools-protocol.js';
import { firstAdmin, type ConsoleClient } from '../fixtures/console.js';
import { parseCsv } from '../fixtures/csv.js';
import { recordedRegistry, type RecordedRegistry } from '../fixtures/recorded-registry.js';
import { enrolScriptedAgent, type ScriptedAgent } from '../fixtures/scripted-agent.js';
import { ToolPanel } from '../fixtures/tool-panel.js';

const AGENT = 'HKEY_LOCAL_MACHINE\\SOFTWARE\\flxra\\Agent';

const ppidOf = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return null;
  }
};
const gone = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] === 'Z';
  } catch {
    return true;
  }
};

describe('the audit of the tools’ changes, through the relay', () => {
  let relay: TestRelay;
  let admin: ConsoleClient & { operatorToken: string };
  let agent: ScriptedAgent;
  let windows: RecordedRegistry;
  const panels: ToolPanel[] = [];

  before(async () => {
    relay = await startTestRelay();
    admin = await firstAdmin(relay);
    windows = recordedRegistry('reg-session-audit-en.txt', 437);
    agent = await enrolScriptedAgent(relay, {
      hostname: 'ws-audit',
      reportGroup: 'Office',
      tools: { ...createToolBackends('linux'), registry: windows.backend },
    });
  });
  after(async () => {
    for (const panel of panels) panel.close();
    await agent.tools?.endAll();
    agent.disconnect();
    await relay.close();
  });

  /** An attended assistance on the agent's device with the admin's operator admitted, and its panel. */
  async function admitted(): Promise<{ panel: ToolPanel; sessionId: string }> {
    const assistance = await relay.requestAssistance(
      { deviceId: agent.deviceId, mode: 'attended' },
      admin.operatorToken,
    );
    const host = await agent.nextHost();
    const op = await relay.connectOperator(admin.operatorToken);
    op.emit('assistance:open', { activation: activationToken(assistance) });
    await host.next('session:join-request');
    host.emit('session:consent', { sessionId: assistance.sessionId, decision: 'control' });
    await op.next('session:admitted');
    const panel = new ToolPanel(op, assistance.sessionId);
    panels.push(panel);
    return { panel, sessionId: assistance.sessionId };
  }

  /** The rows of `action` for the assistance, oldest first. */
  const rows = (sessionId: string, action: string) =>
    relay.handle.audit
      .query({ sessionId })
      .filter((e) => e.action === action)
      .reverse();

  /** Who, where, when: the admin's operator, the agent's device, this assistance, the relay's time (its test clock). */
  function assertContext(row: AuditEntry, sessionId: string) {
    assert.equal(row.actor.kind, 'operator');
    assert.equal(row.actor.name, 'Ada Admin');
    assert.equal(row.deviceId, agent.deviceId);
    assert.equal(row.sessionId, sessionId);
    assert.equal(row.result, 'ok');
    assert.equal(row.at, new Date(relay.clock.now()).toISOString());
  }

  it('records every registry change with the key and the old and new value; a refused change is none', async () => {
    const { panel, sessionId } = await admitted();
    panel.send({ type: 'tool.open', toolId: 'reg', tool: 'registry' });
    await panel.event('reg', 'tool.opened');
    let n = 0;
    const change = async (request: RegistryOp) => {
      const requestId = `r${++n}`;
      panel.send({ type: 'registry', toolId: 'reg', requestId, request });
      // Answered: its result's final chunk, or its refusal.
      await until(
        `the answer to ${requestId}`,
        () =>
          panel
            .of('reg')
            .events.some(
              (e) =>
                (e.type === 'stream.chunk' && e.stream === requestId && e.final) ||
                (e.type === 'tool.refused' && e.requestId === requestId),
            ),
        { everyMs: 10 },
      );
    };
    const pathCount = (data: number) => ({ name: 'PathCount', type: 'REG_DWORD' as const, data });
    const logPath = { name: 'LogPath', type: 'REG_EXPAND_SZ', data: '%ProgramData%\\flxra\\logs' };

    await change({ op: 'set-value', key: AGENT, value: pathCount(4) });
    await change({ op: 'rename-value', key: AGENT, name: 'LogPath', newName: 'LogDir' });
    await change({ op: 'delete-value', key: AGENT, name: 'LogDir' });
    await change({ op: 'create-key', key: `${AGENT}\\Cache` });
    await change({ op: 'rename-key', key: `${AGENT}\\Cache`, newName: 'Spool' });
    await change({ op: 'delete-key', key: `${AGENT}\\Spool` });
    const locked = 'HKEY_LOCAL_MACHINE\\SOFTWARE\\flxra\\Locked';
    await change({ op: 'set-value', key: locked, value: { name: 'Policy', type: 'REG_DWORD', data: 0 } });
    const refused = await panel.event('reg', 'tool.refused', (e) => e.requestId === `r${n}`);
    assert.equal(refused.message, `The agent's account may not do this to ${locked}.`);
    // Every change ran on the device, in order.
    assert.deepEqual(windows.unexpected, []);
    assert.deepEqual(windows.changesLeft(), []);

    await until('six change rows', () => rows(sessionId, 'tool.registry-changed').length === 6, { everyMs: 10 });
    const changed = rows(sessionId, 'tool.registry-changed');
    for (const row of changed) assertContext(row, sessionId);
    assert.deepEqual(
      changed.map(({ detail: { toolId, ...detail } }) => (assert.equal(toolId, 'reg'), detail)),
      [
        {
          op: 'set-value',
          key: AGENT,
          old: JSON.stringify(pathCount(3)),
          new: JSON.stringify(pathCount(4)),
        },
        { op: 'rename-value', key: AGENT, name: 'LogPath', newName: 'LogDir', old: JSON.stringify(logPath) },
        { op: 'delete-value', key: AGENT, name: 'LogDir', old: JSON.stringify({ ...logPath, name: 'LogDir' }) },
        { op: 'create-key', key: `${AGENT}\\Cache` },
        { op: 'rename-key', key: `${AGENT}\\Cache`, newName: 'Spool' },
        { op: 'delete-key', key: `${AGENT}\\Spool` },
      ],
    );
    assert.ok(
      !relay.handle.audit.query({ sessionId }).some((e) => JSON.stringify(e.detail).includes('Locked')),
      'the change the device refused is no change row',
    );

    // The console's export carries the same rows.
    const csv = parseCsv((await admin.call('GET', '/audit?format=csv')).text);
    const [header, ...lines] = csv;
    const col = (name: string) => header!.indexOf(name);
    const exported = lines.filter(
      (l) => l[col('session_id')] === sessionId && l[col('action')] === 'tool.registry-changed',
    );
    assert.equal(exported.length, 6);
    const first = exported.find((l) => (JSON.parse(l[col('detail')]!) as { op: string }).op === 'set-value')!;
    assert.equal(first[col('device_id')], agent.deviceId);
    assert.equal(first[col('actor_name')], 'Ada Admin');
    assert.deepEqual(JSON.parse(first[col('detail')]!), changed[0]!.detail);
  });

  it('records every process ended, alone and as a tree, with its PID and name', async () => {
    const { panel, sessionId } = await admitted();
    panel.send({ type: 'tool.open', toolId: 'tasks', tool: 'processes' });
    await panel.event('tasks', 'tool.opened');

    const alone = spawn('sleep', ['322.5'], { stdio: 'ignore' });
    const shell = spawn('sh', ['-c', 'sleep 323.5 & sleep 323.5 & wait'], { stdio: 'ignore' });
    const root = shell.pid!;
    let children: number[] = [];
    await until('the shell started both children', () => {
      children = readdirSync('/proc')
        .filter((d) => /^\d+$/.test(d))
        .map(Number)
        .filter((p) => ppidOf(p) === root);
      return children.length === 2;
    });
    const tree = [root, ...children.sort((a, b) => a - b)];

    panel.send({ type: 'processes.kill', toolId: 'tasks', requestId: 'one', pid: alone.pid!, tree: false });
    await panel.result('tasks', 'one');
    panel.send({ type: 'processes.kill', toolId: 'tasks', requestId: 'tree', pid: root, tree: true });
    await panel.result('tasks', 'tree');
    await until('every process gone', () => [alone.pid!, ...tree].every(gone), { everyMs: 10 });

    // One row per process ended: the one alone, the tree's root (listing all it ended), each of its children.
    await until('four rows', () => rows(sessionId, 'tool.process-ended').length === 4, { everyMs: 10 });
    const ended = rows(sessionId, 'tool.process-ended');
    for (const row of ended) assertContext(row, sessionId);
    const [single, ofTree, ...ofChildren] = ended;
    assert.deepEqual(single!.detail, {
      toolId: 'tasks',
      pid: alone.pid!,
      name: 'sleep',
      tree: false,
      ended: String(alone.pid),
    });
    const { ended: all, ...rootRow } = ofTree!.detail;
    assert.deepEqual(rootRow, { toolId: 'tasks', pid: root, name: 'sh', tree: true });
    assert.deepEqual(String(all).split(' ').map(Number).sort(), [...tree].sort());
    assert.deepEqual(
      ofChildren.map((r) => r.detail).sort((a, b) => Number(a.pid) - Number(b.pid)),
      children.map((pid) => ({ toolId: 'tasks', pid, name: 'sleep', tree: true, root })),
    );
  });
});
