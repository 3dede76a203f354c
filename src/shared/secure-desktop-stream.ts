/**
 * What comes back from the device's secure desktop (a UAC prompt, the Ctrl+Alt+Del screen, the
 * logon screen): its state and its frames, as the agent sends them to the relay and the relay to
 * the assistance's admitted operator (docs/secure-desktop.md). One schema for both hops. Frames
 * are few (a dialog, not video): the helper's BGRA, cut into bands of whole rows, each band
 * compressed on its own with zlib's deflate (Node's zlib on the agent, the browser's
 * DecompressionStream('deflate') in the viewer) and sent as one message, so that a whole logon
 * screen fits through the relay's per-message limit whatever it shows, and only the bands that
 * changed are sent again. The viewer puts each band at its rows of one canvas. The host is told
 * only that the secure desktop is up.
 */
import { z } from 'zod';

/** Compressed bytes of one band; under the relay's per-message limit (256 KiB) with room for the rest. */
export const MAX_SECURE_DESKTOP_FRAME_BYTES = 224 * 1024;
/** Largest side of a frame, in pixels (the virtual screen of a few 4K monitors). */
export const MAX_SECURE_DESKTOP_SIDE = 16384;
/**
 * Rows of a band as the agent first cuts a capture (1920 px wide: 480 KiB of BGRA, a few KiB
 * deflated for a dialog); a band that deflates to more than the limit is cut in halves until it
 * fits (one row of the widest frame is 64 KiB, so it always does).
 */
export const SECURE_DESKTOP_BAND_ROWS = 64;

const int32 = z.number().int().min(-0x80000000).max(0x7fffffff);
const side = z.number().int().min(1).max(MAX_SECURE_DESKTOP_SIDE);

/** Node (relay, agent) hands binary over as a Buffer (a Uint8Array), the browser as an ArrayBuffer. */
const bytes = z
  .custom<Uint8Array | ArrayBuffer>((v) => v instanceof Uint8Array || v instanceof ArrayBuffer, 'bytes')
  .refine((v) => v.byteLength <= MAX_SECURE_DESKTOP_FRAME_BYTES, {
    message: `a secure-desktop band is at most ${MAX_SECURE_DESKTOP_FRAME_BYTES} bytes compressed`,
  });

/** One band of a capture: the whole frame's size and origin, and rows `y` … `y + rows - 1` of its pixels. */
export const SecureDesktopFrame = z
  .object({
    /** The whole frame (the virtual screen): a band of another size or origin starts a new picture. */
    width: side,
    height: side,
    /** The virtual screen's origin: pointer input goes in these coordinates. */
    left: int32,
    top: int32,
    /** The band's first row in the frame, and how many rows it carries. */
    y: z
      .number()
      .int()
      .min(0)
      .max(MAX_SECURE_DESKTOP_SIDE - 1),
    rows: side,
    /** width × rows × 4 bytes BGRA, rows top-down, compressed with zlib (RFC 1950). */
    encoding: z.literal('bgra-deflate'),
    data: bytes,
  })
  .refine((f) => f.y + f.rows <= f.height, { message: 'a band lies inside its frame', path: ['rows'] });
export type SecureDesktopFrame = z.infer<typeof SecureDesktopFrame>;

/** Where a band's inflated bytes go in the whole frame's (width × height × 4), and how many there must be. */
export function bandSpan(band: Pick<SecureDesktopFrame, 'width' | 'y' | 'rows'>): { offset: number; length: number } {
  return { offset: band.y * band.width * 4, length: band.rows * band.width * 4 };
}

/** The input desktop is a secure one (not the user's Default) or is back to the user's. */
export const SecureDesktopUp = z.boolean();
