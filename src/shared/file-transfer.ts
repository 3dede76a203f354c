/**
 * File transfer's contract, shared by the relay, both apps' main processes and their pages: the policy's limits
 * (size, refused extensions, the unattended folder), the relay's decision of each direction (in session:features),
 * the messages of the peers' own "files" data channel (offer, accept, refuse, chunks, ack, done, result, cancel,
 * and the device's folder listing), the host's start/end reports for the audit (the relay never sees the bytes),
 * and the checks both ends make of a name. docs/architecture.md, "File transfer". No Node imports: pages import this.
 */
import { z } from 'zod';
import { formatBytes } from './format-bytes.js';

export { formatBytes } from './format-bytes.js';

/** One chunk's bytes on the data channel (SCTP carries it in one message; Chromium's limit is 256 KiB). */
export const FILE_CHUNK_BYTES = 64 * 1024;
/**
 * The most bytes one call between a page and its main carries (a read of a file sent, a write of chunks received):
 * chunks that arrive while a write is under way go together in the next one, so a busy machine makes fewer calls.
 */
export const FILE_IO_BYTES = 1024 * 1024;
/** Back-pressure: the sender waits while the channel buffers more than this, until it drains below the low mark. */
export const FILE_BUFFER_HIGH = 1024 * 1024;
export const FILE_BUFFER_LOW = 256 * 1024;
/** …and while more than this is sent but not yet written at the other end (its ack): the receiver sets the pace. */
export const FILE_WINDOW_BYTES = 4 * 1024 * 1024;
/** How long a receiver keeps a partial file for a sender whose connection dropped, to resume from its offset. */
export const FILE_RESUME_GRACE_MS = 120_000;
/** The most entries one listing of a device folder carries (the rest are counted, not sent). */
export const FILE_LIST_MAX = 500;
/** The data channel's label and its pre-agreed id (negotiated: both peers create it, no in-band announcement). */
export const FILE_CHANNEL = { label: 'flxra-files', id: 42 } as const;

/** The policy's file settings (Policy.files); absent: FILES_DEFAULTS. */
export const FilesPolicy = z.object({
  /** The largest file either way, in bytes. */
  maxBytes: z
    .number()
    .int()
    .min(1)
    .max(2 ** 50),
  /** Extensions refused either way, lower-case, without the dot ("exe", "ps1"). */
  refusedExtensions: z
    .array(z.string().regex(/^[a-z0-9]{1,16}$/, 'an extension is 1 to 16 letters or digits'))
    .max(100),
  /**
   * Where files sent during unattended assistance go (nobody is signed in to own a Downloads folder): a folder on the
   * device. Unset: files to the device are refused during unattended assistance.
   */
  unattendedFolder: z.string().min(1).max(1024).optional(),
});
export type FilesPolicy = z.infer<typeof FilesPolicy>;
export const FILES_DEFAULTS: FilesPolicy = { maxBytes: 2 * 1024 ** 3, refusedExtensions: [] };

export const FileDecision = z.discriminatedUnion('allowed', [
  z.object({ allowed: z.literal(true) }),
  z.object({ allowed: z.literal(false), reason: z.string().min(1).max(500) }),
]);

/** The relay's decision for files in this assistance (SessionFeatures.files): each direction and the limits. */
export const FileFeatures = z.object({
  toDevice: FileDecision,
  fromDevice: FileDecision,
  maxBytes: FilesPolicy.shape.maxBytes,
  refusedExtensions: FilesPolicy.shape.refusedExtensions,
  unattendedFolder: FilesPolicy.shape.unattendedFolder,
});
export type FileFeatures = z.infer<typeof FileFeatures>;

export type FileDirection = 'to-device' | 'from-device';
const Id = z.string().regex(/^[A-Za-z0-9-]{8,64}$/);
const Sha256 = z.string().regex(/^[0-9a-f]{64}$/);
const Bytes = z
  .number()
  .int()
  .min(0)
  .max(2 ** 50);
const Message = z.string().max(500);

export const FileRefusalCode = z.enum([
  'not-active',
  'not-permitted',
  'bad-name',
  'refused-type',
  'too-large',
  'no-space',
  'vanished',
  'not-found',
  'exists',
  'hash-mismatch',
  'failed',
  'cancelled',
  'no-user-session',
]);
export type FileRefusalCode = z.infer<typeof FileRefusalCode>;

/**
 * Nobody is signed in on the device: the agent serves its logon screen itself and starts no host, so
 * there is no peer, no files channel and no user whose folders a file could go to or come from
 * (src/agent/logon-screen.ts). The operator's Files panel says so instead of its controls, and a file
 * dropped on the logon screen is refused at once with it.
 */
export const FILES_NO_USER_SESSION =
  'Nobody is signed in on the device: you see its logon screen, and files go to and from a signed-in user’s ' +
  'session, of which there is none. Once someone signs in there, the device’s app starts and files can be transferred.';
/** The peer (and with it the files channel) is not up yet, or dropped and is coming back. */
export const FILES_NOT_CONNECTED = 'The connection to the device is not up: files can be transferred once it is.';

/** What the sender says of a file before its bytes: its name (no folders), size and SHA-256. */
export const FileOffer = z.object({
  id: Id,
  /** The number chunks of this transfer carry in their header. */
  n: z.number().int().min(1).max(0xffffffff),
  name: z.string().min(1).max(255),
  size: Bytes,
  sha256: Sha256,
  direction: z.enum(['to-device', 'from-device']),
  /** To the device: the folder the operator picked in the device's browser; none: the user's Downloads. */
  folder: z.string().min(1).max(1024).optional(),
  /** Offered again on a new channel after a drop: the receiver answers with what it already has. */
  resume: z.boolean().optional(),
});
export type FileOffer = z.infer<typeof FileOffer>;

export const FileEntry = z.object({ name: z.string().max(255), dir: z.boolean(), size: Bytes });
export type FileEntry = z.infer<typeof FileEntry>;

export const FileListing = z.object({
  path: z.string().max(1024),
  /** The folder above, or null at the top. */
  parent: z.string().max(1024).nullable(),
  entries: z.array(FileEntry).max(FILE_LIST_MAX),
  /** How many more entries the folder has than were sent. */
  more: z.number().int().min(0),
});
export type FileListing = z.infer<typeof FileListing>;

/** The "files" data channel's control messages (JSON text); chunks are binary (encodeChunk). */
export const FileChannelMessage = z.discriminatedUnion('t', [
  z.object({ t: z.literal('offer'), offer: FileOffer }),
  /** receiver → sender: send from `offset` (0, or what a resumed transfer has already). `savedAs`: the final name. */
  z.object({ t: z.literal('accept'), id: Id, offset: Bytes, savedAs: z.string().max(255) }),
  z.object({ t: z.literal('refuse'), id: Id, code: FileRefusalCode, message: Message }),
  /** receiver → sender: written (and hashed) up to here. */
  z.object({ t: z.literal('ack'), id: Id, offset: Bytes }),
  /** sender → receiver: every byte sent. */
  z.object({ t: z.literal('done'), id: Id }),
  /** receiver → sender: verified and saved under its final name, or why not. */
  z.object({ t: z.literal('result'), id: Id, ok: z.boolean(), code: FileRefusalCode.optional(), message: Message }),
  /** either side: stop it (the other side removes what it wrote). */
  z.object({ t: z.literal('cancel'), id: Id, message: Message }),
  /** operator → host: send me this file of the device (the host offers it, or refuses). */
  z.object({ t: z.literal('fetch'), id: Id, path: z.string().min(1).max(1024) }),
  /** operator → host: list this folder of the device (none: the user's home). */
  z.object({ t: z.literal('list'), req: z.number().int().min(0), path: z.string().max(1024).optional() }),
  z.object({ t: z.literal('listing'), req: z.number().int().min(0), listing: FileListing }),
  z.object({ t: z.literal('list-failed'), req: z.number().int().min(0), message: Message }),
]);
export type FileChannelMessage = z.infer<typeof FileChannelMessage>;

/** A chunk: 4 bytes of the transfer's number, 8 of its offset (float64, big-endian), then the bytes. */
export function encodeChunk(n: number, offset: number, bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + bytes.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, n);
  view.setFloat64(4, offset);
  out.set(bytes, 12);
  return out;
}
export function decodeChunk(data: ArrayBuffer | Uint8Array): { n: number; offset: number; bytes: Uint8Array } | null {
  const u8 = data instanceof Uint8Array ? data : new Uint8Array(data);
  if (u8.length < 12) return null;
  const view = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
  return { n: view.getUint32(0), offset: view.getFloat64(4), bytes: u8.subarray(12) };
}

/** host → relay: a transfer began or ended, for the audit (name, size, direction, hash; never the bytes). */
export const FILES_REPORT_EVENT = 'files:report';
export const FilesReport = z.object({
  sessionId: z.string().regex(/^\d{9}$/),
  id: Id,
  event: z.enum(['started', 'done', 'cancelled', 'failed', 'refused']),
  direction: z.enum(['to-device', 'from-device']),
  name: z.string().min(1).max(255),
  size: Bytes,
  sha256: Sha256.optional(),
  /** Resumed from this offset after a drop. */
  resumedAt: Bytes.optional(),
  /** Who stopped it, or why it failed or was refused, in words. */
  message: Message.optional(),
});
export type FilesReport = z.infer<typeof FilesReport>;

/** What main answers an offer with (the page sends it on as accept or refuse). */
export type FileAnswer =
  { ok: true; offset: number; savedAs: string } | { ok: false; code: FileRefusalCode; message: string };
export type FileStep = { ok: true; offset: number } | { ok: false; code: FileRefusalCode; message: string };
export type FileFinish =
  { ok: true; savedAs: string; message: string } | { ok: false; code: FileRefusalCode; message: string };

/** A transfer as the host's indicator lists it (the user can stop it). */
export interface HostTransfer {
  id: string;
  name: string;
  direction: FileDirection;
  size: number;
  done: number;
  state: 'running' | 'paused' | 'saved' | 'stopped' | 'failed';
  message?: string;
  /** Bytes per second lately, and the seconds left at that speed. */
  speed?: number;
  left?: number;
}

const RESERVED_WINDOWS = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;

/**
 * Why a file's name cannot be used as it is, in words, or null: one name, no folders; the characters and names
 * Windows reserves refused everywhere, so that a name that works on one device works on all.
 */
export function nameRefusal(name: string): string | null {
  if (name.includes('/') || name.includes('\\'))
    return `“${name}” names a folder (it contains / or \\): only a file's own name can be sent.`;
  if (name === '.' || name === '..' || name.trim() === '') return `“${name}” is not a file name.`;
  // eslint-disable-next-line no-control-regex
  if (/[<>:"|?*\u0000-\u001f]/.test(name))
    return `“${name}” contains a character files cannot have on every system (< > : " | ? * or a control character).`;
  if (RESERVED_WINDOWS.test(name)) return `“${name}” is a name Windows reserves for a device.`;
  if (/[. ]$/.test(name)) return `“${name}” ends with a dot or a space, which Windows drops.`;
  if (new TextEncoder().encode(name).length > 255) return `“${name.slice(0, 40)}…” is longer than 255 bytes.`;
  return null;
}

export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot <= 0 ? '' : name.slice(dot + 1).toLowerCase();
}

/** Why the policy's limits refuse this file, or null. */
export function limitRefusal(
  name: string,
  size: number,
  limits: Pick<FileFeatures, 'maxBytes' | 'refusedExtensions'>,
): { code: 'too-large' | 'refused-type'; message: string } | null {
  if (size > limits.maxBytes)
    return {
      code: 'too-large',
      message: `“${name}” is ${formatBytes(size)}; the policy allows files of at most ${formatBytes(limits.maxBytes)}.`,
    };
  const ext = extensionOf(name);
  if (ext && limits.refusedExtensions.includes(ext))
    return { code: 'refused-type', message: `The policy does not allow .${ext} files to be transferred.` };
  return null;
}

/** "12.3 MiB/s, 4 s left", from a speed in bytes per second and what remains. */
export function progressWords(speed: number | undefined, remaining: number): string {
  if (!speed || speed <= 0) return '';
  const left = Math.ceil(remaining / speed);
  const time = left < 60 ? `${left} s` : left < 3600 ? `${Math.ceil(left / 60)} min` : `${(left / 3600).toFixed(1)} h`;
  return `${formatBytes(speed)}/s, ${time} left`;
}

/** A speed smoothed over the last few seconds: samples of (time, bytes done). */
export class SpeedMeter {
  private samples: Array<[number, number]> = [];
  add(at: number, done: number): number | undefined {
    this.samples.push([at, done]);
    while (this.samples.length > 2 && at - this.samples[0]![0] > 3000) this.samples.shift();
    const [t0, d0] = this.samples[0]!;
    return at - t0 >= 200 ? ((done - d0) * 1000) / (at - t0) : undefined;
  }
  reset(): void {
    this.samples = [];
  }
}
