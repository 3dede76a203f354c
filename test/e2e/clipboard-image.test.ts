/**
 * Clipboard images end to end on the Xvfb rig: the device's real X clipboard (the Xvfb's CLIPBOARD selection as
 * image/png, set and read with xclip as any other program there would), the real data channel (the image in parts),
 * the real relay auditing each transfer. An image another program copied on the device is fetched by the operator and
 * its pixels are checked in the panel; one pasted into the operator's panel is sent and read back from the X
 * clipboard as PNG, its pixels checked; an image over the size limit is refused with its sentence both ways; nothing
 * crosses before the user's consent.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { joinById } from '../../dev/rig/join-by-id.js';
import { startSessionRig } from '../../dev/rig/session-rig.js';
import { eventually, until } from '../../dev/rig/until.js';
import { startXvfb } from '../../dev/rig/xvfb.js';
import { CLIPBOARD_MAX_IMAGE_BYTES } from '../../src/shared/clipboard-image.js';

let xvfb: Awaited<ReturnType<typeof startXvfb>>;
before(async () => {
  xvfb = await startXvfb({ width: 1280, height: 720 });
});
after(() => xvfb?.close());

const xclip = (...args: string[]) =>
  execFileSync('xclip', ['-selection', 'clipboard', ...args], { env: xvfb.env, maxBuffer: 64 * 1024 * 1024 });
const targets = () => {
  try {
    return xclip('-o', '-target', 'TARGETS').toString('utf8').split(/\s+/);
  } catch {
    return [];
  }
};

/** Another program on the device copies a PNG (xclip stays as the selection's owner). */
async function copyImageOnDevice(png: Buffer) {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'flxra-image-')), 'copied.png');
  writeFileSync(file, png);
  const owner = spawn('xclip', ['-selection', 'clipboard', '-i', '-target', 'image/png', file], {
    env: xvfb.env,
    stdio: 'ignore',
  });
  owner.unref();
  await until(
    'the image is on the X clipboard',
    () => targets().includes('image/png') && !targets().includes('UTF8_STRING'),
  );
}

/**
 * A PNG made in the page: left half one colour, right half another, or noise (which PNG cannot shrink) for a large one.
 */
async function makePng(page: Page, width: number, height: number, left: string, right: string, noise = false) {
  const base64 = await page.evaluate(
    async ({ width, height, left, right, noise }) => {
      const canvas = new OffscreenCanvas(width, height);
      const g = canvas.getContext('2d')!;
      if (noise) {
        const data = new ImageData(width, height);
        crypto.getRandomValues(data.data.subarray(0, 65536));
        for (let i = 65536; i < data.data.length; i += 65536)
          crypto.getRandomValues(data.data.subarray(i, Math.min(i + 65536, data.data.length)));
        for (let i = 3; i < data.data.length; i += 4) data.data[i] = 255;
        g.putImageData(data, 0, 0);
      } else {
        g.fillStyle = left;
        g.fillRect(0, 0, width / 2, height);
        g.fillStyle = right;
        g.fillRect(width / 2, 0, width / 2, height);
      }
      const bytes = new Uint8Array(await (await canvas.convertToBlob({ type: 'image/png' })).arrayBuffer());
      let binary = '';
      for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      return btoa(binary);
    },
    { width, height, left, right, noise },
  );
  return Buffer.from(base64, 'base64');
}

/** A PNG's size and the RGB of two pixels, decoded by the page (as the operator's panel shows it). */
async function pixels(page: Page, png: Buffer, points: Array<[number, number]>) {
  return page.evaluate(
    async ({ base64, points }) => {
      const blob = new Blob([Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))], { type: 'image/png' });
      const bitmap = await createImageBitmap(blob);
      const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
      const g = canvas.getContext('2d')!;
      g.drawImage(bitmap, 0, 0);
      return {
        size: [bitmap.width, bitmap.height],
        rgb: points.map(([x, y]) => [...g.getImageData(x, y, 1, 1).data.slice(0, 3)]),
      };
    },
    { base64: png.toString('base64'), points },
  );
}

/** The operator pastes a PNG into the panel's paste area (a real paste event with the image as its file). */
async function pasteInPanel(page: Page, png: Buffer) {
  await page.getByTestId('clipboard-image-paste').evaluate((area, base64) => {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const data = new DataTransfer();
    data.items.add(new File([bytes], 'pasted.png', { type: 'image/png' }));
    area.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  }, png.toString('base64'));
}

test('clipboard images: fetched from the X clipboard and sent to it, pixels checked, the size limit, audited', async (t) => {
  const rig = await startSessionRig(xvfb.display);
  t.after(() => rig.close());
  const { host, operator, relay } = rig;
  const op = operator.page;
  const sessionId = await joinById(rig);
  // Before the user answered: main refuses an image both ways, the X clipboard untouched.
  await host.page.getByTestId('consent').waitFor();
  const early = await makePng(op, 2, 2, '#000000', '#ffffff');
  await copyImageOnDevice(early);
  const earlyIn = await host.session.assist.imageToDevice(early.toString('base64'));
  assert.equal(earlyIn.ok ? 'ok' : earlyIn.code, 'not-active');
  const earlyOut = await host.session.assist.fromDevice();
  assert.equal(earlyOut.ok ? 'ok' : earlyOut.code, 'not-active');
  assert.deepEqual(xclip('-o', '-target', 'image/png'), early);
  await host.page.getByRole('button', { name: 'Allow control' }).click();
  await op
    .getByTestId('viewer-toolbar')
    .getByRole('button', { name: 'Clipboard', exact: true })
    .click({ timeout: 10_000 });
  const panel = op.getByTestId('panel-clipboard');
  await panel.getByTestId('clipboard-panel').waitFor();
  const trail = () =>
    relay.handle.audit
      .query({ sessionId })
      .filter((e) => e.action === 'clipboard.transferred')
      .sort((a, b) => a.id - b.id)
      .map((e) => ({ result: e.result, ...e.detail }));

  // Device → operator: a red | blue image another program copied, shown in the panel with its pixels.
  const copied = await makePng(op, 6, 4, '#ff0000', '#0000ff');
  await copyImageOnDevice(copied);
  await panel.getByRole('button', { name: "Get the device's clipboard" }).click();
  const shown = panel.getByTestId('clipboard-image-from-device');
  await shown.waitFor({ timeout: 10_000 });
  const shownPixels = await shown.evaluate((img: HTMLImageElement) => {
    const canvas = new OffscreenCanvas(img.naturalWidth, img.naturalHeight);
    const g = canvas.getContext('2d')!;
    g.drawImage(img, 0, 0);
    return {
      size: [img.naturalWidth, img.naturalHeight],
      rgb: [[...g.getImageData(1, 1, 1, 1).data.slice(0, 3)], [...g.getImageData(4, 2, 1, 1).data.slice(0, 3)]],
    };
  });
  assert.deepEqual(shownPixels, {
    size: [6, 4],
    rgb: [
      [255, 0, 0],
      [0, 0, 255],
    ],
  });

  // Operator → device: a green | white image pasted into the panel lands on the X clipboard as image/png.
  const pasted = await makePng(op, 8, 6, '#00ff00', '#ffffff');
  await pasteInPanel(op, pasted);
  await panel.getByTestId('clipboard-image-to-device').waitFor();
  await panel.getByRole('button', { name: 'Send the image to the device' }).click();
  await eventually('the device answered', async () =>
    /The image is on the device's clipboard/.test((await panel.getByTestId('clipboard-result').textContent()) ?? ''),
  );
  await until('image/png on the X clipboard', () => targets().includes('image/png'));
  const onDevice = xclip('-o', '-target', 'image/png');
  assert.equal(onDevice.subarray(1, 4).toString('latin1'), 'PNG');
  assert.deepEqual(
    await pixels(op, onDevice, [
      [1, 1],
      [6, 4],
    ]),
    {
      size: [8, 6],
      rgb: [
        [0, 255, 0],
        [255, 255, 255],
      ],
    },
  );

  // Over the limit, both ways: the panel says so before sending; main refuses what comes anyway; a fetch is refused.
  const big = await makePng(op, 1024, 1024, '', '', true);
  assert.ok(big.length > CLIPBOARD_MAX_IMAGE_BYTES, `noise PNG of ${big.length} bytes`);
  await pasteInPanel(op, big);
  await panel
    .getByTestId('clipboard-image-problem')
    .getByText(/at most 2\.0 MB is sent/)
    .waitFor();
  const refused = await host.session.assist.imageToDevice(big.toString('base64'));
  assert.equal(refused.ok ? 'ok' : refused.code, 'too-large');
  await copyImageOnDevice(big);
  await panel.getByRole('button', { name: "Get the device's clipboard" }).click();
  await eventually('the fetch refused for its size', async () =>
    /at most 2\.0 MB is sent/.test((await panel.getByTestId('clipboard-result').textContent()) ?? ''),
  );
  // Not a PNG: refused by main.
  const notPng = await host.session.assist.imageToDevice(Buffer.from('GIF89a not a png').toString('base64'));
  assert.equal(notPng.ok ? 'ok' : notPng.code, 'unavailable');

  // Each image transfer audited with its size, never its content.
  await until('audited', () => trail().length === 2);
  assert.deepEqual(trail(), [
    { result: 'ok', direction: 'from-device', how: 'fetched', chars: 0, image: true, bytes: copied.length },
    { result: 'ok', direction: 'to-device', how: 'sent', chars: 0, image: true, bytes: pasted.length },
  ]);
});
