/**
 * The device's secure desktop as one picture in the operator's page, put together from the bands
 * the agent sends through the relay (src/shared/secure-desktop-stream.ts): each band is inflated
 * (DecompressionStream('deflate')), checked against its rows, turned from BGRA into the canvas's
 * RGBA and put at its rows; a band of another size or origin starts a new picture. Bands are
 * applied one after the other, in the order they came; a reset (the secure desktop came up again,
 * or went) drops those still on their way. Whoever draws (SecureDesktopScreen.tsx) is told which
 * rows changed.
 */
import type { PageSecureDesktopFrame as Band } from '../../shared/ipc';
import { bandSpan } from '../../shared/secure-desktop-stream';

export interface Geometry {
  width: number;
  height: number;
  left: number;
  top: number;
}
export interface Picture extends Geometry {
  image: ImageData;
}
/** Told after each band: the picture, and the rows it changed (all of them for a new picture). */
export type PictureListener = (picture: Picture, rows: { y: number; rows: number }) => void;

let picture: Picture | null = null;
let generation = 0;
let queue: Promise<void> = Promise.resolve();
const listeners = new Set<PictureListener>();

export const currentPicture = (): Picture | null => picture;

export function onPicture(listener: PictureListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Forgets the picture; bands not applied yet are dropped. */
export function resetPicture(): void {
  generation++;
  picture = null;
}

/** Applies a band after those before it; `geometry` is told when a new picture starts. A broken band is dropped. */
export function addBand(band: Band, geometry: (g: Geometry) => void): void {
  const at = generation;
  queue = queue.then(async () => {
    const bgra = await inflate(band.base64).catch(() => null);
    const { offset, length } = bandSpan(band);
    if (at !== generation || !bgra || bgra.length !== length) return;
    const { width, height, left, top } = band;
    const same = picture && picture.width === width && picture.height === height;
    const fresh = !same || picture!.left !== left || picture!.top !== top;
    if (fresh) {
      picture = { width, height, left, top, image: new ImageData(width, height) };
      geometry({ width, height, left, top });
    }
    const rgba = picture!.image.data;
    for (let i = 0; i < length; i += 4) {
      rgba[offset + i] = bgra[i + 2]!;
      rgba[offset + i + 1] = bgra[i + 1]!;
      rgba[offset + i + 2] = bgra[i]!;
      rgba[offset + i + 3] = bgra[i + 3]!;
    }
    const rows = fresh ? { y: 0, rows: height } : { y: band.y, rows: band.rows };
    for (const listener of listeners) listener(picture!, rows);
  });
}

async function inflate(base64: string): Promise<Uint8Array> {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}
