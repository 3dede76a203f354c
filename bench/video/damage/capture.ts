/**
 * Prototype of a damage-driven capture on X11 (issue 14, item 3), the part that replaces
 * getDisplayMedia's capture loop: the X server tells what changed (DAMAGE on the root window,
 * delta rectangles) and only then are the changed pixels read (GetImage of the rectangles'
 * bounding box, ZPixmap), through the pure-JavaScript `x11` client the project already uses
 * (src/platform/x11-connection.ts). Nothing is read while nothing changes. Not wired to the
 * product: bench/video/damage/index.ts measures it (docs/performance.md). XShm is not used: it
 * needs a System V shared-memory segment mapped into this process, which Node cannot do without a
 * native addon; GetImage copies the pixels through the X socket instead.
 */
import type { XClient } from 'x11';

export interface DamagedPixels {
  /** Bounding box of what changed since the last read, in root-window pixels. */
  x: number;
  y: number;
  width: number;
  height: number;
  /** BGRX, 4 bytes a pixel, rows of `width`. */
  data: Buffer;
  /** performance.now() when the first damage of this read was reported, and when the pixels were in. */
  damagedAt: number;
  readAt: number;
}

interface DamageExt {
  ReportLevel: { DeltaRectangles: number };
  Create(damage: number, drawable: number, level: number): void;
  Subtract(damage: number, repair: number, parts: number): void;
  Destroy(damage: number): void;
}

interface DamageEvent {
  name?: string;
  area: { x: number; y: number; w: number; h: number };
}

/**
 * Starts reporting the root window's damage; `onPixels` gets each read, one at a time (the next
 * read waits for the promise it returns: damage meanwhile is merged into one box). `whole()` reads
 * the whole screen next (a new consumer's first picture).
 */
export async function damageCapture(
  X: XClient,
  root: number,
  size: { width: number; height: number },
  onPixels: (p: DamagedPixels) => void | Promise<void>,
): Promise<{ stop(): void; whole(): void }> {
  const raw = X as unknown as {
    require(name: 'damage', cb: (err: Error | null, ext: DamageExt) => void): void;
    AllocID(): number;
    on(ev: 'event', cb: (e: DamageEvent) => void): void;
    GetImage(
      format: number,
      d: number,
      x: number,
      y: number,
      w: number,
      h: number,
      mask: number,
      cb: (err: Error | null, img: { data: Buffer }) => void,
    ): void;
  };
  const ext = await new Promise<DamageExt>((resolve, reject) =>
    raw.require('damage', (err, e) => (err ? reject(err) : resolve(e))),
  );
  const damage = raw.AllocID();
  ext.Create(damage, root, ext.ReportLevel.DeltaRectangles);
  let box: { x0: number; y0: number; x1: number; y1: number; at: number } | null = null;
  let reading = false;
  let stopped = false;
  const read = () => {
    if (!box || reading || stopped) return;
    const b = box;
    box = null;
    reading = true;
    // What was reported so far is repaired; damage from now on is reported again.
    ext.Subtract(damage, 0, 0);
    const width = b.x1 - b.x0;
    const height = b.y1 - b.y0;
    raw.GetImage(2, root, b.x0, b.y0, width, height, 0xffffffff, (err, img) => {
      const taken =
        err || stopped
          ? undefined
          : onPixels({ x: b.x0, y: b.y0, width, height, data: img.data, damagedAt: b.at, readAt: performance.now() });
      void Promise.resolve(taken).finally(() => {
        reading = false;
        read(); // damage that came meanwhile
      });
    });
  };
  const damaged = (x: number, y: number, w: number, h: number) => {
    const now = performance.now();
    if (!box) box = { x0: x, y0: y, x1: x + w, y1: y + h, at: now };
    else {
      box.x0 = Math.min(box.x0, x);
      box.y0 = Math.min(box.y0, y);
      box.x1 = Math.max(box.x1, x + w);
      box.y1 = Math.max(box.y1, y + h);
    }
    // The rest of this batch of events first: one read per batch.
    setImmediate(read);
  };
  raw.on('event', (e) => {
    if (e.name === 'DamageNotify') damaged(e.area.x, e.area.y, e.area.w, e.area.h);
  });
  return {
    whole: () => damaged(0, 0, size.width, size.height),
    stop: () => {
      stopped = true;
      ext.Destroy(damage);
    },
  };
}
