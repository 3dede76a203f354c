/**
 * Session recording's contract, shared by the relay, the operator's main process and the pages: what
 * one chunk of a recording carries (a slice of the operator's MediaRecorder WebM of the remote screen
 * and the input events of that slice: pointer events and key names only, printable keys counted and
 * never stored), how the operator's app uploads it (POST to the operators' API, its bearer token), and
 * what the console shows of a recording (each chunk's place in the audited chain). No Node imports:
 * pages import this.
 */
import { z } from 'zod';
import { API_PREFIX } from './relay-api.js';

/** How long the relay waits for the next chunk of a recorded assistance before ending it ('recording-failed'). */
export const RECORDING_SILENCE_MS = 30_000;
/** How often the operator's app cuts a chunk (MediaRecorder's timeslice): a crash loses at most this much. */
export const RECORDING_SLICE_MS = 5_000;
/** The most bytes of video one chunk carries (5 s of the remote screen is far less). */
export const RECORDING_CHUNK_MAX_BYTES = 8 * 1024 * 1024;
/** The most input events one chunk carries; further ones in the same slice are counted, not kept. */
export const RECORDING_EVENTS_MAX = 4000;

/**
 * One input event as the recording keeps it, `t` ms since the recording's part began. Keys by their
 * name only when they are not printable (Enter, Tab, Control, F5…); a printable key is a count.
 */
export const RecordedInput = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('pointer'),
    t: z.number().int().nonnegative(),
    type: z.enum(['down', 'up', 'move', 'wheel']),
    /** Where on the remote screen, 0…1 of its width and height. */
    x: z.number().min(0).max(1),
    y: z.number().min(0).max(1),
    button: z.number().int().min(0).max(4).optional(),
  }),
  z.object({
    kind: z.literal('key'),
    t: z.number().int().nonnegative(),
    type: z.enum(['down', 'up']),
    /** A non-printable key's name (KeyboardEvent.key): never a character. */
    key: z.string().min(2).max(32),
  }),
  /** Printable keys pressed since the last event: how many, never which. */
  z.object({ kind: z.literal('typed'), t: z.number().int().nonnegative(), count: z.number().int().positive() }),
]);
export type RecordedInput = z.infer<typeof RecordedInput>;

/** Whether a KeyboardEvent.key is printable (a character: counted, never kept) rather than a named key. */
export function isPrintableKey(key: string): boolean {
  return [...key].length === 1;
}

/** A recording's parts: a new MediaRecorder (the viewer reopened, the operator back after a drop) starts the next. */
export const RecordingPart = z.number().int().min(0).max(999);

/** POST recordingPath(sessionId): one chunk, in order; `seq` counts the chunks of the whole recording from 0. */
export const RecordingChunkUpload = z.object({
  part: RecordingPart,
  seq: z.number().int().min(0).max(1_000_000),
  /** The WebM bytes, base64. */
  video: z
    .string()
    .max(Math.ceil(RECORDING_CHUNK_MAX_BYTES / 3) * 4)
    .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'not base64'),
  events: z.array(RecordedInput).max(RECORDING_EVENTS_MAX),
});
export type RecordingChunkUpload = z.infer<typeof RecordingChunkUpload>;
/** The relay's answer: the chunk's digest, as audited, and the next seq it expects. */
export const RecordingChunkAccepted = z.object({ sha256: z.string(), next: z.number().int() });

export const recordingPath = (sessionId: string): string => `${API_PREFIX}/recordings/${sessionId}/chunks`;
/** The most bytes such a body has (base64 video, events JSON, a little). */
export const RECORDING_BODY_MAX_BYTES = Math.ceil(RECORDING_CHUNK_MAX_BYTES / 3) * 4 + 1024 * 1024;

/**
 * A chunk as the console's check found it: `intact` (its file matches the audited digest), `expired`
 * (removed by the retention setting, which audited it), `changed` (its file differs), `reordered`
 * (its file holds another chunk's audited bytes), `removed` (its file is gone, not by retention),
 * `chain-broken` (the audit's own chain does not follow on here), `unaudited` (a file the audit never
 * saw). Only intact and expired keep the recording intact.
 */
export const ChunkStatus = z.enum([
  'intact',
  'expired',
  'changed',
  'reordered',
  'removed',
  'chain-broken',
  'unaudited',
]);
export type ChunkStatus = z.infer<typeof ChunkStatus>;

export const RecordedChunk = z.object({
  part: RecordingPart,
  seq: z.number().int(),
  at: z.string(),
  bytes: z.number().int(),
  status: ChunkStatus,
});
export type RecordedChunk = z.infer<typeof RecordedChunk>;

export const RecordingSummary = z.object({
  sessionId: z.string(),
  deviceId: z.string().nullable(),
  operator: z.string(),
  startedAt: z.string(),
  chunks: z.number().int(),
});
export type RecordingSummary = z.infer<typeof RecordingSummary>;

/** GET /console/api/recordings/:sessionId: the chain's check, chunk by chunk, and the input timeline. */
export const RecordingDetail = RecordingSummary.extend({
  /** Every chunk intact or expired (audited): nothing removed, reordered or changed. */
  intact: z.boolean(),
  chunkList: z.array(RecordedChunk),
  /** The input events of the chunks still readable and intact, `t` from their part's start. */
  timeline: z.array(RecordedInput.and(z.object({ part: RecordingPart }))),
  /** The parts that have video to play (intact chunks from the part's first on). */
  playableParts: z.array(RecordingPart),
});
export type RecordingDetail = z.infer<typeof RecordingDetail>;

/** What each status says on the console. */
export const CHUNK_STATUS_WORDS: Record<ChunkStatus, string> = {
  intact: 'intact',
  expired: 'expired (audited)',
  changed: 'changed since it was recorded',
  reordered: 'holds another chunk (reordered)',
  removed: 'removed (not by retention)',
  'chain-broken': 'the audit chain breaks here',
  unaudited: 'not in the audit trail',
};

const RecordingParams = z.object({ sessionId: z.string().regex(/^\d{9}$/, 'a session ID is nine digits') });

/**
 * The console's recordings (admins only): the list, one recording's check and timeline, a part's video;
 * and the operator in the browser's upload (any signed-in user, for the session it was admitted to).
 */
export const RECORDING_ROUTES = {
  /**
   * POST one chunk from the operator in the browser (/console/operator/), which has no app token: the
   * console session's cookie and CSRF header instead. Taken as the app's are (the relay's recordings
   * decide), only for a session whose admitted operator is this user's identity through the browser.
   */
  browserRecordingChunk: {
    method: 'POST',
    path: '/me/recordings/:sessionId/chunks',
    access: 'signed-in',
    params: RecordingParams,
    body: RecordingChunkUpload,
    what: 'recording chunk',
    bodyLimit: RECORDING_BODY_MAX_BYTES,
    status: 201,
    response: RecordingChunkAccepted,
  },
  recordings: {
    method: 'GET',
    path: '/recordings',
    access: 'admin',
    response: z.object({ recordings: z.array(RecordingSummary) }),
  },
  recording: {
    method: 'GET',
    path: '/recordings/:sessionId',
    access: 'admin',
    params: RecordingParams,
    response: RecordingDetail,
  },
  /** The WebM of one part: its intact chunks in order (video/webm, not JSON). */
  recordingVideo: {
    method: 'GET',
    path: '/recordings/:sessionId/video',
    access: 'admin',
    params: RecordingParams,
    query: z.object({ part: z.coerce.number().int().min(0).max(999).default(0) }),
    response: z.object({}),
  },
} as const;
