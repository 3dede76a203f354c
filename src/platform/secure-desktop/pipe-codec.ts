/**
 * The secure-desktop helper's pipe protocol, the TypeScript side (docs/secure-desktop.md; the C
 * side is native/secure-desktop/protocol.h and must say the same). Encodes the agent's requests
 * and decodes the helper's byte stream into messages. Whatever arrives, the decoder answers with
 * data, never a throw: a body that breaks the format is a `malformed` message (the framing is
 * intact, decoding goes on); a length beyond the limit is `fatal` (the stream cannot be trusted
 * after it, nothing more is decoded). It never holds more than one message of at most
 * `maxBody` bytes plus the chunk being read.
 */
import { z } from 'zod';
import type { SecureDesktopInput } from '../../shared/secure-desktop-input.js';
import { WtsHelperOutput } from '../user-sessions/windows-wts-helper.js';

export const PROTOCOL_VERSION = 1;
export const HEADER_BYTES = 8;
/** A full 8K virtual screen in BGRA is 127 MB; 64 MiB covers two 4K screens side by side. */
export const MAX_HELPER_BODY = 64 * 1024 * 1024;
export const MAX_REQUEST_BODY = 64;

export const MSG = { hello: 0x01, desktop: 0x02, frame: 0x03, sessions: 0x04, ok: 0x05, error: 0x06 } as const;
export const REQ = { capture: 0x81, pointer: 0x82, key: 0x83, sas: 0x84, sessions: 0x85 } as const;
const FRAME_HEAD = 16;

export const Hello = z.object({
  protocol: z.number().int(),
  helper: z.string().max(64),
  pid: z.number().int().nonnegative(),
  /** The pipe's DACL as the helper read it back ("D:P(A;;GA;;;SY)" on Windows). */
  pipeSddl: z.string().max(256),
  session: z.number().int().nonnegative(),
  /** The input desktop's name: "Default", "Winlogon" (UAC prompt, Ctrl+Alt+Del, logon screen). */
  desktop: z.string().max(64),
});
export type Hello = z.infer<typeof Hello>;
const Desktop = z.object({ desktop: z.string().max(64) });
const HelperRefusal = z.object({ code: z.string().max(64), message: z.string().max(512), win32: z.number().int() });

export interface Frame {
  width: number;
  height: number;
  /** The virtual screen's origin (negative when a monitor is left of or above the primary). */
  left: number;
  top: number;
  /** width × height × 4 bytes, BGRA, rows top-down, alpha 255. */
  pixels: Buffer;
}

export type HelperMessage =
  | { kind: 'hello'; id: number; hello: Hello }
  | { kind: 'desktop'; id: number; desktop: string }
  | { kind: 'frame'; id: number; frame: Frame }
  | { kind: 'sessions'; id: number; sessions: WtsHelperOutput }
  | { kind: 'ok'; id: number }
  | { kind: 'error'; id: number; code: string; message: string; win32: number }
  /** One message broke the format; the next ones may be fine. */
  | { kind: 'malformed'; id: number; reason: string }
  /** The stream broke the format; nothing after this is decoded. */
  | { kind: 'fatal'; reason: string };

type Pointer = Extract<SecureDesktopInput, { kind: 'pointer' }>;

/** The operator's input (the relay's schema, src/shared/secure-desktop-input.ts), and the agent's own asks. */
export type HelperRequest = SecureDesktopInput | { kind: 'capture' } | { kind: 'sessions' };

/** Their indexes are the pipe's codes. */
const ACTIONS: Pointer['action'][] = ['move', 'down', 'up', 'wheel'];
const BUTTONS: NonNullable<Pointer['button']>[] = ['left', 'right', 'middle'];

function header(type: number, id: number, length: number): Buffer {
  const b = Buffer.alloc(HEADER_BYTES);
  b.writeUInt32LE(length, 0);
  b.writeUInt16LE(type, 4);
  b.writeUInt16LE(id, 6);
  return b;
}

function checkInt(name: string, v: number, min: number, max: number): void {
  if (!Number.isInteger(v) || v < min || v > max) throw new RangeError(`${name} must be an integer in ${min}..${max}`);
}

/** One request as bytes. Throws RangeError on values the format cannot carry (a caller's bug). */
export function encodeRequest(request: HelperRequest, id: number): Buffer {
  checkInt('id', id, 1, 0xffff);
  switch (request.kind) {
    case 'pointer': {
      checkInt('x', request.x, -0x80000000, 0x7fffffff);
      checkInt('y', request.y, -0x80000000, 0x7fffffff);
      const wheel = request.wheel ?? 0;
      checkInt('wheel', wheel, -0x8000, 0x7fff);
      const body = Buffer.alloc(12);
      body.writeInt32LE(request.x, 0);
      body.writeInt32LE(request.y, 4);
      body.writeUInt8(ACTIONS.indexOf(request.action), 8);
      body.writeUInt8(BUTTONS.indexOf(request.button ?? 'left'), 9);
      body.writeInt16LE(wheel, 10);
      return Buffer.concat([header(REQ.pointer, id, body.length), body]);
    }
    case 'key': {
      checkInt('vk', request.vk, 0, 0xffff);
      checkInt('scan', request.scan, 0, 0xffff);
      const body = Buffer.alloc(6);
      body.writeUInt16LE(request.vk, 0);
      body.writeUInt16LE(request.scan, 2);
      body.writeUInt8(request.down ? 1 : 0, 4);
      body.writeUInt8((request.extended ? 1 : 0) | (request.unicode ? 2 : 0), 5);
      return Buffer.concat([header(REQ.key, id, body.length), body]);
    }
    default:
      return header(REQ[request.kind], id, 0);
  }
}

function json<T>(schema: z.ZodType<T>, body: Buffer): T | string {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    return 'its body is not JSON';
  }
  const parsed = schema.safeParse(value);
  return parsed.success ? parsed.data : `its body breaks the contract: ${z.prettifyError(parsed.error)}`;
}

/** One complete message's body as a message (malformed when it breaks the format). */
export function decodeBody(type: number, id: number, body: Buffer): HelperMessage {
  const malformed = (reason: string): HelperMessage => ({ kind: 'malformed', id, reason });
  const jsonOf = <T>(schema: z.ZodType<T>, make: (v: T) => HelperMessage): HelperMessage => {
    const v = json(schema, body);
    return typeof v === 'string' ? malformed(`message 0x${type.toString(16)}: ${v}`) : make(v);
  };
  switch (type) {
    case MSG.hello:
      return jsonOf(Hello, (hello) => ({ kind: 'hello', id, hello }));
    case MSG.desktop:
      return jsonOf(Desktop, (d) => ({ kind: 'desktop', id, desktop: d.desktop }));
    case MSG.sessions:
      return jsonOf(WtsHelperOutput, (sessions) => ({ kind: 'sessions', id, sessions }));
    case MSG.error:
      return jsonOf(HelperRefusal, (e) => ({ kind: 'error', id, ...e }));
    case MSG.ok:
      return body.length === 0 ? { kind: 'ok', id } : malformed('an ok message has no body');
    case MSG.frame: {
      if (body.length < FRAME_HEAD) return malformed('a frame is shorter than its header');
      const width = body.readUInt32LE(0);
      const height = body.readUInt32LE(4);
      if (width === 0 || height === 0 || body.length - FRAME_HEAD !== width * height * 4)
        return malformed(`a ${width}×${height} frame needs ${width * height * 4} bytes of pixels`);
      const frame = { width, height, left: body.readInt32LE(8), top: body.readInt32LE(12) };
      return { kind: 'frame', id, frame: { ...frame, pixels: body.subarray(FRAME_HEAD) } };
    }
    default:
      return malformed(`unknown message type 0x${type.toString(16)}`);
  }
}

/** The helper's byte stream as messages, chunk by chunk. */
export class PipeDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private failed = false;

  constructor(private readonly maxBody = MAX_HELPER_BODY) {}

  push(chunk: Buffer): HelperMessage[] {
    if (this.failed) return [];
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const out: HelperMessage[] = [];
    for (;;) {
      if (this.buffered < HEADER_BYTES) return out;
      const head = this.peek(HEADER_BYTES);
      const length = head.readUInt32LE(0);
      if (length > this.maxBody) {
        this.failed = true;
        this.chunks = [];
        this.buffered = 0;
        out.push({ kind: 'fatal', reason: `a message of ${length} bytes is over the limit of ${this.maxBody}` });
        return out;
      }
      if (this.buffered < HEADER_BYTES + length) return out;
      const whole = this.take(HEADER_BYTES + length);
      out.push(decodeBody(whole.readUInt16LE(4), whole.readUInt16LE(6), whole.subarray(HEADER_BYTES)));
    }
  }

  /** Bytes held for a message not yet complete. */
  get pending(): number {
    return this.buffered;
  }

  private peek(n: number): Buffer {
    if (this.chunks[0]!.length < n) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0]!.subarray(0, n);
  }

  private take(n: number): Buffer {
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    // A copy: the start of the next message must not keep this (maybe large) one alive.
    const rest = Buffer.from(all.subarray(n));
    this.chunks = rest.length ? [rest] : [];
    this.buffered = rest.length;
    return all.subarray(0, n);
  }
}
