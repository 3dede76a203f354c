/**
 * Which of Electron's screen capture sources shows a given display of the device. Electron offers
 * one source per display where there are several (Windows; Linux's X11 with several RandR
 * monitors), so the Electron host captures the display the operator chose, not the whole desktop.
 * Kept apart from Electron (main/index.ts is the thin glue: desktopCapturer's sources, screen's
 * displays) so that the choice is tested under Node on recorded source lists.
 *
 * The link is `display_id`, which Electron documents as the id of the matching screen display. The
 * host's display ids are Electron's own on Windows, and the X11 provider's (RandR monitor order)
 * on Linux, which are matched to Electron's displays by their bounds. Electron leaves display_id
 * empty in places (Windows 7, the GDI capturer, older Linux) and does not match the screen API's
 * ids in others (some X11 setups): there no source is said to show the display, and no order is
 * guessed (a wrong guess would send the operator's clicks to another display than the one shown).
 */
import type { DisplayInfo } from '../../shared/input-events.js';

/** What this choice reads of a DesktopCapturerSource. */
export interface CaptureSourceLike {
  id: string;
  name: string;
  display_id: string;
}

/** What it reads of an Electron Display (screen.getAllDisplays()). */
export interface ScreenDisplayLike {
  id: number;
  bounds: { x: number; y: number; width: number; height: number };
  scaleFactor: number;
}

/** What main captures, and what that covers: the whole desktop (null), or one display (its host id). */
export interface CapturePick<S> {
  source: S;
  covers: string | null;
  /**
   * How it was found: the only screen source (the whole desktop); the wished display's own; the
   * primary display's, the wished one not being told apart; the first source, none being told
   * apart (assumed the primary one, as Electron lists it first where it is known).
   */
  matched: 'only' | 'display-id' | 'primary-instead' | 'first-assumed-primary';
}

const isScreen = (s: CaptureSourceLike) => s.id.startsWith('screen:');

/** The Electron display that is `wanted`: the same id (Windows), else the same bounds, in DIPs or in pixels. */
export function screenDisplayFor(wanted: DisplayInfo, displays: ScreenDisplayLike[]): ScreenDisplayLike | null {
  const sameId = displays.find((d) => String(d.id) === wanted.id);
  if (sameId) return sameId;
  const at = (d: ScreenDisplayLike, scale: number) =>
    Math.round(d.bounds.x * scale) === wanted.x &&
    Math.round(d.bounds.y * scale) === wanted.y &&
    Math.round(d.bounds.width * scale) === wanted.width &&
    Math.round(d.bounds.height * scale) === wanted.height;
  return displays.find((d) => at(d, 1)) ?? displays.find((d) => at(d, d.scaleFactor)) ?? null;
}

/** The screen source of `wanted` by display_id, or null where none can be told to show it (see above). */
export function sourceOfDisplay<S extends CaptureSourceLike>(
  sources: readonly S[],
  wanted: DisplayInfo,
  displays: ScreenDisplayLike[],
): S | null {
  const display = screenDisplayFor(wanted, displays);
  if (!display) return null;
  return sources.find((s) => isScreen(s) && s.display_id !== '' && s.display_id === String(display.id)) ?? null;
}

/**
 * The source to capture for the operator's wish (a display of the host's list; null: all, which a
 * per-display platform cannot capture as one, so the primary one). None: no screen source at all.
 */
export function pickCaptureSource<S extends CaptureSourceLike>(
  sources: readonly S[],
  wish: string | null,
  hostDisplays: DisplayInfo[],
  screenDisplays: ScreenDisplayLike[],
): CapturePick<S> | null {
  const screens = sources.filter(isScreen);
  if (screens.length === 0) return null;
  if (screens.length === 1) return { source: screens[0]!, covers: null, matched: 'only' };
  const primary = hostDisplays.find((d) => d.primary) ?? hostDisplays[0];
  const wanted = hostDisplays.find((d) => d.id === wish);
  const own = wanted ? sourceOfDisplay(screens, wanted, screenDisplays) : null;
  if (wanted && own) return { source: own, covers: wanted.id, matched: 'display-id' };
  const ofPrimary = primary ? sourceOfDisplay(screens, primary, screenDisplays) : null;
  if (primary && ofPrimary) return { source: ofPrimary, covers: primary.id, matched: 'primary-instead' };
  return { source: screens[0]!, covers: primary?.id ?? null, matched: 'first-assumed-primary' };
}
