/**
 * The host sends only what the operator looks at: the whole-screen capture (one surface, all
 * displays: X11's root window) goes through Chromium's breakout box (MediaStreamTrackProcessor →
 * MediaStreamTrackGenerator), and each frame leaves cropped to the shown display. The rectangle is
 * in desktop pixels; the frame's own size may differ (the capture scales), so it is scaled per
 * frame. The crop copies no pixels: a frame leaves as the capture's frame with a narrower visible
 * rectangle, which the encoder takes as the frame's size (checked through WebRTC in Debian's
 * Chromium: a 640-pixel-wide display arrives 640 wide). A capture may pause (some
 * capturers send frames only as the screen changes), and the encoder cannot ask a generated track
 * for a fresh frame: a frame is sent at once when a display is newly chosen or a connection is
 * new (and every frame for FREE_AFTER_REFRESH_MS after a new connection), a couple of times
 * (STILL_RESENDS, STILL_RESEND_MS apart) once the screen is still, so that
 * the encoder, which sends a still picture's first frame rough, refines it (a frame every second
 * cost about 11 kB/s), and then every STILL_REPAIR_MS: the capture's next frame, or its last one
 * kept, sent again.
 * A frame the same as the one before is not sent: X11's capture delivers frames at its full rate
 * whether or not anything changed, and each costs an encode and bytes (docs/performance.md). The
 * comparison reads the frame's pixels (copyTo) and stops at the first difference.
 * Every frame leaves with a time of this page's clock, always later than the one before.
 */
import type { Rect } from '../../shared/display-view';

/** Chromium's breakout box, not in TypeScript's DOM library yet. */
declare global {
  class MediaStreamTrackProcessor<T> {
    constructor(init: { track: MediaStreamTrack });
    readonly readable: ReadableStream<T>;
  }
  class MediaStreamTrackGenerator<T> extends MediaStreamTrack {
    constructor(init: { kind: 'video' | 'audio' });
    readonly writable: WritableStream<T>;
  }
}

export interface DisplayCrop {
  /** The cropped picture, to send instead of the capture's own track. */
  track: MediaStreamTrack;
  /** What to show: `shown` within the captured surface `surface` (both in desktop pixels). */
  show(shown: Rect, surface: Rect): void;
  /** Sends a frame soon, still screen or not (a new connection's encoder waits for one). */
  refresh(): void;
  stop(): void;
}

/** How often the idle timer looks; a chosen display is sent within this. */
const IDLE_MS = 200;
/**
 * After a new connection, every frame is sent for this long (still or not): its receiver may have
 * missed the first key frame or asks for one, and Allow → first frame waited for the next refresh.
 */
const FREE_AFTER_REFRESH_MS = 500;
/** How long the screen may stay still before a frame is sent again, and how often (the encoder converges by then). */
const STILL_RESEND_MS = 1_000;
const STILL_RESENDS = 2;
/**
 * After those, a frame every STILL_REPAIR_MS: a frame the operator lost on a still screen (the
 * encoder can send a key frame only when it is given one) is mended within this at worst.
 */
const STILL_REPAIR_MS = 10_000;

/** Whether two frames' pixels (copied out) are the same; `a` and `b` are the same length. */
function samePixels(a: ArrayBuffer, b: ArrayBuffer): boolean {
  const words = a.byteLength >> 2;
  const x = new Uint32Array(a, 0, words);
  const y = new Uint32Array(b, 0, words);
  for (let i = 0; i < words; i++) if (x[i] !== y[i]) return false;
  const tailX = new Uint8Array(a, words << 2);
  const tailY = new Uint8Array(b, words << 2);
  for (let i = 0; i < tailX.length; i++) if (tailX[i] !== tailY[i]) return false;
  return true;
}

/** Tells whether each frame differs from the one before (two buffers, reused). */
function changeDetector() {
  let previous: ArrayBuffer | null = null;
  let spare: ArrayBuffer | null = null;
  return async (frame: VideoFrame): Promise<boolean> => {
    const size = frame.allocationSize();
    const buffer = spare?.byteLength === size ? spare : new ArrayBuffer(size);
    await frame.copyTo(buffer);
    const changed = previous?.byteLength !== size || !samePixels(previous, buffer);
    spare = previous;
    previous = buffer;
    return changed;
  };
}

/** I420 frames crop on even pixels (a chroma sample covers two). */
const even = (v: number) => Math.max(0, Math.floor(v / 2) * 2);

export function cropCapture(capture: MediaStreamTrack): DisplayCrop {
  const processor = new MediaStreamTrackProcessor<VideoFrame>({ track: capture });
  const generator = new MediaStreamTrackGenerator<VideoFrame>({ kind: 'video' });
  // A screen, not a camera: WebRTC keeps its resolution (and drops frames) when short of
  // bandwidth or CPU, as it does for the capture's own track; a generated track has no hint.
  generator.contentHint = 'detail';
  let shown: Rect | null = null;
  let surface: Rect | null = null;
  /** The capture's last frame, kept to send again (see above). */
  let last: VideoFrame | null = null;
  let lastTime = 0;
  /** Microseconds, later than any frame sent before. */
  const clock = () => (lastTime = Math.max(lastTime + 1, Math.round(performance.now() * 1000)));

  const keep = (frame: VideoFrame) => {
    last?.close();
    last = frame;
  };

  /** A new frame of the last frame's shown region, at this page's time. */
  const crop = (): VideoFrame | null => {
    const frame = last;
    if (!frame) return null;
    const timestamp = clock();
    const whole = () => new VideoFrame(frame, { timestamp });
    if (!shown || !surface) return whole();
    const sx = frame.codedWidth / surface.width;
    const sy = frame.codedHeight / surface.height;
    const x = even((shown.x - surface.x) * sx);
    const y = even((shown.y - surface.y) * sy);
    const width = Math.min(frame.codedWidth - x, even(shown.width * sx));
    const height = Math.min(frame.codedHeight - y, even(shown.height * sy));
    if (width <= 0 || height <= 0) return whole();
    return new VideoFrame(frame, {
      visibleRect: { x, y, width, height },
      displayWidth: width,
      displayHeight: height,
      timestamp,
    });
  };

  /** When a frame was last sent, and the capture's last frame came (performance.now()); whether one is due. */
  let lastSent = 0;
  let lastFrameAt = 0;
  let due = false;
  /** Until when (performance.now()) every frame is sent: just after a new connection. */
  let freeUntil = 0;
  /** Frames sent again since the screen last changed. */
  let resends = 0;
  const changed = changeDetector();
  /** Whether the last frame compared was the same as the one before it, and whether a comparison runs. */
  let still = false;
  let comparing = false;
  let out: TransformStreamDefaultController<VideoFrame> | null = null;
  const send = () => {
    const frame = crop();
    if (frame) out?.enqueue(frame);
    lastSent = performance.now();
  };
  const pass = (f: VideoFrame) => {
    keep(f);
    send();
  };
  let pending: VideoFrame | null = null;
  let stopped = false;
  const compare = (f: VideoFrame) => {
    comparing = true;
    const wasStill = still;
    if (!wasStill) pass(f);
    const copy = f.clone();
    void changed(copy)
      .catch(() => true)
      .then((differs) => {
        copy.close();
        comparing = false;
        if (stopped) return f.close();
        still = !differs;
        if (differs) resends = 0;
        if (wasStill && differs) pass(f);
        else if (wasStill) f.close();
        const next = pending;
        pending = null;
        if (next) compare(next);
      })
      .catch(() => undefined); // the stream ended meanwhile
  };
  const transform = new TransformStream<VideoFrame, VideoFrame>({
    start: (controller) => {
      out = controller;
    },
    transform: (f) => {
      // While the screen moves, each frame leaves at once (compared meanwhile, to learn when it
      // stops); while it is still, a frame leaves only once it compared different. A frame that
      // comes during a comparison goes too while moving; while still, the latest one waits its turn.
      lastFrameAt = performance.now();
      // A frame is due (a display newly chosen, a still screen's refresh): this one goes as it is.
      if (due) {
        due = false;
        return pass(f);
      }
      // A new connection: every frame goes for a moment, still screen or not (its encoder's first
      // key frame may be lost or asked again, and the first one after a connection is rough).
      if (lastFrameAt < freeUntil) return pass(f);
      if (!comparing) return compare(f);
      if (!still) return pass(f);
      pending?.close();
      pending = f;
    },
  });
  const idle = setInterval(() => {
    const now = performance.now();
    if (now - lastSent >= (resends < STILL_RESENDS ? STILL_RESEND_MS : STILL_REPAIR_MS)) {
      resends++;
      due = true;
    }
    // A capture that sends nothing on a still screen: its last frame again. (Chromium's X11
    // capture sends frames all the time, and a frame made again of one already sent does not
    // reach the encoder there: the next capture frame goes instead, above.)
    if (!due || now - lastFrameAt < IDLE_MS) return;
    due = false;
    try {
      send();
    } catch {
      // the stream ended meanwhile: nothing to show any more
    }
  }, IDLE_MS);
  const abort = new AbortController();
  processor.readable
    .pipeThrough(transform, { signal: abort.signal })
    .pipeTo(generator.writable, { signal: abort.signal })
    .catch(() => undefined); // the capture ended or was stopped: the generated track ends with it
  const release = () => {
    stopped = true;
    clearInterval(idle);
    pending?.close();
    pending = null;
    last?.close(); // the capture's frame goes back to it, so that a new capture can start
    last = null;
  };
  // The capture's own end (the user stopped sharing) is the generated track's end too.
  capture.addEventListener('ended', () => {
    release();
    generator.stop();
  });
  return {
    track: generator,
    show: (s, all) => {
      shown = s;
      surface = all;
      due = true; // the next frame shows the new view
    },
    refresh: () => {
      due = true;
      freeUntil = performance.now() + FREE_AFTER_REFRESH_MS;
    },
    stop: () => {
      release();
      abort.abort();
      generator.stop();
    },
  };
}
