/**
 * `npm run bench:damage`: measures the damage-driven X11 capture prototype (capture.ts) on its
 * own Xvfb, the same change as `npm run bench`'s latency scene (a full-screen solid colour,
 * timed in this process just before its request leaves) and the same full-screen animation, and
 * prints: change → damage reported, → changed pixels read (the stage getDisplayMedia's capture
 * loop takes in the default path), bytes read per change, reads per second and this process's
 * CPU while the animation runs, and reads while idle. It asserts nothing; docs/performance.md has
 * the figures and what stands between this and the encoder.
 *
 *   npm run bench:damage -- [--sizes 1280x720,1920x1080] [--changes 50]
 */
import { parseArgs } from 'node:util';
import x11, { type XClient } from 'x11';
import { startXvfb } from '../../../dev/rig/xvfb.js';
import { damageCapture, type DamagedPixels } from './capture.js';

const { values } = parseArgs({
  options: { sizes: { type: 'string', default: '1280x720,1920x1080' }, changes: { type: 'string', default: '50' } },
});

const connect = (display: string) =>
  new Promise<{ X: XClient; root: number }>((resolve, reject) => {
    const client = x11.createClient({ display }, (err, d) => {
      if (err) return reject(err);
      resolve({ X: d.client, root: d.screen[0]!.root });
    });
    client.on('error', (e: Error) => console.error(`X: ${e.message}`));
  });

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! : NaN;
};

async function run(width: number, height: number, changes: number) {
  const xvfb = await startXvfb({ width, height });
  try {
    const scene = await connect(xvfb.display);
    const cap = await connect(xvfb.display);
    const X = scene.X;
    const wid = X.AllocID();
    X.CreateWindow(wid, scene.root, 0, 0, width, height, 0, 0, 0, 0, { backgroundPixel: 0, overrideRedirect: 1 });
    X.MapWindow(wid);
    const gc = X.AllocID();
    X.CreateGC(gc, wid, { foreground: 0 });
    let waiting: ((p: DamagedPixels) => void) | null = null;
    const reads: DamagedPixels[] = [];
    const capture = await damageCapture(cap.X, cap.root, { width, height }, (p) => {
      reads.push(p);
      waiting?.(p);
    });
    await new Promise((r) => setTimeout(r, 500));
    // Latency: a full-screen colour, then wait for a read that covers it.
    const notified: number[] = [];
    const read: number[] = [];
    const bytes: number[] = [];
    for (let i = 0; i < changes + 3; i++) {
      const got = new Promise<DamagedPixels>((resolve) => {
        waiting = (p) => {
          if (p.width * p.height >= width * height * 0.9) resolve(p);
        };
      });
      const at = performance.now();
      X.ChangeGC(gc, { foreground: (i * 0x3f5a7b) & 0xffffff });
      X.PolyFillRectangle(wid, gc, [0, 0, width, height]);
      const p = await got;
      waiting = null;
      if (i >= 3) {
        notified.push(p.damagedAt - at);
        read.push(p.readAt - at);
        bytes.push(p.data.length);
      }
      await new Promise((r) => setTimeout(r, 150 + Math.random() * 150));
    }
    // Idle: reads in 3 s of nothing.
    reads.length = 0;
    await new Promise((r) => setTimeout(r, 3_000));
    const idleReads = reads.length;
    // Animation at 60 Hz, every pixel changing (bands of colour), 5 s.
    reads.length = 0;
    const cpu0 = process.cpuUsage();
    let frame = 0;
    const timer = setInterval(() => {
      frame++;
      for (let b = 0; b < 8; b++) {
        X.ChangeGC(gc, { foreground: ((frame * 7 + b * 40) * 0x010203) & 0xffffff });
        X.PolyFillRectangle(wid, gc, [0, (b * height) / 8, width, height / 8]);
      }
    }, 1000 / 60);
    await new Promise((r) => setTimeout(r, 5_000));
    clearInterval(timer);
    const cpu = process.cpuUsage(cpu0);
    const full = reads.filter((p) => p.width * p.height >= width * height * 0.9).length;
    capture.stop();
    return {
      size: `${width}x${height}`,
      changes,
      damageReportedMs: { median: pct(notified, 50), p95: pct(notified, 95) },
      pixelsReadMs: { median: pct(read, 50), p95: pct(read, 95) },
      readMsPerFrame: pct(read, 50) - pct(notified, 50),
      bytesPerChange: pct(bytes, 50),
      idleReadsIn3s: idleReads,
      animation: { drawnPerS: frame / 5, readsPerS: reads.length / 5, fullScreenReadsPerS: full / 5 },
      // This process draws the animation too (its share is small: 8 fills a frame).
      processCpuSPer10s: ((cpu.user + cpu.system) / 1e6) * 2,
    };
  } finally {
    await xvfb.close();
  }
}

const out = [];
for (const s of values.sizes.split(',')) {
  const [w, h] = s.split('x').map(Number);
  out.push(await run(w!, h!, Number(values.changes)));
  console.log(JSON.stringify(out.at(-1), null, 1));
}
process.exit(0);
