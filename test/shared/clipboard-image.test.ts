/**
 * Clipboard images' parts (src/shared/clipboard-image.ts): an image over the limit's worth of parts comes back whole
 * on the other side, each part within what a data-channel message carries and what the schema accepts; a lost or
 * foreign part is refused in words instead of putting a broken image on a clipboard; the size in words.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  base64Bytes,
  CLIPBOARD_MAX_IMAGE_BYTES,
  ClipboardImagePart,
  clipboardImageTooLarge,
  IMAGE_PART_CHARS,
  imageParts,
  ImageAssembler,
  isPngBase64,
} from '../../src/shared/clipboard-image.js';

const png = (bytes: number) =>
  Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), randomBytes(bytes - 8)]).toString('base64');

describe('clipboard image parts', () => {
  it('puts the largest image back together from parts the schema accepts', () => {
    const image = png(CLIPBOARD_MAX_IMAGE_BYTES);
    assert.equal(base64Bytes(image), CLIPBOARD_MAX_IMAGE_BYTES);
    assert.ok(isPngBase64(image));
    const parts = imageParts(image, 'push', 7);
    assert.ok(parts.every((p) => ClipboardImagePart.safeParse(p).success && p.data.length <= IMAGE_PART_CHARS));
    // One JSON message per part stays well under Chromium's 256 KiB for a data-channel message.
    assert.ok(Math.max(...parts.map((p) => JSON.stringify(p).length)) < 64 * 1024);
    const assembler = new ImageAssembler();
    const results = parts.map((p) => assembler.add(p));
    assert.deepEqual(results.slice(0, -1), Array(parts.length - 1).fill(null));
    assert.deepEqual(results.at(-1), { done: image });
  });

  it('refuses a part that does not follow, and starts over with a new transfer', () => {
    const parts = imageParts(png(200_000), 'fetched', 1);
    const assembler = new ImageAssembler();
    assert.equal(assembler.add(parts[0]!), null);
    assert.deepEqual(assembler.add(parts[2]!), { problem: 'A part of the image was lost: send it again.' });
    assert.deepEqual(assembler.add(parts[3]!), { problem: 'A part of the image was lost: send it again.' });
    const again = imageParts(png(1000), 'fetched', 2);
    assert.ok('done' in (assembler.add(again[0]!) ?? {}));
  });

  it('says the size and the limit in words, and knows a PNG', () => {
    assert.equal(
      clipboardImageTooLarge(3.4 * 1024 * 1024),
      'The image is 3.4 MB; at most 2.0 MB is sent. Copy a smaller part of the screen.',
    );
    assert.equal(isPngBase64(Buffer.from('GIF89a....').toString('base64')), false);
  });
});
