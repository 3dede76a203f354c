/**
 * A capture of the secure desktop as the bands the relay carries (src/shared/secure-desktop-stream.ts):
 * cut into bands of SECURE_DESKTOP_BAND_ROWS rows, each compared with the same band of the last
 * capture sent (SHA-256 of its pixels) and deflated only when it changed; a band whose deflate
 * is over the per-message limit is cut in halves until each part fits. A capture of another size
 * or origin than the last starts again: every band is sent.
 */
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { deflate } from 'node:zlib';
import type { Frame } from '../platform/secure-desktop/pipe-codec.js';
import {
  bandSpan,
  MAX_SECURE_DESKTOP_FRAME_BYTES,
  SECURE_DESKTOP_BAND_ROWS,
  type SecureDesktopFrame,
} from '../shared/secure-desktop-stream.js';

const deflateAsync = promisify(deflate);

/** What was sent of the last capture: its geometry, and each band's hash. */
export interface SentBands {
  geometry: string;
  hashes: string[];
}

/** The bands of `frame` that differ from what was sent (all of them after `null` or a new geometry). */
export async function changedBands(
  frame: Frame,
  sent: SentBands | null,
  bandRows = SECURE_DESKTOP_BAND_ROWS,
): Promise<{ bands: SecureDesktopFrame[]; sent: SentBands }> {
  const { width, height, left, top, pixels } = frame;
  const geometry = `${width}x${height}@${left},${top}`;
  const before = sent?.geometry === geometry ? sent.hashes : [];
  const hashes: string[] = [];
  const bands: SecureDesktopFrame[] = [];
  for (let y = 0, i = 0; y < height; y += bandRows, i++) {
    const rows = Math.min(bandRows, height - y);
    const { offset, length } = bandSpan({ width, y, rows });
    const hash = createHash('sha256')
      .update(pixels.subarray(offset, offset + length))
      .digest('hex');
    hashes.push(hash);
    if (before[i] === hash) continue;
    bands.push(...(await deflated(frame, y, rows)));
  }
  return { bands, sent: { geometry, hashes } };
}

/** Rows y … y+rows-1 deflated, as one band or, when that is over the limit, as the bands of its two halves. */
async function deflated(frame: Frame, y: number, rows: number): Promise<SecureDesktopFrame[]> {
  const { width, height, left, top, pixels } = frame;
  const { offset, length } = bandSpan({ width, y, rows });
  const data = await deflateAsync(pixels.subarray(offset, offset + length), { level: 6 });
  // One row is at most 64 KiB of BGRA (16384 px), and deflate adds a few bytes to what it cannot shrink: it fits.
  if (data.byteLength > MAX_SECURE_DESKTOP_FRAME_BYTES && rows > 1) {
    const half = Math.ceil(rows / 2);
    return [...(await deflated(frame, y, half)), ...(await deflated(frame, y + half, rows - half))];
  }
  return [{ width, height, left, top, y, rows, encoding: 'bgra-deflate', data }];
}
