/**
 * The operator's tools plumbing in main (src/main/operator/operator-tools.ts) on a real socket.io connection: tool
 * events reach the page only when they match the contract and an assistance is active; the relay's tools list is
 * held for the active assistance and forgotten at its end; a request goes out only while active; and the IPC gate
 * refuses a malformed tool request and the host window's sender before any handler runs. The registry editor's
 * forms (registry-forms.ts) turn typed text into the contract's values or say why not; the task manager's rows sort.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { test } from 'node:test';
import { Server } from 'socket.io';
import { io as connect } from 'socket.io-client';
import { createIpcHandlers, dispatchIpc } from '../../src/main/ipc/handlers.js';
import type { OperatorController } from '../../src/main/operator/operator-controller.js';
import { exportFileName, OperatorTools } from '../../src/main/operator/operator-tools.js';
import type { EventPayloads, OperatorState } from '../../src/shared/ipc.js';
import { parseForm } from '../../src/renderer/operator/tools/registry-forms.js';
import { compareRows, formatBytes } from '../../src/renderer/operator/tools/process-rows.js';
import { until } from '../../dev/rig/until.js';

const operator = { id: 'op1', name: 'Ana', organisation: 'Help' };
const active: OperatorState = { status: 'active', operator, sessionId: '123456789', deviceName: 'pc', mode: 'control' };
const ended: OperatorState = { status: 'ended', operator, sessionId: '123456789', reason: 'user-ended' };

async function pair() {
  const server = http.createServer();
  const io = new Server(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  const got: Array<[string, unknown]> = [];
  const fromPanel: unknown[] = [];
  const relaySide = new Promise<import('socket.io').Socket>((resolve) =>
    io.on('connection', (s) => {
      s.on('tool:request', (r: unknown) => fromPanel.push(r));
      resolve(s);
    }),
  );
  const client = connect(`http://127.0.0.1:${port}`, { transports: ['websocket'] });
  const tools = new OperatorTools(<E extends keyof EventPayloads>(c: E, p: EventPayloads[E]) => void got.push([c, p]));
  tools.attach(client);
  const relay = await relaySide;
  await until('connected', () => client.connected);
  return {
    tools,
    relay,
    got,
    fromPanel,
    close: async () => {
      client.close();
      await io.close();
    },
  };
}

test('tool events reach the page only when valid, for the active assistance; requests go out only then', async () => {
  const p = await pair();
  try {
    const closed = { type: 'tool.closed', toolId: 't1', reason: 'shell-exited', message: 'The shell ended.' };
    const sessionId = active.status === 'active' ? active.sessionId : '';
    p.relay.emit('tool:event', { sessionId, event: closed });
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(p.got.length, 0, 'nothing before the assistance is active');
    assert.deepEqual(p.tools.send({ type: 'tool.close', toolId: 't1' }), {
      sent: false,
      message: 'No assistance is active: the tools are closed.',
    });

    const list = { sessionId, tools: [{ tool: 'cmd', allowed: true }] };
    p.relay.emit('tools:available', list);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(p.tools.available, null, 'held, not shown, before the assistance is active');
    p.tools.onState(active);
    assert.deepEqual(p.tools.available, list);
    assert.deepEqual(p.got.at(-1), ['operator:tools-available', list], 'shown once its assistance is active');
    p.relay.emit('tool:event', { sessionId, event: { ...closed, reason: 'not-a-reason' } });
    p.relay.emit('tool:event', closed);
    p.relay.emit('tool:event', { sessionId: '987654321', event: { ...closed, toolId: 'other' } });
    p.relay.emit('tools:available', { ...list, sessionId: '987654321' });
    p.relay.emit('tool:event', { sessionId, event: closed });
    await until('the valid event', () => p.got.some(([c]) => c === 'operator:tool-event'));
    assert.deepEqual(
      p.got.filter(([c]) => c === 'operator:tool-event'),
      [['operator:tool-event', closed]],
      "the malformed one, the bare one and the other assistance's were dropped",
    );
    assert.deepEqual(p.tools.available, list, "another assistance's list is not this one's");
    assert.deepEqual(p.tools.send({ type: 'tool.close', toolId: 't1' }), { sent: true });
    await until('the request at the relay', () => p.fromPanel.length === 1);
    assert.deepEqual(p.fromPanel, [{ sessionId, request: { type: 'tool.close', toolId: 't1' } }]);

    p.tools.onState(ended);
    assert.equal(p.tools.available, null, 'forgotten at the end');
    assert.deepEqual(p.got.at(-1), ['operator:tools-available', null]);
  } finally {
    await p.close();
  }
});

test('the IPC gate: a malformed tool request or one from the host window is refused before the handler', async () => {
  const sent: unknown[] = [];
  const controller = {
    tools: { send: (r: unknown) => (sent.push(r), { sent: true }) },
  } as unknown as OperatorController;
  const handlers = createIpcHandlers({ operator: controller });
  const policy = { rendererBase: 'file:///app/out/renderer/' };
  const page = `${policy.rendererBase}operator.html`;
  await assert.rejects(
    dispatchIpc(
      handlers,
      policy,
      'operator:tool-request',
      { request: { type: 'terminal.input', toolId: 'a b', data: 'x' } },
      page,
    ),
    /Invalid payload/,
  );
  await assert.rejects(
    dispatchIpc(
      handlers,
      policy,
      'operator:tool-request',
      { request: { type: 'tool.close', toolId: 't1' } },
      `${policy.rendererBase}host.html`,
    ),
    /may not use/,
  );
  assert.deepEqual(sent, []);
  await dispatchIpc(handlers, policy, 'operator:tool-request', { request: { type: 'tool.close', toolId: 't1' } }, page);
  assert.deepEqual(sent, [{ type: 'tool.close', toolId: 't1' }]);
  assert.equal(exportFileName('HKEY_CURRENT_USER\\Software\\Ünï code'), '_n_code.reg');
});

test('the registry forms: each type from typed text, or why not', () => {
  assert.deepEqual(parseForm('n', 'REG_DWORD', '0x10'), {
    ok: true,
    value: { name: 'n', type: 'REG_DWORD', data: 16 },
  });
  assert.equal(parseForm('n', 'REG_DWORD', '4294967296').ok, false);
  assert.deepEqual(parseForm('n', 'REG_QWORD', '18446744073709551615'), {
    ok: true,
    value: { name: 'n', type: 'REG_QWORD', data: '18446744073709551615' },
  });
  assert.equal(parseForm('n', 'REG_QWORD', '-1').ok, false);
  assert.deepEqual(parseForm('', 'REG_BINARY', '01 a0, ff'), {
    ok: true,
    value: { name: '', type: 'REG_BINARY', data: '01A0FF' },
  });
  assert.equal(parseForm('', 'REG_BINARY', '1 2 3').ok, false);
  assert.deepEqual(parseForm('m', 'REG_MULTI_SZ', 'a\nb\n'), {
    ok: true,
    value: { name: 'm', type: 'REG_MULTI_SZ', data: ['a', 'b'] },
  });
  const gap = parseForm('m', 'REG_MULTI_SZ', 'a\n\nb');
  assert.equal(gap.ok ? '' : gap.message, 'A multi-string value cannot hold an empty line: remove it.');
});

test('the task manager sorts either way with unknown values last, and shows memory in binary units', () => {
  const row = (pid: number, cpuPercent: number | null) => ({
    pid,
    ppid: null,
    name: `p${pid}`,
    user: null,
    cpuPercent,
    memoryBytes: null,
    startTime: null,
    commandLine: null,
  });
  const rows = [row(1, null), row(2, 5), row(3, 50), row(4, null)];
  const order = (down: boolean) => [...rows].sort((a, b) => compareRows(a, b, 'cpuPercent', down)).map((r) => r.pid);
  assert.deepEqual(order(true), [3, 2, 1, 4]);
  assert.deepEqual(order(false), [2, 3, 1, 4]);
  assert.equal(formatBytes(12 * 1024 * 1024), '12 MiB');
  assert.equal(formatBytes(1536), '1.5 KiB');
});
