/**
 * The secure-desktop pipe protocol's TypeScript side on Linux: the agent must never crash or
 * grow without bound on what comes down the helper's pipe (malformed bodies, lengths beyond the
 * limit, messages split anywhere), and it must say the same as the helper's C header.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  HEADER_BYTES,
  MAX_HELPER_BODY,
  MAX_REQUEST_BODY,
  MSG,
  PROTOCOL_VERSION,
  PipeDecoder,
  REQ,
  encodeRequest,
  type HelperMessage,
} from '../../src/platform/secure-desktop/pipe-codec.js';

function message(type: number, id: number, body: Buffer | string): Buffer {
  const b = typeof body === 'string' ? Buffer.from(body) : body;
  const head = Buffer.alloc(HEADER_BYTES);
  head.writeUInt32LE(b.length, 0);
  head.writeUInt16LE(type, 4);
  head.writeUInt16LE(id, 6);
  return Buffer.concat([head, b]);
}

function frameBody(width: number, height: number, pixels: number, left = 0, top = 0): Buffer {
  const head = Buffer.alloc(16);
  head.writeUInt32LE(width, 0);
  head.writeUInt32LE(height, 4);
  head.writeInt32LE(left, 8);
  head.writeInt32LE(top, 12);
  return Buffer.concat([head, Buffer.alloc(pixels * 4, 0x7f)]);
}

const hello = JSON.stringify({
  protocol: 1,
  helper: '1.0.0',
  pid: 4,
  pipeSddl: 'D:P(A;;GA;;;SY)',
  session: 1,
  desktop: 'Winlogon',
});

test("the TypeScript side says what the helper's C header says", () => {
  const header = readFileSync('native/secure-desktop/protocol.h', 'utf8');
  const define = (name: string) => {
    const m = new RegExp(`#define ${name} (\\S+)`).exec(header);
    assert.ok(m, `${name} is defined in protocol.h`);
    return m[1]!;
  };
  assert.equal(Number(define('FLXRA_PROTOCOL_VERSION')), PROTOCOL_VERSION);
  assert.equal(Number(define('FLXRA_HEADER_BYTES')), HEADER_BYTES);
  assert.equal(Number(define('FLXRA_MAX_REQUEST_BODY')), MAX_REQUEST_BODY);
  assert.equal(define('FLXRA_MAX_HELPER_BODY'), '(64u');
  assert.equal(MAX_HELPER_BODY, 64 << 20);
  for (const [name, value] of Object.entries(MSG))
    assert.equal(Number(define(`FLXRA_MSG_${name.toUpperCase()}`)), value);
  for (const [name, value] of Object.entries(REQ))
    assert.equal(Number(define(`FLXRA_REQ_${name.toUpperCase()}`)), value);
  assert.equal(encodeRequest({ kind: 'pointer', x: 1, y: 2, action: 'move' }, 1).length - HEADER_BYTES, 12);
  assert.equal(Number(define('FLXRA_POINTER_BYTES')), 12);
  assert.equal(encodeRequest({ kind: 'key', vk: 0x41, scan: 0x1e, down: true }, 1).length - HEADER_BYTES, 6);
  assert.equal(Number(define('FLXRA_KEY_BYTES')), 6);
});

test('requests encode as the documented little-endian layout', () => {
  const pointer = encodeRequest({ kind: 'pointer', x: -5, y: 300, action: 'wheel', button: 'middle', wheel: -120 }, 9);
  assert.deepEqual([pointer.readUInt32LE(0), pointer.readUInt16LE(4), pointer.readUInt16LE(6)], [12, REQ.pointer, 9]);
  assert.deepEqual(
    [pointer.readInt32LE(8), pointer.readInt32LE(12), pointer[16], pointer[17], pointer.readInt16LE(18)],
    [-5, 300, 3, 2, -120],
  );
  const key = encodeRequest({ kind: 'key', vk: 0x2e, scan: 0x53, down: false, extended: true }, 0xffff);
  assert.deepEqual([...key.subarray(8)], [0x2e, 0, 0x53, 0, 0, 1]);
  const typed = encodeRequest({ kind: 'key', vk: 0, scan: 0xe9, down: true, unicode: true }, 2);
  assert.equal(typed[13], 2);
  assert.deepEqual([...encodeRequest({ kind: 'sas' }, 3)], [0, 0, 0, 0, REQ.sas, 0, 3, 0]);
  assert.throws(() => encodeRequest({ kind: 'capture' }, 0), RangeError);
  assert.throws(() => encodeRequest({ kind: 'pointer', x: 1.5, y: 0, action: 'move' }, 1), RangeError);
  assert.throws(() => encodeRequest({ kind: 'pointer', x: 0, y: 0, action: 'wheel', wheel: 40_000 }, 1), RangeError);
});

test('messages decode whole, split byte by byte, or several in one chunk', () => {
  const stream = Buffer.concat([
    message(MSG.hello, 0, hello),
    message(MSG.frame, 4, frameBody(3, 2, 6, -1920, 0)),
    message(MSG.ok, 5, ''),
    message(MSG.desktop, 0, '{"desktop":"Default"}'),
    message(
      MSG.sessions,
      6,
      '[{"SessionId":1,"WinStationName":"Console","State":"WTSActive","UserName":"ana","Domain":""}]',
    ),
    message(MSG.error, 7, '{"code":"sas-unavailable","message":"No SendSAS.","win32":126}'),
  ]);
  const whole = new PipeDecoder().push(stream);
  const decoder = new PipeDecoder();
  const split: HelperMessage[] = [];
  for (const byte of stream) split.push(...decoder.push(Buffer.from([byte])));
  assert.deepEqual(split, whole);
  assert.equal(decoder.pending, 0);
  assert.deepEqual(
    whole.map((m) => [m.kind, 'id' in m ? m.id : -1]),
    [
      ['hello', 0],
      ['frame', 4],
      ['ok', 5],
      ['desktop', 0],
      ['sessions', 6],
      ['error', 7],
    ],
  );
  const frame = whole[1] as Extract<HelperMessage, { kind: 'frame' }>;
  assert.deepEqual(
    [frame.frame.width, frame.frame.height, frame.frame.left, frame.frame.pixels.length],
    [3, 2, -1920, 24],
  );
  assert.equal((whole[0] as Extract<HelperMessage, { kind: 'hello' }>).hello.desktop, 'Winlogon');
  assert.deepEqual(whole[5], { kind: 'error', id: 7, code: 'sas-unavailable', message: 'No SendSAS.', win32: 126 });
});

test('a malformed message is data, and the ones after it still decode', () => {
  const bad = [
    message(MSG.hello, 0, 'not json'),
    message(MSG.hello, 0, '{"protocol":"1"}'),
    message(MSG.frame, 1, frameBody(10, 10, 99)),
    message(MSG.frame, 2, Buffer.alloc(5)),
    message(MSG.frame, 3, frameBody(0, 10, 0)),
    message(MSG.ok, 4, 'x'),
    message(0x42, 5, ''),
    message(MSG.sessions, 6, '[{"SessionId":-1}]'),
  ];
  const out = new PipeDecoder().push(Buffer.concat([...bad, message(MSG.ok, 9, '')]));
  assert.equal(out.length, bad.length + 1);
  for (const m of out.slice(0, -1)) {
    assert.equal(m.kind, 'malformed');
    assert.ok((m as { reason: string }).reason.length > 0);
  }
  assert.deepEqual(out.at(-1), { kind: 'ok', id: 9 });
});

test('a length over the limit is fatal at once: nothing is buffered for it, nothing decoded after it', () => {
  const decoder = new PipeDecoder(1024);
  const head = Buffer.alloc(HEADER_BYTES);
  head.writeUInt32LE(0xffffffff, 0);
  head.writeUInt16LE(MSG.frame, 4);
  const out = decoder.push(Buffer.concat([message(MSG.ok, 1, ''), head, Buffer.alloc(4096)]));
  assert.deepEqual(out[0], { kind: 'ok', id: 1 });
  assert.equal(out[1]!.kind, 'fatal');
  assert.match((out[1] as { reason: string }).reason, /4294967295 bytes is over the limit of 1024/);
  assert.equal(decoder.pending, 0);
  assert.deepEqual(decoder.push(message(MSG.ok, 2, '')), []);
  assert.equal(decoder.pending, 0);
});

test('memory stays bounded by one message: a body at the limit decodes, and partial input holds only itself', () => {
  const decoder = new PipeDecoder(16 + 64 * 64 * 4);
  const big = message(MSG.frame, 1, frameBody(64, 64, 64 * 64));
  let out: HelperMessage[] = [];
  for (let i = 0; i < big.length; i += 1000) {
    out = out.concat(decoder.push(big.subarray(i, i + 1000)));
    assert.ok(decoder.pending <= big.length);
  }
  assert.equal(out.length, 1);
  assert.equal(out[0]!.kind, 'frame');
  assert.equal(decoder.pending, 0);
  const over = new PipeDecoder(16 + 64 * 64 * 4 - 1).push(big.subarray(0, HEADER_BYTES));
  assert.equal(over[0]!.kind, 'fatal');
});
