/**
 * Credit-based flow control for the tools' streams (a terminal's output, a large result), socket-free: the relay drops
 * a connection that has more than `maxQueuedBytes` waiting (docs/architecture.md, Limits), so a busy terminal must
 * never send faster than the operator's page reads. The device's sender holds output until the page has granted
 * credit for it; the page's receiver grants credit back as it consumes (renders) what it got. At any moment the bytes
 * sent and not yet granted back are at most the stream's window, whatever the order of events.
 *
 * Bytes are UTF-8 bytes of the text. A chunk never splits a character, so each chunk is valid text on its own. A
 * stream's chunks are numbered; the receiver refuses a chunk out of order or beyond the window (a refusal, as data).
 * Both ends return what to send instead of sending it, like the session table: the caller owns the socket.
 */
import { refuse, done, type ToolResult } from './tools-results.js';

export interface StreamChunk {
  stream: string;
  seq: number;
  data: string;
  /** The last chunk of the stream; it may be empty. */
  final: boolean;
}

export interface CreditGrant {
  stream: string;
  bytes: number;
}

export interface StreamLimits {
  /** Bytes that may be unacknowledged at once. At least 8 (twice the longest character). */
  windowBytes: number;
  /** The largest chunk; at most the window. At least 4. */
  maxChunkBytes: number;
}

/** 64 KiB in flight per stream and 16 KiB chunks: a few streams stay far under the relay's 1 MiB per connection. */
export const DEFAULT_STREAM_LIMITS: StreamLimits = { windowBytes: 64 * 1024, maxChunkBytes: 16 * 1024 };

/** UTF-8 length of a code point starting at `i` in `s`, and how many UTF-16 units it takes. */
function codePointAt(s: string, i: number): { bytes: number; units: number } {
  const c = s.charCodeAt(i);
  if (c < 0x80) return { bytes: 1, units: 1 };
  if (c < 0x800) return { bytes: 2, units: 1 };
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
    const d = s.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return { bytes: 4, units: 2 };
  }
  // A lone surrogate is encoded as U+FFFD: three bytes, like any other BMP character.
  return { bytes: 3, units: 1 };
}

export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length;) {
    const cp = codePointAt(s, i);
    n += cp.bytes;
    i += cp.units;
  }
  return n;
}

function checkLimits({ windowBytes, maxChunkBytes }: StreamLimits) {
  if (!Number.isInteger(windowBytes) || windowBytes < 8) throw new Error('a stream window is at least 8 bytes');
  if (!Number.isInteger(maxChunkBytes) || maxChunkBytes < 4 || maxChunkBytes > windowBytes)
    throw new Error('a chunk is at least 4 bytes and at most the window');
}

/** The device's end of one stream. */
export class StreamSender {
  private readonly held: string[] = [];
  private heldBytes = 0;
  private inFlight = 0;
  private seq = 0;
  private ending = false;
  private ended = false;

  constructor(
    readonly stream: string,
    private readonly limits: StreamLimits = DEFAULT_STREAM_LIMITS,
  ) {
    checkLimits(limits);
  }

  /** Bytes sent and not yet granted back: never more than the window. */
  get unacknowledged(): number {
    return this.inFlight;
  }

  /** Bytes written and not yet sent, waiting for credit. The source should pause while this is more than a window. */
  get heldBack(): number {
    return this.heldBytes;
  }

  /** The source (a pty) should stop reading until credit arrives: more than a window is held back. */
  get saturated(): boolean {
    return this.heldBytes >= this.limits.windowBytes;
  }

  get finished(): boolean {
    return this.ended;
  }

  /** Queue text; returns the chunks the credit allows now. Writing after end() is a programming error. */
  write(data: string): StreamChunk[] {
    if (this.ending) throw new Error(`stream ${this.stream} has ended`);
    if (data) {
      this.held.push(data);
      this.heldBytes += utf8Length(data);
    }
    return this.flush();
  }

  /** No more data: the final chunk goes once everything before it has gone. */
  end(): StreamChunk[] {
    this.ending = true;
    return this.flush();
  }

  /** The page consumed `bytes`: returns what that credit lets through. More than was in flight is a violation. */
  grant(bytes: number): ToolResult<StreamChunk[]> {
    if (!Number.isInteger(bytes) || bytes < 0 || bytes > this.inFlight)
      return refuse('flow-violation', `The panel acknowledged ${bytes} bytes, but only ${this.inFlight} were sent.`);
    this.inFlight -= bytes;
    return done(this.flush());
  }

  private flush(): StreamChunk[] {
    const out: StreamChunk[] = [];
    while (this.held.length > 0) {
      const room = Math.min(this.limits.windowBytes - this.inFlight, this.limits.maxChunkBytes);
      const piece = this.take(room);
      if (!piece) break;
      out.push(this.chunk(piece.text, false));
      this.inFlight += piece.bytes;
      this.heldBytes -= piece.bytes;
    }
    if (this.ending && !this.ended && this.held.length === 0) {
      // The last data chunk carries the end when it just went; otherwise an empty final chunk (0 bytes, no credit).
      const last = out[out.length - 1];
      if (last) last.final = true;
      else out.push(this.chunk('', true));
      this.ended = true;
    }
    return out;
  }

  /** Up to `room` bytes from the front of the held text, whole characters only. */
  private take(room: number): { text: string; bytes: number } | undefined {
    let text = '';
    let bytes = 0;
    while (this.held.length > 0) {
      const head = this.held[0]!;
      let i = 0;
      while (i < head.length) {
        const cp = codePointAt(head, i);
        if (bytes + cp.bytes > room) break;
        bytes += cp.bytes;
        i += cp.units;
      }
      text += head.slice(0, i);
      if (i < head.length) {
        this.held[0] = head.slice(i);
        break;
      }
      this.held.shift();
    }
    return bytes > 0 ? { text, bytes } : undefined;
  }

  private chunk(data: string, final: boolean): StreamChunk {
    return { stream: this.stream, seq: this.seq++, data, final };
  }
}

export type Received = { data: string; final: boolean };

/** The page's end of one stream. */
export class StreamReceiver {
  private next = 0;
  private outstanding = 0;
  private consumedNotGranted = 0;
  private ended = false;

  constructor(
    readonly stream: string,
    private readonly limits: StreamLimits = DEFAULT_STREAM_LIMITS,
  ) {
    checkLimits(limits);
  }

  get finished(): boolean {
    return this.ended;
  }

  /** Bytes received and not yet granted back. */
  get unacknowledged(): number {
    return this.outstanding;
  }

  /** A chunk arrived: its text, or a refusal when it breaks the order or the window (the stream is then unusable). */
  receive(chunk: StreamChunk): ToolResult<Received> {
    if (chunk.stream !== this.stream)
      return refuse('flow-violation', `A chunk of ${chunk.stream} reached ${this.stream}.`);
    if (this.ended) return refuse('flow-violation', `A chunk arrived after the end of ${this.stream}.`);
    if (chunk.seq !== this.next)
      return refuse('flow-violation', `Chunk ${chunk.seq} of ${this.stream} arrived where ${this.next} was due.`);
    const bytes = utf8Length(chunk.data);
    if (bytes > this.limits.maxChunkBytes || this.outstanding + bytes > this.limits.windowBytes)
      return refuse('flow-violation', `The device sent more of ${this.stream} than the panel allowed.`);
    this.next++;
    this.outstanding += bytes;
    if (chunk.final) this.ended = true;
    return done({ data: chunk.data, final: chunk.final });
  }

  /**
   * The page consumed (rendered, stored) `bytes` of what it received. Credit goes back in batches of half a window,
   * so one grant answers many chunks; a sender that is waiting always has at least half a window owed to it.
   */
  consumed(bytes: number): CreditGrant | undefined {
    const owed = this.outstanding - this.consumedNotGranted;
    if (!Number.isInteger(bytes) || bytes < 0 || bytes > owed)
      throw new Error(`consumed ${bytes} bytes of ${this.stream}, but only ${owed} are waiting`);
    this.consumedNotGranted += bytes;
    if (this.ended || this.consumedNotGranted < this.limits.windowBytes / 2) return undefined;
    const grant = { stream: this.stream, bytes: this.consumedNotGranted };
    this.outstanding -= this.consumedNotGranted;
    this.consumedNotGranted = 0;
    return grant;
  }
}
