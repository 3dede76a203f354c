/**
 * Both pages' engine of the files data channel (file-transfer.ts): one side's files go out one at a time (offer,
 * the other side's accept from an offset, 64 KiB chunks with back-pressure — the channel's bufferedAmount and an
 * ack window, so the receiver's disk sets the pace —, done, the receiver's result), the other side's come in and go
 * to main (the sink) chunk by chunk in order, each acknowledged once written. Cancel from either side. When the
 * peer drops, its channel goes with it: the file being sent waits, and is offered again on the next peer's channel
 * with `resume`, the receiver answering with the offset it has. Control messages the engine does not own (fetch,
 * list, listing) go to `other`.
 */
import {
  decodeChunk,
  encodeChunk,
  FILE_BUFFER_HIGH,
  FILE_BUFFER_LOW,
  FILE_CHUNK_BYTES,
  FILE_IO_BYTES,
  FILE_WINDOW_BYTES,
  FileChannelMessage,
  type FileAnswer,
  type FileFinish,
  type FileOffer,
  type FileRefusalCode,
  type FileStep,
} from '../../shared/file-transfer';

export interface FileSource {
  read(offset: number, length: number): Promise<Uint8Array>;
}
export type FileOutcome = { ok: boolean; code?: FileRefusalCode; message: string };

export interface OutgoingHandlers {
  accepted?(savedAs: string, offset: number): void;
  /** Bytes the receiver has written. */
  progress(done: number): void;
  /** The channel dropped: it waits for the next one. */
  paused?(): void;
  ended(outcome: FileOutcome): void;
}

/** Where incoming files go: main, over IPC (the page never writes a file itself). */
export interface IncomingSink {
  offer(offer: FileOffer): Promise<FileAnswer>;
  chunk(id: string, offset: number, bytes: Uint8Array): Promise<FileStep>;
  done(id: string): Promise<FileFinish>;
  cancel(id: string, message: string): Promise<void>;
  progress?(offer: FileOffer, done: number): void;
  ended?(offer: FileOffer, outcome: FileOutcome & { savedAs?: string }): void;
}

/** A source whose read failed says why (the device's file vanished): the transfer ends with these words. */
export class SourceError extends Error {
  constructor(
    readonly code: FileRefusalCode,
    message: string,
  ) {
    super(message);
  }
}

interface Out {
  offer: FileOffer;
  source: FileSource;
  h: OutgoingHandlers;
  state: 'queued' | 'offered' | 'sending' | 'result' | 'ended';
  sent: number;
  acked: number;
}
interface In {
  offer: FileOffer;
  queue: Promise<unknown>;
  over: boolean;
  /** Chunks arrived while a write was under way: they go to main together in the next one. */
  pending: Array<{ offset: number; bytes: Uint8Array }>;
  writing: boolean;
}

export class FileChannel {
  private dc: RTCDataChannel | null = null;
  private readonly out: Out[] = [];
  private readonly incoming = new Map<string, In>();
  private readonly byNumber = new Map<number, In>();
  private wake: (() => void) | null = null;
  private nextN = 1;

  constructor(
    private readonly sink: IncomingSink,
    private readonly other: (m: FileChannelMessage) => void,
    private readonly onDrop: () => void = () => undefined,
  ) {}

  /** A number for the next outgoing offer's chunks. */
  allocate(): number {
    return this.nextN++;
  }

  /** The current peer's channel (each new peer brings one): what was being sent is offered again on it. */
  attach(dc: RTCDataChannel): void {
    this.dc = dc;
    const opened = () => {
      if (this.dc !== dc) return;
      const current = this.out[0];
      if (current && current.state !== 'queued') {
        current.state = 'queued';
        current.offer = { ...current.offer, resume: true };
      }
      this.next();
    };
    dc.bufferedAmountLowThreshold = FILE_BUFFER_LOW;
    dc.addEventListener('bufferedamountlow', () => this.poke());
    dc.addEventListener('message', (e: MessageEvent) => {
      if (this.dc === dc) this.receive(e.data as ArrayBuffer | string);
    });
    dc.addEventListener('close', () => {
      if (this.dc !== dc) return;
      this.dc = null;
      // Main keeps what was written: the sender's resumed offer continues from there, not these.
      for (const i of this.incoming.values()) i.over = true;
      this.incoming.clear();
      this.byNumber.clear();
      const current = this.out[0];
      if (current && current.state !== 'ended') current.h.paused?.();
      this.poke();
      this.onDrop();
    });
    if (dc.readyState === 'open') opened();
    else dc.addEventListener('open', opened, { once: true });
  }

  /** The session is over: nothing of it is sent or offered again on a later session's channel. */
  reset(message: string): void {
    for (const o of this.out.splice(0)) {
      o.state = 'ended';
      o.h.ended({ ok: false, code: 'cancelled', message });
    }
    for (const i of this.incoming.values()) i.over = true;
    this.incoming.clear();
    this.byNumber.clear();
    this.poke();
  }

  /** Sends a file (after those before it). */
  send(offer: FileOffer, source: FileSource, h: OutgoingHandlers): void {
    this.out.push({ offer, source, h, state: 'queued', sent: 0, acked: 0 });
    this.next();
  }

  /** Stops a transfer either way; the other side is told and removes what it wrote. */
  cancel(id: string, message: string): void {
    const o = this.out.find((x) => x.offer.id === id);
    if (o) {
      if (o.state !== 'queued') this.write({ t: 'cancel', id, message });
      return this.finishOut(o, { ok: false, code: 'cancelled', message });
    }
    const i = this.incoming.get(id);
    if (i) {
      this.write({ t: 'cancel', id, message });
      this.endIn(i, { ok: false, code: 'cancelled', message });
      void this.sink.cancel(id, message);
    }
  }

  /** A control message of the caller's own (fetch, list, listing). */
  write(m: FileChannelMessage): boolean {
    if (this.dc?.readyState !== 'open') return false;
    this.dc.send(JSON.stringify(m));
    return true;
  }

  private next(): void {
    const o = this.out[0];
    if (!o || o.state !== 'queued' || this.dc?.readyState !== 'open') return;
    o.state = 'offered';
    this.write({ t: 'offer', offer: o.offer });
  }

  private receive(data: ArrayBuffer | string): void {
    if (typeof data !== 'string') return this.chunkIn(data);
    let json: unknown;
    try {
      json = JSON.parse(data);
    } catch {
      return;
    }
    const parsed = FileChannelMessage.safeParse(json);
    if (!parsed.success) return;
    const m = parsed.data;
    const o = 'id' in m ? this.out.find((x) => x.offer.id === m.id) : undefined;
    switch (m.t) {
      case 'offer':
        return this.offerIn(m.offer);
      case 'accept':
        if (!o || o.state !== 'offered') return;
        o.sent = o.acked = m.offset;
        o.state = 'sending';
        o.h.accepted?.(m.savedAs, m.offset);
        o.h.progress(m.offset);
        return void this.pump(o);
      case 'refuse':
        return o && this.finishOut(o, { ok: false, code: m.code, message: m.message });
      case 'ack':
        if (!o || m.offset < o.acked) return;
        o.acked = m.offset;
        o.h.progress(m.offset);
        return this.poke();
      case 'result':
        return o && this.finishOut(o, { ok: m.ok, ...(m.code ? { code: m.code } : {}), message: m.message });
      case 'cancel': {
        if (o) return this.finishOut(o, { ok: false, code: 'cancelled', message: m.message });
        const i = this.incoming.get(m.id);
        if (!i) return;
        this.endIn(i, { ok: false, code: 'cancelled', message: m.message });
        i.queue = i.queue.then(() => this.sink.cancel(m.id, m.message));
        return;
      }
      case 'done': {
        const i = this.incoming.get(m.id);
        if (!i) return;
        i.queue = i.queue.then(async () => {
          if (i.over) return;
          const finish = await this.sink
            .done(m.id)
            .catch((): FileFinish => ({ ok: false, code: 'failed', message: 'The file could not be saved.' }));
          this.write(
            finish.ok
              ? { t: 'result', id: m.id, ok: true, message: finish.message }
              : { t: 'result', id: m.id, ok: false, code: finish.code, message: finish.message },
          );
          this.endIn(i, finish.ok ? { ok: true, message: finish.message, savedAs: finish.savedAs } : finish);
        });
        return;
      }
      default:
        return this.other(m);
    }
  }

  private offerIn(offer: FileOffer): void {
    const i: In = { offer, queue: Promise.resolve(), over: false, pending: [], writing: false };
    this.incoming.set(offer.id, i);
    this.byNumber.set(offer.n, i);
    i.queue = this.sink
      .offer(offer)
      .catch((): FileAnswer => ({ ok: false, code: 'failed', message: 'The file could not be received.' }))
      .then((answer) => {
        if (answer.ok) {
          this.write({ t: 'accept', id: offer.id, offset: answer.offset, savedAs: answer.savedAs });
          this.sink.progress?.(offer, answer.offset);
        } else {
          this.write({ t: 'refuse', id: offer.id, code: answer.code, message: answer.message });
          this.endIn(i, answer);
        }
      });
  }

  private chunkIn(data: ArrayBuffer): void {
    const chunk = decodeChunk(data);
    const i = chunk && this.byNumber.get(chunk.n);
    if (!chunk || !i) return;
    i.pending.push({ offset: chunk.offset, bytes: chunk.bytes });
    if (i.writing) return;
    i.writing = true;
    i.queue = i.queue.then(() => this.writeIn(i));
  }

  /** Writes what is pending, in calls of at most FILE_IO_BYTES of consecutive bytes, each acknowledged once written. */
  private async writeIn(i: In): Promise<void> {
    const { id } = i.offer;
    while (!i.over && i.pending.length > 0) {
      const first = i.pending.shift()!;
      const parts = [first.bytes];
      let size = first.bytes.length;
      while (
        i.pending.length > 0 &&
        i.pending[0]!.offset === first.offset + size &&
        size + i.pending[0]!.bytes.length <= FILE_IO_BYTES
      ) {
        const next = i.pending.shift()!;
        parts.push(next.bytes);
        size += next.bytes.length;
      }
      const bytes = parts.length === 1 ? first.bytes : concat(parts, size);
      const step = await this.sink
        .chunk(id, first.offset, bytes)
        .catch((): FileStep => ({ ok: false, code: 'failed', message: 'The file could not be written.' }));
      if (i.over) break;
      if (step.ok) {
        this.write({ t: 'ack', id, offset: step.offset });
        this.sink.progress?.(i.offer, step.offset);
      } else {
        this.write({ t: 'cancel', id, message: step.message });
        this.endIn(i, step);
      }
    }
    i.writing = false;
  }

  private endIn(i: In, outcome: FileOutcome & { savedAs?: string }): void {
    if (i.over) return;
    i.over = true;
    this.incoming.delete(i.offer.id);
    this.byNumber.delete(i.offer.n);
    this.sink.ended?.(i.offer, outcome);
  }

  private async pump(o: Out): Promise<void> {
    const dc = this.dc;
    if (!dc) return;
    const live = () => o.state === 'sending' && this.dc === dc && dc.readyState === 'open';
    /** Read from the source a block at a time (FILE_IO_BYTES), sent in chunks of FILE_CHUNK_BYTES. */
    let block: Uint8Array = new Uint8Array(0);
    let blockAt = o.sent;
    while (live() && o.sent < o.offer.size) {
      if (dc.bufferedAmount > FILE_BUFFER_HIGH || o.sent - o.acked > FILE_WINDOW_BYTES) {
        await this.sleep();
        continue;
      }
      if (o.sent >= blockAt + block.length) {
        try {
          blockAt = o.sent;
          block = await o.source.read(o.sent, Math.min(FILE_IO_BYTES, o.offer.size - o.sent));
        } catch (err) {
          const message = err instanceof Error ? err.message : 'The file could not be read.';
          const code = err instanceof SourceError ? err.code : 'failed';
          this.write({ t: 'cancel', id: o.offer.id, message });
          return this.finishOut(o, { ok: false, code, message });
        }
        if (!live()) return;
        if (block.length === 0) {
          const message = `“${o.offer.name}” became shorter while it was sent.`;
          this.write({ t: 'cancel', id: o.offer.id, message });
          return this.finishOut(o, { ok: false, code: 'vanished', message });
        }
      }
      const from = o.sent - blockAt;
      const bytes = block.subarray(from, Math.min(block.length, from + FILE_CHUNK_BYTES));
      dc.send(encodeChunk(o.offer.n, o.sent, bytes) as Uint8Array<ArrayBuffer>);
      o.sent += bytes.length;
    }
    if (!live()) return;
    o.state = 'result';
    this.write({ t: 'done', id: o.offer.id });
  }

  private finishOut(o: Out, outcome: FileOutcome): void {
    if (o.state === 'ended') return;
    o.state = 'ended';
    const at = this.out.indexOf(o);
    if (at >= 0) this.out.splice(at, 1);
    o.h.ended(outcome);
    this.poke();
    this.next();
  }

  /** Until an ack, the buffer's low mark, a close or a cancel (or 500 ms, should an event be missed). */
  private sleep(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(), 500);
      const done = () => {
        clearTimeout(timer);
        if (this.wake === done) this.wake = null;
        resolve();
      };
      this.wake = done;
    });
  }

  private poke(): void {
    this.wake?.();
  }
}

function concat(parts: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

type Base64Native = { toBase64?: () => string };
const nativeFromBase64 = (Uint8Array as unknown as { fromBase64?: (s: string) => Uint8Array }).fromBase64;

/** Base64 of chunks, and back (the bridges to main carry JSON): the browser's own where it has it (Chromium 140+). */
export function toBase64(bytes: Uint8Array): string {
  const native = (bytes as unknown as Base64Native).toBase64;
  if (native) return native.call(bytes);
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}
export function fromBase64(text: string): Uint8Array {
  if (nativeFromBase64) return nativeFromBase64(text);
  const s = atob(text);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}
