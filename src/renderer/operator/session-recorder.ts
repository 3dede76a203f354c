/**
 * Records the session where the policy requires it (the relay said so at admission: `recorded` in
 * the active state): the remote screen as it arrives, through MediaRecorder (WebM), cut every
 * RECORDING_SLICE_MS, with the input events of each slice (pointer events, non-printable keys by
 * name, printable ones only counted); each chunk goes to main, which uploads it to the relay. Nothing
 * is recorded before the admission, which comes only after the user's consent. A new stream (the
 * host's peer made again) starts a new part; the chunks' numbers run on across parts. A still
 * screen sends no frames (the host holds them back), and Chromium's MediaRecorder then gives no
 * slices at all: a slice's time without one sends a chunk with no video and that slice's events, so
 * the relay still hears from the recording (it ends the session after 30 s of silence).
 */
import { create } from 'zustand';
import type { FlxraApi } from '../../shared/api';
import { isPrintableKey, RECORDING_EVENTS_MAX, RECORDING_SLICE_MS, type RecordedInput } from '../../shared/recording';
import { useOperatorStore } from './store';

type WithoutTime<T> = T extends unknown ? Omit<T, 't'> : never;
type Recorded = WithoutTime<RecordedInput>;

interface Run {
  recorder: MediaRecorder;
  part: number;
  startedAt: number;
  events: RecordedInput[];
  /** When the last chunk (with video or not) was handed on, for the still screen's empty ones. */
  lastChunkAt: number;
  idle: ReturnType<typeof setInterval>;
}

let run: Run | null = null;
let nextPart = 0;
let nextSeq = 0;
/** Uploads one after the other, in order. */
let queue: Promise<void> = Promise.resolve();
/** The last upload's refusal, for the viewer's bar (null once a chunk is taken again). */
export const useRecordingProblem = create<{ problem: string | null }>(() => ({ problem: null }));
let sliceMs = RECORDING_SLICE_MS;

/** The viewer's pointer and keys, as the recording keeps them (nothing while not recording). */
export function recordPointer(type: 'down' | 'up' | 'move' | 'wheel', x: number, y: number, button?: number): void {
  // Moves at most every 50 ms: enough to follow the pointer, far below the chunk's bound.
  const last = run?.events.findLast((e) => e.kind === 'pointer' && e.type === 'move');
  if (type === 'move' && run && last && performance.now() - run.startedAt - last.t < 50) return;
  note({ kind: 'pointer', type, x: clamp(x), y: clamp(y), ...(button === undefined ? {} : { button }) });
}

export function recordKey(key: string, down: boolean): void {
  if (!isPrintableKey(key)) return note({ kind: 'key', type: down ? 'down' : 'up', key: key.slice(0, 32) });
  if (!down) return;
  // A printable key: counted, never kept; runs of them are one count.
  const last = run?.events.at(-1);
  if (last?.kind === 'typed') last.count += 1;
  else note({ kind: 'typed', count: 1 });
}

export function startSessionRecorder(api: FlxraApi, opts: { sliceMs?: number } = {}): void {
  sliceMs = opts.sliceMs ?? RECORDING_SLICE_MS;
  const follow = () => {
    const { session, stream } = useOperatorStore.getState();
    const wanted = session.status === 'active' && session.recorded === true && stream !== null ? stream : null;
    if (run && (wanted === null || run.recorder.stream !== wanted)) stop();
    if (!run && wanted) start(api, wanted);
  };
  useOperatorStore.subscribe(follow);
  follow();
}

function start(api: FlxraApi, stream: MediaStream): void {
  const mimeType = ['video/webm;codecs=vp8', 'video/webm'].find((t) => MediaRecorder.isTypeSupported(t));
  const recorder = new MediaRecorder(stream, mimeType ? { mimeType } : {});
  const now = performance.now();
  const current: Run = {
    recorder,
    part: nextPart++,
    startedAt: now,
    events: [],
    lastChunkAt: now,
    idle: setInterval(() => {
      if (run === current && performance.now() - current.lastChunkAt >= sliceMs) hand(api, current, null);
    }, sliceMs / 2),
  };
  run = current;
  recorder.addEventListener('dataavailable', (e) => hand(api, current, e.data));
  recorder.start(sliceMs);
}

/** One chunk to main, in order: the slice's video (none on a still screen) and its events. */
function hand(api: FlxraApi, current: Run, blob: Blob | null): void {
  current.lastChunkAt = performance.now();
  const events = current.events.splice(0);
  queue = queue.then(async () => {
    const video = blob ? await base64(blob) : '';
    const answer = await api.operator
      .recordingChunk({ part: current.part, seq: nextSeq, video, events })
      .catch((err: unknown) => ({ sent: false as const, message: String(err) }));
    if (answer.sent) nextSeq = answer.next;
    useRecordingProblem.setState({ problem: answer.sent ? null : answer.message });
  });
}

function stop(): void {
  const current = run;
  run = null;
  if (current) clearInterval(current.idle);
  // Its last slice comes as one more dataavailable, uploaded like the others.
  if (current && current.recorder.state !== 'inactive') current.recorder.stop();
}

function note(event: Recorded): void {
  if (!run || run.events.length >= RECORDING_EVENTS_MAX) return;
  run.events.push({ ...event, t: Math.max(0, Math.round(performance.now() - run.startedAt)) });
}

function clamp(v: number): number {
  return Math.min(1, Math.max(0, v));
}

async function base64(blob: Blob): Promise<string> {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}
