/**
 * Clipboard images (PNG) on the peers' data channel, beside the clipboard's text (assist-protocol.ts): the size
 * limit and its sentence, the PNG check, and the cut into parts and their reassembly. A data-channel message stays
 * well under Chromium's SCTP limit (256 KiB), so an image crosses as numbered base64 parts of one transfer, put back
 * together on the other side, which refuses what does not add up (a part out of order, too many, too large).
 * No Node imports: pages import this.
 */
import { z } from 'zod';

/** The largest PNG one transfer carries; a larger one is refused with a sentence, not cut down. */
export const CLIPBOARD_MAX_IMAGE_BYTES = 2 * 1024 * 1024;
/** Base64 characters per data-channel message of an image. */
export const IMAGE_PART_CHARS = 48 * 1024;
/** Base64 characters of the largest image (4 per 3 bytes, padded). */
export const MAX_IMAGE_BASE64 = Math.ceil(CLIPBOARD_MAX_IMAGE_BYTES / 3) * 4;
export const MAX_IMAGE_PARTS = Math.ceil(MAX_IMAGE_BASE64 / IMAGE_PART_CHARS);

/** One part of an image: operator → host (push), host → operator (fetched). */
export const ClipboardImagePart = z.object({
  kind: z.literal('clipboard-image-part'),
  transfer: z.enum(['push', 'fetched']),
  /** The transfer's number, chosen by its sender; a new one starts over. */
  id: z
    .number()
    .int()
    .nonnegative()
    .max(2 ** 31),
  index: z.number().int().nonnegative().max(MAX_IMAGE_PARTS),
  count: z.number().int().positive().max(MAX_IMAGE_PARTS),
  data: z
    .string()
    .max(IMAGE_PART_CHARS)
    .regex(/^[A-Za-z0-9+/=]*$/),
});
export type ClipboardImagePart = z.infer<typeof ClipboardImagePart>;

/** The bytes a base64 text holds. */
export function base64Bytes(base64: string): number {
  const pad = base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0;
  return Math.floor((base64.length * 3) / 4) - pad;
}

const PNG_SIGNATURE = '\x89PNG\r\n\x1a\n';

/** Whether a base64 text is a PNG (its signature); the device's clipboard gets nothing else as an image. */
export function isPngBase64(base64: string): boolean {
  try {
    return atob(base64.slice(0, 12)).startsWith(PNG_SIGNATURE);
  } catch {
    return false;
  }
}

const size = (bytes: number) =>
  bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`;

/** The refusal of an image over the limit, in words. */
export function clipboardImageTooLarge(bytes: number): string {
  return `The image is ${size(bytes)}; at most ${size(CLIPBOARD_MAX_IMAGE_BYTES)} is sent. Copy a smaller part of the screen.`;
}

/** An image's parts, to send in order. */
export function imageParts(base64: string, transfer: ClipboardImagePart['transfer'], id: number): ClipboardImagePart[] {
  const count = Math.max(1, Math.ceil(base64.length / IMAGE_PART_CHARS));
  return Array.from({ length: count }, (_, index) => ({
    kind: 'clipboard-image-part' as const,
    transfer,
    id,
    index,
    count,
    data: base64.slice(index * IMAGE_PART_CHARS, (index + 1) * IMAGE_PART_CHARS),
  }));
}

/**
 * Puts one direction's parts back together: a transfer's parts arrive in order on the channel (it is ordered and
 * reliable); a part of another transfer starts over (the one before is dropped). The whole image, once its last
 * part is in; a problem, in words, for a part that does not fit.
 */
export class ImageAssembler {
  private current: { id: number; count: number; parts: string[] } | null = null;

  add(part: ClipboardImagePart): { done: string } | { problem: string } | null {
    if (part.index === 0) this.current = { id: part.id, count: part.count, parts: [] };
    const c = this.current;
    if (!c || c.id !== part.id || c.count !== part.count || c.parts.length !== part.index) {
      this.current = null;
      return { problem: 'A part of the image was lost: send it again.' };
    }
    c.parts.push(part.data);
    if (c.parts.length < c.count) return null;
    this.current = null;
    return { done: c.parts.join('') };
  }
}
