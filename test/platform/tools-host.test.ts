/**
 * One assistance's tools on the device (src/platform/tools/tool-host.ts) with the real Linux backends, driven by a
 * panel made of the contract's own pieces (each event parsed with ToolEvent, every stream read by a StreamReceiver
 * that grants credit back): a terminal's output read through its stream, two tabs at once, the process list as a
 * chunked result under a small window, a test process found and ended, refusals for a tool that is not open, the
 * registry and PowerShell on Linux; and the assistance's end closing every tool with the shells' trees gone in 2 s.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { createToolBackends } from '../../src/platform/tools/index.js';
import { createToolHost } from '../../src/platform/tools/tool-host.js';
import { StreamReceiver, utf8Length } from '../../src/shared/tool-streams.js';
import { ToolEvent, ToolRequest, resultSchemaFor } from '../../src/shared/tools-protocol.js';
import { ProcessList } from '../../src/shared/tools-results.js';
import { until } from '../../dev/rig/until.js';

const LIMITS = { windowBytes: 4096, maxChunkBytes: 1024 };

/** The operator's panel, as far as the device can tell: events in, requests (credit included) out. */
function panel() {
  const events: ToolEvent[] = [];
  const texts = new Map<string, string>();
  const receivers = new Map<string, StreamReceiver>();
  let maxChunk = 0;
  const host = createToolHost({
    backends: createToolBackends('linux'),
    limits: LIMITS,
    send: (raw) => {
      const event = ToolEvent.parse(raw);
      events.push(event);
      if (event.type !== 'stream.chunk') return;
      const key = `${event.toolId}/${event.stream}`;
      let receiver = receivers.get(key);
      if (!receiver) receivers.set(key, (receiver = new StreamReceiver(event.stream, LIMITS)));
      const got = receiver.receive(event);
      assert.ok(got.ok, got.ok ? '' : got.refusal.message);
      maxChunk = Math.max(maxChunk, utf8Length(event.data));
      texts.set(key, (texts.get(key) ?? '') + got.value.data);
      // The page renders at once and gives the credit back.
      const grant = receiver.consumed(utf8Length(got.value.data));
      if (grant) queueMicrotask(() => void host.handle({ type: 'stream.credit', toolId: event.toolId, ...grant }));
    },
  });
  const ask = (request: unknown) => host.handle(ToolRequest.parse(request));
  const text = (toolId: string, stream = 'output') => texts.get(`${toolId}/${stream}`) ?? '';
  const result = async (toolId: string, request: Extract<ToolRequest, { requestId: string }>) => {
    await host.handle(request);
    const refusal = events.find((e) => e.type === 'tool.refused' && e.requestId === request.requestId);
    if (refusal) return refusal;
    await until(`the answer to ${request.requestId}`, () => receivers.get(`${toolId}/${request.requestId}`)?.finished);
    return resultSchemaFor(request).parse(JSON.parse(text(toolId, request.requestId)));
  };
  return { host, events, ask, text, result, maxChunk: () => maxChunk };
}

/** Still running: in /proc and not a zombie. */
const alive = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
};

test('two terminal tabs, their output read through their streams, input for a tool that is not open refused', async () => {
  const p = panel();
  await p.ask({ type: 'tool.open', toolId: 'tab1', tool: 'cmd', cols: 100, rows: 30 });
  await p.ask({ type: 'tool.open', toolId: 'tab2', tool: 'cmd' });
  const opened = p.events.filter((e) => e.type === 'tool.opened');
  assert.equal(opened.length, 2);
  assert.equal(opened[0]!.type === 'tool.opened' && opened[0]!.account?.kind, 'agent');
  await p.ask({ type: 'terminal.input', toolId: 'tab1', data: 'echo one-$(id -u)-$((6*7))\r' });
  await p.ask({ type: 'terminal.input', toolId: 'tab2', data: 'stty size; echo two-$((6*8))\r' });
  await until('tab 1 answers', () => p.text('tab1').includes(`one-${process.getuid!()}-42`));
  await until('tab 2 answers', () => p.text('tab2').includes('24 80') && p.text('tab2').includes('two-48'));
  assert.ok(!p.text('tab1').includes('two-48'), 'each tab has its own output');
  // A busy shell: much more than the window, all of it arrives through the credit.
  await p.ask({ type: 'terminal.input', toolId: 'tab1', data: 'seq 1 20000 | tail -c 60000; echo SEQ-$((1+1))\r' });
  await until('the long output', () => p.text('tab1').includes('SEQ-2') && p.text('tab1').includes('20000'));
  assert.ok(p.maxChunk() <= LIMITS.maxChunkBytes);

  await p.ask({ type: 'terminal.input', toolId: 'nope', data: 'ls\r' });
  assert.deepEqual(p.events.at(-1), {
    type: 'tool.refused',
    toolId: 'nope',
    code: 'not-open',
    message: 'This tool is not open on the device (any more).',
  });
  await p.ask({ type: 'tool.open', toolId: 'tab1', tool: 'cmd' });
  assert.equal(p.events.at(-1)!.type, 'tool.refused', 'a second open of the same tab is refused');

  await p.ask({ type: 'terminal.input', toolId: 'tab2', data: 'exit 3\r' });
  await until('tab 2 ended', () => p.events.find((e) => e.type === 'terminal.exit' && e.toolId === 'tab2'));
  await p.ask({ type: 'terminal.input', toolId: 'tab2', data: 'ls\r' });
  const dead = p.events.at(-1)!;
  assert.equal(dead.type === 'tool.refused' && dead.code, 'shell-ended');
  await p.host.closeAll('assistance-ended');
});

test('on Linux: the registry says there is none, PowerShell that it is not installed (when it is not)', async () => {
  const p = panel();
  await p.ask({ type: 'tool.open', toolId: 'reg', tool: 'registry' });
  assert.deepEqual(p.events.at(-1), {
    type: 'tool.refused',
    toolId: 'reg',
    code: 'no-registry',
    message: 'This device has no registry: it is not a Windows computer.',
  });
  await p.ask({ type: 'registry', toolId: 'reg', requestId: 'q1', request: { op: 'hives' } });
  const late = p.events.at(-1)!;
  assert.equal(late.type === 'tool.refused' && late.code, 'not-open');
  await p.ask({ type: 'tool.open', toolId: 'ps', tool: 'powershell' });
  const ps = p.events.at(-1)!;
  const hasPwsh = (process.env.PATH ?? '').split(':').some((d) => {
    try {
      return readdirSync(d).includes('pwsh');
    } catch {
      return false;
    }
  });
  if (hasPwsh) assert.equal(ps.type, 'tool.opened');
  else
    assert.deepEqual(ps, {
      type: 'tool.refused',
      toolId: 'ps',
      code: 'not-installed',
      message: 'PowerShell is not installed on this device.',
    });
  await p.host.closeAll('assistance-ended');
});

test('the task manager: a chunked process list, a test process found and ended, a gone one refused', async () => {
  const p = panel();
  const victim = spawn('sleep', ['301'], { stdio: 'ignore' });
  await p.ask({ type: 'tool.open', toolId: 'tm', tool: 'processes' });
  const list = (await p.result('tm', { type: 'processes.list', toolId: 'tm', requestId: 'l1' })) as ProcessList;
  assert.ok(utf8Length(p.text('tm', 'l1')) > LIMITS.windowBytes, 'the list is larger than a window: it came in chunks');
  const row = list.processes.find((r) => r.pid === victim.pid);
  assert.equal(row?.commandLine, 'sleep 301');
  const killed = await p.result('tm', {
    type: 'processes.kill',
    toolId: 'tm',
    requestId: 'k1',
    pid: victim.pid!,
    tree: true,
  });
  assert.deepEqual(killed, {
    pid: victim.pid,
    name: 'sleep',
    ended: [victim.pid],
    notEnded: [],
    names: [{ pid: victim.pid, name: 'sleep' }],
  });
  await until('the test saw it end', () => victim.signalCode === 'SIGKILL');
  const again = await p.result('tm', {
    type: 'processes.kill',
    toolId: 'tm',
    requestId: 'k2',
    pid: victim.pid!,
    tree: false,
  });
  assert.equal((again as ToolEvent & { code?: string }).code, 'process-gone');
  await p.ask({ type: 'tool.close', toolId: 'tm' });
  assert.equal(p.events.at(-1)!.type, 'tool.closed');
});

test("the assistance's end closes every tool and every shell's tree is gone within 2 s", async () => {
  const p = panel();
  await p.ask({ type: 'tool.open', toolId: 'a', tool: 'cmd' });
  await p.ask({ type: 'tool.open', toolId: 'b', tool: 'cmd' });
  await p.ask({ type: 'tool.open', toolId: 'tm', tool: 'processes' });
  const shells = p.events.flatMap((e) => (e.type === 'tool.opened' && e.tool === 'cmd' ? [e.toolId] : []));
  assert.deepEqual(shells, ['a', 'b']);
  for (const id of shells)
    await p.ask({ type: 'terminal.input', toolId: id, data: 'sleep 300 & (sleep 301 &); echo UP\r' });
  await until('both shells started their jobs', () => shells.every((id) => p.text(id).includes('\nUP')));
  const sids = p.host.openTools().length;
  assert.equal(sids, 3);
  const t0 = performance.now();
  const ended = await p.host.closeAll('assistance-ended');
  const took = performance.now() - t0;
  assert.ok(took < 2000, `all gone within 2 s (${Math.round(took)} ms)`);
  assert.ok(ended.length >= 6, `two shells, their jobs and orphans: ${ended.join(', ')}`);
  for (const pid of ended) assert.ok(!alive(pid), `${pid} is gone`);
  assert.deepEqual(
    p.events
      .flatMap((e) => (e.type === 'tool.closed' ? [[e.toolId, e.reason]] : []))
      .sort((x, y) => x[0]!.localeCompare(y[0]!)),
    [
      ['a', 'assistance-ended'],
      ['b', 'assistance-ended'],
      ['tm', 'assistance-ended'],
    ],
  );
  assert.deepEqual(p.host.openTools(), []);
});
