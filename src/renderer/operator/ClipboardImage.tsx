/**
 * The clipboard panel's images (ClipboardPanel.tsx): the device's clipboard image as fetched, and an image for the
 * device's clipboard, pasted into the panel (Ctrl+V on its paste area), turned into PNG if it is not one, checked
 * against the size limit before it is sent (the device checks again), and sent in parts over the data channel.
 */
import { useState, type ClipboardEvent } from 'react';
import { base64Bytes, CLIPBOARD_MAX_IMAGE_BYTES, clipboardImageTooLarge } from '../../shared/clipboard-image';
import { sendImageToDevice, useClipboardStore } from './clipboard-store';

/** The bytes of a blob as base64 (in slices: String.fromCharCode takes so many arguments at most). */
async function base64Of(blob: Blob): Promise<string> {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** A pasted image as PNG: as it is if it is one, else drawn once on a canvas and encoded. */
async function pngOf(blob: Blob): Promise<string> {
  if (blob.type === 'image/png') return base64Of(blob);
  const bitmap = await createImageBitmap(blob);
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  canvas.getContext('2d')!.drawImage(bitmap, 0, 0);
  bitmap.close();
  return base64Of(await canvas.convertToBlob({ type: 'image/png' }));
}

export function DeviceImage({ png }: { png: string }) {
  return (
    <figure className="clipboard-image">
      <img
        data-testid="clipboard-image-from-device"
        alt="The image on the device's clipboard"
        src={`data:image/png;base64,${png}`}
      />
      <figcaption>The device's clipboard holds this image ({Math.ceil(base64Bytes(png) / 1024)} KB).</figcaption>
    </figure>
  );
}

/** An image for the device: `refusal` says why nothing can be sent now (policy, view only), else null. */
export function ImageToDevice({ refusal }: { refusal: string | null }) {
  const pending = useClipboardStore((s) => s.pending);
  const [png, setPng] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [sent, setSent] = useState<string | null>(null);
  const onPaste = (e: ClipboardEvent) => {
    const file = [...e.clipboardData.files].find((f) => f.type.startsWith('image/'));
    if (!file) return setProblem('The clipboard holds no image: copy one, then paste it here.');
    e.preventDefault();
    void pngOf(file)
      .then((image) => {
        const bytes = base64Bytes(image);
        setPng(image);
        setProblem(bytes > CLIPBOARD_MAX_IMAGE_BYTES ? clipboardImageTooLarge(bytes) : null);
      })
      .catch(() => setProblem('That image could not be read.'));
  };
  const sendIt = () => {
    if (!png) return;
    const bytes = base64Bytes(png);
    if (bytes > CLIPBOARD_MAX_IMAGE_BYTES) return setProblem(clipboardImageTooLarge(bytes));
    if (png === sent) return setProblem('This image is on the device already.');
    if (!sendImageToDevice(png)) return setProblem('The device is not connected just now.');
    setSent(png);
    setProblem(null);
  };
  return (
    <div className="clipboard-image-to-device">
      <div
        className="paste-area"
        tabIndex={0}
        role="region"
        aria-label="Paste an image for the device here"
        data-testid="clipboard-image-paste"
        onPaste={onPaste}
      >
        {png ? (
          <img data-testid="clipboard-image-to-device" alt="The image to send" src={`data:image/png;base64,${png}`} />
        ) : (
          'Paste an image here (Ctrl+V)'
        )}
      </div>
      <button disabled={refusal !== null || pending || png === null} onClick={sendIt}>
        Send the image to the device
      </button>
      {problem && (
        <p role="status" data-testid="clipboard-image-problem">
          {problem}
        </p>
      )}
    </div>
  );
}
