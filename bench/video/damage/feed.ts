/**
 * `npm run bench -- --capture damage`: the damage-driven capture prototype (capture.ts) fed to
 * flxra's real host page in place of getDisplayMedia. The bench's process reads the X screen's
 * damaged rectangles and sends each (a 16-byte header x, y, width, height, then BGRX rows) over
 * a WebSocket on the host page's own origin (the rig's renderer server: harnessUpgrades); in the
 * page, DAMAGE_SOURCE answers getDisplayMedia with a MediaStreamTrackGenerator, patches each
 * rectangle into a whole-screen picture and writes it as a VideoFrame. From there on the
 * product's own code runs unchanged (the crop, the peer, the encoder). In the product this
 * reading would be the host's main process and the frames would cross Electron's IPC instead.
 */
import x11, { type XClient } from 'x11';
import { WebSocketServer, type WebSocket } from 'ws';
import { harnessUpgrades } from '../../../dev/chromium-host/renderer-harness.js';
import { damageCapture } from './capture.js';

export const DAMAGE_PATH = '/__bench/damage';

export async function startDamageFeed(display: string, size: { width: number; height: number }) {
  const { X, root } = await new Promise<{ X: XClient; root: number }>((resolve, reject) => {
    const client = x11.createClient({ display }, (err, d) =>
      err ? reject(err) : resolve({ X: d.client, root: d.screen[0]!.root }),
    );
    client.on('error', (e: Error) => console.error(`damage feed X: ${e.message}`));
  });
  const wss = new WebSocketServer({ noServer: true });
  let page: WebSocket | null = null;
  let frames = 0;
  const capture = await damageCapture(X, root, size, (p) => {
    if (!page || page.readyState !== page.OPEN) return;
    const header = Buffer.alloc(16);
    header.writeUInt32LE(p.x, 0);
    header.writeUInt32LE(p.y, 4);
    header.writeUInt32LE(p.width, 8);
    header.writeUInt32LE(p.height, 12);
    frames++;
    const ws = page;
    return new Promise<void>((resolve) => ws.send(Buffer.concat([header, p.data]), () => resolve()));
  });
  harnessUpgrades.set(DAMAGE_PATH, (req, socket, head) =>
    wss.handleUpgrade(req, socket, head, (ws) => {
      page = ws;
      capture.whole(); // its first picture
    }),
  );
  return {
    frames: () => frames,
    close: () => {
      harnessUpgrades.delete(DAMAGE_PATH);
      capture.stop();
      page?.close();
      wss.close();
      X.terminate?.();
    },
  };
}

/** In the host page: getDisplayMedia answered by the damage feed (evaluated before STAGE_MARKS). */
export const DAMAGE_SOURCE = `(() => {
  const VF = window.VideoFrame;
  navigator.mediaDevices.getDisplayMedia = async (c) => {
    const W = c?.video?.width, H = c?.video?.height;
    const generator = new MediaStreamTrackGenerator({ kind: 'video' });
    const writer = generator.writable.getWriter();
    const picture = new Uint8Array(W * H * 4);
    const ws = new WebSocket('ws://' + location.host + ${JSON.stringify(DAMAGE_PATH)});
    ws.binaryType = 'arraybuffer';
    let frame0 = null;
    const put = () => {
      const frame = new VF(picture, { format: 'BGRX', codedWidth: W, codedHeight: H, timestamp: Math.round(performance.now() * 1000) });
      writer.write(frame).catch(() => frame.close());
    };
    // The crop can ask no source for a frame: for the first 1.5 s the picture is written again
    // every 100 ms, so that the crop has one when the connection comes (a real source would be asked).
    const warm = setInterval(() => { if (frame0) put(); }, 100);
    setTimeout(() => clearInterval(warm), 1_500);
    ws.onmessage = (e) => {
      frame0 = true;
      const h = new Uint32Array(e.data, 0, 4);
      const [x, y, w, hh] = h;
      const rows = new Uint8Array(e.data, 16);
      for (let r = 0; r < hh; r++) picture.set(rows.subarray(r * w * 4, (r + 1) * w * 4), ((y + r) * W + x) * 4);
      put();
    };
    await new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = reject; });
    generator.addEventListener('ended', () => ws.close());
    return new MediaStream([generator]);
  };
})()`;
