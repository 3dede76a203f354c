/**
 * Which part of the device's desktop the operator's video shows, shared by the host (which crops
 * its whole-screen capture to it) and the operator (which maps the pointer through it): one
 * display, or all of them (their bounding box, the surface the platform captures). A point on
 * the shown picture becomes a point on the display under it, in that display's normalised
 * coordinates, which is what the input events carry (input-events.ts).
 */
import type { DisplayInfo } from './input-events.js';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The smallest rectangle holding every display: what a whole-screen capture covers. */
export function desktopBounds(displays: DisplayInfo[]): Rect | null {
  if (displays.length === 0) return null;
  const left = Math.min(...displays.map((d) => d.x));
  const top = Math.min(...displays.map((d) => d.y));
  const right = Math.max(...displays.map((d) => d.x + d.width));
  const bottom = Math.max(...displays.map((d) => d.y + d.height));
  return { x: left, y: top, width: right - left, height: bottom - top };
}

/**
 * The display to show for a wish (a display's id, or null for all): that display while it exists;
 * else (it went away) the primary one; all when there is only all.
 */
export function resolveView(displays: DisplayInfo[], wish: string | null): string | null {
  if (wish === null) return null;
  if (displays.some((d) => d.id === wish)) return wish;
  return displays.find((d) => d.primary)?.id ?? displays[0]?.id ?? null;
}

/** The desktop rectangle a view shows. */
export function viewRect(displays: DisplayInfo[], view: string | null): Rect | null {
  const one = view === null ? undefined : displays.find((d) => d.id === view);
  return one ? { x: one.x, y: one.y, width: one.width, height: one.height } : desktopBounds(displays);
}

/**
 * A normalised point on the shown picture (its rectangle `shown`, in desktop pixels) as a point on
 * the display under it, normalised within that display; null where no display is (the gaps of an
 * uneven arrangement seen as all).
 */
export function pointOnDisplay(
  displays: DisplayInfo[],
  shown: Rect,
  p: { x: number; y: number },
): { display: string; x: number; y: number } | null {
  const dx = shown.x + p.x * shown.width;
  const dy = shown.y + p.y * shown.height;
  // The last row and column belong to the rectangle too (p = 1 is its last pixel).
  const inside = (d: DisplayInfo) => dx >= d.x && dx <= d.x + d.width && dy >= d.y && dy <= d.y + d.height;
  const d = displays.find(inside);
  if (!d) return null;
  const unit = (v: number) => Math.max(0, Math.min(1, v));
  return { display: d.id, x: unit((dx - d.x) / d.width), y: unit((dy - d.y) / d.height) };
}

export function sameDisplays(a: DisplayInfo[], b: DisplayInfo[]): boolean {
  return a.length === b.length && a.every((d, i) => JSON.stringify(d) === JSON.stringify(b[i]));
}

/** How the picker names a display: its number, size, and whether it is the primary one. */
export function displayLabel(d: DisplayInfo, index: number): string {
  return `Display ${index + 1} · ${d.width}×${d.height}${d.primary ? ' (primary)' : ''}`;
}
