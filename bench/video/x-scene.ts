/**
 * The bench's workloads on its Xvfb, drawn by one X client in the bench's own process, so that a
 * change and the time it was made are known in one place: a full-screen solid colour (latency),
 * a window dragged 8 px per frame, a full-screen animation, and terminals (typing, scrolling) run
 * as real xterms. Every system under test is shown the same scenes on the same display.
 */
import x11, { type XClient } from 'x11';
import { spawn, type ChildProcess } from 'node:child_process';
import { runX, startXterm, type Xterm, type Xvfb } from '../../dev/rig/xvfb.js';

/** Milliseconds since the epoch, on this process's clock (the pages' clocks are calibrated against it). */
export const epochNow = (): number => performance.timeOrigin + performance.now();

const FRAME_MS = 1000 / 60;

/** Calls `draw(frame)` 60 times a second, on a schedule that does not drift, until stopped. */
function every60(draw: (frame: number) => void): () => void {
  const start = performance.now();
  let frame = 0;
  let timer: NodeJS.Timeout | null = null;
  const tick = () => {
    draw(frame++);
    timer = setTimeout(tick, Math.max(0, start + frame * FRAME_MS - performance.now()));
  };
  tick();
  return () => {
    if (timer) clearTimeout(timer);
  };
}

export interface XScene {
  /** Fills the screen with `colour` (0xRRGGBB); resolves with when it was asked (epoch ms) once the server did it. */
  solid(colour: number): Promise<{ askedAt: number; doneAt: number }>;
  /** Removes the solid colour's window (the root's colour shows). */
  clearSolid(): Promise<void>;
  /** A full-screen animation at 60 frames a second: every pixel changes each frame. */
  animate(): () => void;
  /** A 400×300 striped window dragged 8 px per frame, back and forth across the screen. */
  drag(): () => void;
  /** A terminal with the keyboard typing into it (xdotool, 12 keys a second). */
  typing(): Promise<() => Promise<void>>;
  /** A terminal nearly the screen's size scrolling 50 lines a second. */
  scrolling(): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

function hsv(h: number, s: number, v: number): number {
  const f = (n: number) => {
    const k = (n + h / 60) % 6;
    return Math.round(255 * (v - v * s * Math.max(0, Math.min(k, 4 - k, 1))));
  };
  return (f(5) << 16) | (f(3) << 8) | f(1);
}

export async function openXScene(xvfb: Xvfb, size: { width: number; height: number }): Promise<XScene> {
  const { X, root } = await new Promise<{ X: XClient; root: number }>((resolve, reject) => {
    const client = x11.createClient({ display: xvfb.display, shm: false }, (err, display) =>
      err ? reject(err) : resolve({ X: display.client, root: display.screen[0]!.root }),
    );
    client.on('error', (e: Error) => console.error(`bench X client: ${e.message}`));
  });
  const sync = () => new Promise<void>((resolve) => X.GetInputFocus(() => void resolve()));
  const { width, height } = size;
  const window = (x: number, y: number, w: number, h: number, colour: number) => {
    const wid = X.AllocID();
    X.CreateWindow(wid, root, x, y, w, h, 0, 0, 0, 0, { backgroundPixel: colour, overrideRedirect: 1 });
    X.MapWindow(wid);
    return wid;
  };
  // The pointer out of the way (flxra's capture shows it; noVNC draws its own).
  await runX(xvfb, 'xdotool', ['mousemove', String(width - 1), String(height - 1)]);
  const gc = X.AllocID();
  X.CreateGC(gc, root, { foreground: 0 });

  let solidWin: number | null = null;
  const solid = async (colour: number) => {
    const askedAt = epochNow();
    if (solidWin === null) solidWin = window(0, 0, width, height, colour);
    else {
      X.ChangeWindowAttributes(solidWin, { backgroundPixel: colour });
      X.ClearArea(solidWin, 0, 0, 0, 0, 0);
    }
    await sync();
    return { askedAt, doneAt: epochNow() };
  };

  const animate = () => {
    const wid = window(0, 0, width, height, 0);
    const bands = 12;
    const bandH = Math.ceil(height / bands);
    const stop = every60((frame) => {
      for (let b = 0; b < bands; b++) {
        X.ChangeGC(gc, { foreground: hsv((frame * 3 + b * 30) % 360, 0.7, 0.9) });
        X.PolyFillRectangle(wid, gc, [0, b * bandH, width, bandH]);
      }
      // Dark bars moving 8 px per frame over the bands.
      const rects: number[] = [];
      for (let x = (frame * 8) % 96; x < width; x += 96) rects.push(x, 0, 24, height);
      X.ChangeGC(gc, { foreground: 0x202020 });
      X.PolyFillRectangle(wid, gc, rects);
    });
    return () => {
      stop();
      X.DestroyWindow(wid);
    };
  };

  const drag = () => {
    const w = 400;
    const h = 300;
    const wid = window(0, 100, w, h, 0xf0f0f0);
    const paint = () => {
      X.ChangeGC(gc, { foreground: 0x3060c0 });
      const rects: number[] = [];
      for (let y = 0; y < h; y += 20) rects.push(0, y, w, 8);
      X.PolyFillRectangle(wid, gc, rects);
      X.ChangeGC(gc, { foreground: 0xc03030 });
      X.PolyFillRectangle(wid, gc, [20, 20, 80, 80, w - 100, h - 100, 80, 80]);
    };
    paint();
    const span = width - w;
    const stop = every60((frame) => {
      const step = (frame * 8) % (2 * span);
      X.MoveWindow(wid, step < span ? step : 2 * span - step, 100);
      paint(); // no window manager, no backing store: what the move uncovers of it is drawn again
    });
    return () => {
      stop();
      X.DestroyWindow(wid);
    };
  };

  const terminal = async (title: string, geometry: string, command: string): Promise<Xterm> =>
    startXterm(xvfb, { title, geometry, command });

  const typing = async () => {
    const term = await terminal('bench-typing', '80x24+100+100', 'cat');
    const away = () => runX(xvfb, 'xdotool', ['mousemove', String(width - 1), String(height - 1)]);
    // No window manager: the keyboard goes to the window under the pointer.
    await runX(xvfb, 'xdotool', ['mousemove', '300', '200']);
    const text = 'the quick brown fox jumps over the lazy dog 0123456789 '.repeat(4);
    const typist: ChildProcess = spawn('xdotool', ['type', '--delay', '83', text], { env: xvfb.env, stdio: 'ignore' });
    return async () => {
      typist.kill();
      await term.kill();
      await away();
    };
  };

  const scrolling = async () => {
    const cols = Math.floor((width - 20) / 6);
    const rows = Math.floor((height - 20) / 13);
    const line = 'scrolling log line, the quick brown fox jumps over the lazy dog; ';
    const script = `let i=0; setInterval(() => console.log(String(++i).padStart(6) + ' ' + ${JSON.stringify(line.repeat(3))}.slice(0, ${cols - 8})), 20)`;
    const term = await terminal('bench-scrolling', `${cols}x${rows}+0+0`, `exec node -e ${shellQuote(script)}`);
    return () => term.kill();
  };

  return {
    solid,
    clearSolid: async () => {
      if (solidWin !== null) X.DestroyWindow(solidWin);
      solidWin = null;
      await sync();
    },
    animate,
    drag,
    typing,
    scrolling,
    close: async () => {
      await sync().catch(() => undefined);
      X.terminate();
    },
  };
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
