/**
 * The tools' credit-based flow control (src/shared/tool-streams.ts): a terminal that prints faster than the operator's
 * page reads must never have more than a window unacknowledged (the relay would drop the connection), and nothing may
 * be lost, duplicated, reordered or split inside a character on the way. A property test runs random interleavings
 * of writes, deliveries, consumption and grants.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  StreamReceiver,
  StreamSender,
  utf8Length,
  type CreditGrant,
  type StreamChunk,
} from '../../src/shared/tool-streams.js';
import { ToolEvent, ToolRequest, resultSchemaFor } from '../../src/shared/tools-protocol.js';

const LIMITS = { windowBytes: 16, maxChunkBytes: 8 };

test('UTF-8 lengths: ASCII, accents, CJK, emoji, a lone surrogate', () => {
  assert.equal(utf8Length('abc'), 3);
  assert.equal(utf8Length('é'), 2);
  assert.equal(utf8Length('日本'), 6);
  assert.equal(utf8Length('😀'), 4);
  assert.equal(utf8Length('\ud800'), 3);
  for (const s of ['héllo wörld', '日本語😀x', '\ud800a']) assert.equal(utf8Length(s), Buffer.from(s, 'utf8').length);
});

test('the sender holds output beyond the window until credit arrives, then releases it in order', () => {
  const sender = new StreamSender('output', LIMITS);
  const first = sender.write('a'.repeat(40));
  assert.deepEqual(
    first.map((c) => c.data.length),
    [8, 8],
  );
  assert.equal(sender.unacknowledged, 16);
  assert.equal(sender.heldBack, 24);
  assert.deepEqual(sender.write('more'), [], 'nothing goes while the window is full');
  assert.equal(sender.saturated, true, 'more than a window is held: the pty should pause');
  const granted = sender.grant(10);
  assert.ok(granted.ok);
  assert.deepEqual(
    granted.value.map((c) => [c.seq, c.data.length]),
    [
      [2, 8],
      [3, 2],
    ],
  );
  assert.equal(sender.unacknowledged, 16);
});

test('a chunk never splits a character', () => {
  const sender = new StreamSender('output', { windowBytes: 8, maxChunkBytes: 5 });
  const chunks = sender.write('ab😀😀');
  assert.deepEqual(
    chunks.map((c) => c.data),
    ['ab', '😀'],
    'the emoji does not fit in the 3 bytes left of the first chunk: it starts the next',
  );
  assert.equal(sender.unacknowledged, 6, 'the second emoji does not fit in the 2 bytes left of the window');
  const next = sender.grant(2);
  assert.ok(next.ok);
  assert.deepEqual(
    next.value.map((c) => c.data),
    ['😀'],
  );
});

test('the end goes after the data, on the last chunk or alone when no credit is left', () => {
  const sender = new StreamSender('r1', LIMITS);
  const all = sender.write('hi').concat(sender.end());
  assert.deepEqual(all, [
    { stream: 'r1', seq: 0, data: 'hi', final: false },
    { stream: 'r1', seq: 1, data: '', final: true },
  ]);
  const held0 = new StreamSender('r0', LIMITS);
  held0.write('x'.repeat(17));
  const tail = held0.end();
  assert.deepEqual(tail, [], 'the end waits for credit behind the held byte');
  const last = held0.grant(8);
  assert.ok(last.ok);
  assert.deepEqual(last.value, [{ stream: 'r0', seq: 2, data: 'x', final: true }], 'then rides on the last chunk');
  const busy = new StreamSender('r2', LIMITS);
  busy.write('x'.repeat(16));
  assert.deepEqual(
    busy.end(),
    [{ stream: 'r2', seq: 2, data: '', final: true }],
    'an empty final chunk needs no credit',
  );
  const held = new StreamSender('r3', LIMITS);
  held.write('x'.repeat(20));
  assert.deepEqual(held.end(), [], 'the end waits behind the held bytes');
  const rest = held.grant(16);
  assert.ok(rest.ok);
  assert.deepEqual(
    rest.value.map((c) => [c.data.length, c.final]),
    [[4, true]],
  );
});

test('a grant of more than was sent, a chunk out of order or beyond the window are refusals', () => {
  const sender = new StreamSender('output', LIMITS);
  sender.write('abc');
  const over = sender.grant(4);
  assert.equal(over.ok, false);
  assert.equal(!over.ok && over.refusal.code, 'flow-violation');

  const receiver = new StreamReceiver('output', LIMITS);
  const skipped = receiver.receive({ stream: 'output', seq: 1, data: 'x', final: false });
  assert.equal(!skipped.ok && skipped.refusal.code, 'flow-violation');
  assert.ok(receiver.receive({ stream: 'output', seq: 0, data: 'x'.repeat(8), final: false }).ok);
  assert.ok(receiver.receive({ stream: 'output', seq: 1, data: 'x'.repeat(8), final: false }).ok);
  const flood = receiver.receive({ stream: 'output', seq: 2, data: 'x', final: false });
  assert.equal(!flood.ok && flood.refusal.code, 'flow-violation', 'a sender ignoring the window is caught');
  const wrong = receiver.receive({ stream: 'other', seq: 2, data: '', final: false });
  assert.equal(wrong.ok, false);
});

test('the receiver grants in batches of half a window', () => {
  const receiver = new StreamReceiver('output', LIMITS);
  receiver.receive({ stream: 'output', seq: 0, data: 'x'.repeat(8), final: false });
  assert.equal(receiver.consumed(7), undefined);
  assert.deepEqual(receiver.consumed(1), { stream: 'output', bytes: 8 });
  assert.equal(receiver.unacknowledged, 0);
  assert.throws(() => receiver.consumed(1), /only 0 are waiting/);
});

type Op =
  | { kind: 'write'; text: string }
  | { kind: 'deliver' }
  | { kind: 'consume'; fraction: number }
  | { kind: 'credit' }
  | { kind: 'end' };

const text = fc.string({ unit: fc.constantFrom('a', 'é', '日', '😀', '\n', 'Z'), maxLength: 30 });
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: text.map((t) => ({ kind: 'write' as const, text: t })) },
  { weight: 3, arbitrary: fc.constant({ kind: 'deliver' as const }) },
  {
    weight: 3,
    arbitrary: fc.double({ min: 0, max: 1, noNaN: true }).map((f) => ({ kind: 'consume' as const, fraction: f })),
  },
  { weight: 2, arbitrary: fc.constant({ kind: 'credit' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'end' as const }) },
);
const limits = fc
  .tuple(fc.integer({ min: 8, max: 64 }), fc.integer({ min: 4, max: 64 }))
  .map(([windowBytes, chunk]) => ({ windowBytes, maxChunkBytes: Math.min(chunk, windowBytes) }));

test('property: under any interleaving the bound holds and every byte arrives once, in order', () => {
  fc.assert(
    fc.property(limits, fc.array(op, { maxLength: 120 }), (lim, ops) => {
      const sender = new StreamSender('s', lim);
      const receiver = new StreamReceiver('s', lim);
      const toPage: StreamChunk[] = [];
      const toDevice: CreditGrant[] = [];
      let written = '';
      let received = '';
      let unconsumed = 0;
      let ended = false;
      const check = () => {
        assert.ok(sender.unacknowledged <= lim.windowBytes, 'the sender exceeded its window');
        const inTransit = toPage.reduce((n, c) => n + utf8Length(c.data), 0);
        assert.ok(inTransit + receiver.unacknowledged <= lim.windowBytes, 'more than a window between the two ends');
      };
      const step = (o: Op) => {
        if (o.kind === 'write' && !ended) {
          written += o.text;
          toPage.push(...sender.write(o.text));
        } else if (o.kind === 'end' && !ended) {
          ended = true;
          toPage.push(...sender.end());
        } else if (o.kind === 'deliver' && toPage.length > 0) {
          const got = receiver.receive(toPage.shift()!);
          assert.ok(got.ok, got.ok ? '' : got.refusal.message);
          received += got.value.data;
          unconsumed += utf8Length(got.value.data);
        } else if (o.kind === 'consume') {
          const n = Math.floor(unconsumed * o.fraction);
          unconsumed -= n;
          const grant = receiver.consumed(n);
          if (grant) toDevice.push(grant);
        } else if (o.kind === 'credit' && toDevice.length > 0) {
          const granted = sender.grant(toDevice.shift()!.bytes);
          assert.ok(granted.ok);
          toPage.push(...granted.value);
        }
        check();
      };
      ops.forEach(step);
      // Then the page reads everything: the stream must drain completely, without a deadlock.
      if (!ended) step({ kind: 'end' });
      for (let guard = 0; !receiver.finished; guard++) {
        assert.ok(guard < 10_000, 'the stream did not drain: a deadlock');
        step({ kind: 'deliver' });
        step({ kind: 'consume', fraction: 1 });
        step({ kind: 'credit' });
      }
      assert.equal(received, written);
      assert.equal(toPage.length, 0);
    }),
    { numRuns: 500 },
  );
});

test('the wire schemas: a terminal request, a refusal and a result schema per request', () => {
  const open = ToolRequest.parse({ type: 'tool.open', toolId: 'tab-1', tool: 'cmd', account: { kind: 'agent' } });
  assert.equal(open.type, 'tool.open');
  assert.equal(ToolRequest.safeParse({ type: 'tool.open', toolId: 'a b', tool: 'cmd' }).success, false);
  assert.equal(ToolRequest.safeParse({ type: 'terminal.input', toolId: 't', data: 'x'.repeat(16_385) }).success, false);
  const refusal = ToolEvent.parse({ type: 'tool.refused', toolId: 't', code: 'not-installed', message: 'PowerShell…' });
  assert.equal(refusal.type, 'tool.refused');
  const reg = ToolRequest.parse({
    type: 'registry',
    toolId: 'r',
    requestId: 'q1',
    request: { op: 'set-value', key: 'HKLM\\SOFTWARE\\x', value: { name: 'n', type: 'REG_DWORD', data: 1 } },
  });
  assert.ok(reg.type === 'registry');
  assert.equal(resultSchemaFor(reg).safeParse({ key: 'HKLM\\SOFTWARE\\x' }).success, true);
  assert.equal(
    ToolRequest.safeParse({ ...reg, request: { ...reg.request, value: { name: 'n', type: 'REG_DWORD', data: -1 } } })
      .success,
    false,
    'a DWORD cannot be negative',
  );
});
