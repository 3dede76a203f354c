/**
 * The host's side of several displays: what the operator sees of the device's desktop. The
 * capture covers the whole desktop (every display); the operator is sent one display of it (the
 * primary one at first) or all, as it asks (a 'view' message), cropped in display-crop.ts. The
 * display provider is read again every second, so a display added, removed or resized during the
 * session is followed: the capture's size is brought in line, the operator gets the new list,
 * and a shown display that went away gives way to the primary one. Another display, or all, only
 * where main allows it (the policy's displays.switch); taken away, the primary one is shown again.
 * Where the platform captures one display per source (Electron with several), the capture is of
 * the chosen display, and another choice swaps in a capture of that one.
 * The crop is used with one display too: it is where frames of a still screen are held back
 * (display-crop.ts), which sending the capture's own track cannot do (docs/performance.md).
 */
import type { FlxraApi } from '../../shared/api';
import { desktopBounds, resolveView, sameDisplays, viewRect, type Rect } from '../../shared/display-view';
import type { ChannelMessage, DisplayInfo } from '../../shared/input-events';
import { cropCapture } from './display-crop';
import { CAPTURE_FPS } from '../../shared/video-quality';

/** How often the displays are read again (an IPC call answered from the provider's memory). */
const DISPLAYS_EVERY_MS = 1_000;

export interface ShownDisplay {
  /** What goes to the operator: the cropped picture, and the capture's sound if it has any. */
  stream: MediaStream;
  /** The operator's choice (main allowed it): a display's id, or null for all. */
  view(wish: string | null): void;
  /** The policy took the other displays away: back to the primary one, if another (or all) is shown. */
  primaryOnly(): void;
  /** A per-display capture of another display (see below) replaces the current one, on the same connection. */
  swap(capture: MediaStream, covers: string | null): void;
  /** What a new connection is told first: the displays and what the video shows. */
  greeting(): ChannelMessage[];
  /** A frame soon (a new connection: its encoder has none while the screen is still). */
  refresh(): void;
  stop(): void;
}

/**
 * Whether the screen capture covers the whole desktop, so that a display can be cropped out of
 * it. Electron's capture sources are one per display where there are several: there main captures
 * the display the operator chose (capture-source.ts) and says which one it covers, and another
 * choice is a new capture of that display (`recapture`), swapped in on the same connection.
 */
export function capturesWholeDesktop(displays: DisplayInfo[], userAgent = navigator.userAgent): boolean {
  return displays.length <= 1 || !/\bElectron\//.test(userAgent);
}

/** What the capture covers: the whole desktop, or (see above) the one display main captured, else the primary. */
function captureSurface(displays: DisplayInfo[], covers: string | null): DisplayInfo[] {
  if (capturesWholeDesktop(displays)) return displays;
  const one = displays.find((d) => d.id === covers) ?? displays.find((d) => d.primary) ?? displays[0];
  return one ? [one] : [];
}

/** The capture's size for the desktop (or the display captured): explicit, or the track takes the viewport's. */
export function captureSize(
  displays: DisplayInfo[],
  covers: string | null = null,
): { width: number; height: number } | null {
  const all = desktopBounds(captureSurface(displays, covers));
  return all ? { width: all.width, height: all.height } : null;
}

export interface ShowOptions {
  /** The display a per-display capture covers (main says which); null: the whole desktop. */
  covers: string | null;
  /** A per-display capture is needed of another display (null: all, i.e. the primary one). */
  recapture(display: string | null): void;
  /** The sent track changes (a swapped capture): the peer sends the new one. */
  replaced(old: MediaStreamTrack, next: MediaStreamTrack): void;
}

export function showDisplays(
  api: FlxraApi,
  capture: MediaStream,
  initial: DisplayInfo[],
  send: (m: ChannelMessage) => void,
  opts: ShowOptions = { covers: null, recapture: () => undefined, replaced: () => undefined },
): ShownDisplay {
  let [video] = capture.getVideoTracks();
  let crop = cropCapture(video!);
  let covers = opts.covers;
  let displays = initial;
  let wish: string | null = resolveView(displays, displays.find((d) => d.primary)?.id ?? null);
  let shown: { display: string | null; rect: Rect } | null = null;
  const stream = new MediaStream([crop.track, ...capture.getAudioTracks()]);
  const perDisplay = () => !capturesWholeDesktop(displays);

  const apply = () => {
    const surface = captureSurface(displays, covers);
    const all = desktopBounds(surface);
    // A per-display capture shows the display it covers, whatever was wished.
    const display = perDisplay() ? (surface[0]?.id ?? null) : resolveView(surface, wish);
    const rect = viewRect(surface, display);
    if (!all || !rect) return;
    crop.show(rect, all);
    shown = { display, rect };
    send({ kind: 'showing', ...shown });
  };
  apply();

  const poll = setInterval(() => {
    void api.host
      .getDisplays()
      .then((now) => {
        if (sameDisplays(now, displays) || now.length === 0) return;
        const before = captureSize(displays, covers);
        displays = now;
        const size = captureSize(now, covers);
        if (size && (size.width !== before?.width || size.height !== before?.height))
          void video?.applyConstraints({ ...size, frameRate: CAPTURE_FPS }).catch(() => undefined);
        send({ kind: 'displays', displays });
        apply();
      })
      .catch(() => undefined);
  }, DISPLAYS_EVERY_MS);

  const choose = (w: string | null) => {
    wish = w;
    if (perDisplay() && w !== covers) return opts.recapture(w);
    apply();
  };
  return {
    stream,
    view: choose,
    primaryOnly: () => {
      const primary = displays.find((d) => d.primary)?.id ?? displays[0]?.id ?? null;
      if (wish === primary && (!perDisplay() || covers === primary)) return;
      choose(primary);
    },
    swap: (next, nextCovers) => {
      const [nextVideo] = next.getVideoTracks();
      if (!nextVideo) return;
      const old = crop;
      video = nextVideo;
      crop = cropCapture(nextVideo);
      covers = nextCovers;
      stream.removeTrack(old.track);
      stream.addTrack(crop.track);
      opts.replaced(old.track, crop.track);
      old.stop();
      apply();
    },
    greeting: () => [{ kind: 'displays', displays }, ...(shown ? [{ kind: 'showing' as const, ...shown }] : [])],
    refresh: () => crop.refresh(),
    stop: () => {
      clearInterval(poll);
      crop.stop();
    },
  };
}
