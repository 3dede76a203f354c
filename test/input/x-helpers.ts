/**
 * What the input tests observe on the X side: the server's own pointer and key state (over a
 * separate connection, not the injector's), and a terminal that writes what it receives
 * (typed characters and xterm's mouse reports) to a file.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { PointerState } from 'x11';
import { connectX11, type X11Connection } from '../../src/platform/x11-connection.js';
import { startXterm, type Xterm, type Xvfb } from '../../dev/rig/xvfb.js';

/**
 * XTest input is queued and processed by the server between requests, and requests from two
 * connections have no order between them: the probe can be a moment ahead of the injector. So
 * reads poll until they show what is expected (or time out and return what they last saw).
 */
export async function settle<T>(read: () => Promise<T>, expected: T, timeoutMs = 1_000): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (isDeepStrictEqual(value, expected) || performance.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export interface XProbe {
  pointer(): Promise<{ x: number; y: number; /** Button1Mask 0x100 … Button5Mask 0x1000 */ buttons: number }>;
  /** Whether the key with this X keycode is down. */
  keyDown(keycode: number): Promise<boolean>;
  close(): Promise<void>;
}

export async function openProbe(xvfb: Xvfb): Promise<XProbe> {
  // A failed query rejects its own promise; the only other failure, the display going away at
  // the end of a test, is nobody's concern.
  const conn: X11Connection = await connectX11({ display: xvfb.display, onError: () => undefined });
  return {
    async pointer() {
      const p = await conn.request<PointerState>((cb) => conn.client.QueryPointer(conn.root, cb));
      return { x: p.rootX, y: p.rootY, buttons: p.keyMask & 0x1f00 };
    },
    async keyDown(keycode) {
      const keys = await conn.request<Buffer>((cb) => conn.client.QueryKeymap(cb));
      return ((keys[keycode >> 3] ?? 0) & (1 << (keycode & 7))) !== 0;
    },
    close: () => conn.close(),
  };
}

export interface RecordingTerminal {
  xterm: Xterm;
  /** Everything the terminal received so far. */
  output(): Promise<string>;
  /** Waits until the output satisfies `done`; fails with what arrived otherwise. */
  waitFor(done: (output: string) => boolean, timeoutMs?: number): Promise<string>;
  close(): Promise<void>;
}

/**
 * An xterm at `geometry` whose input goes unbuffered and unechoed into a file, with xterm's
 * X10 mouse reporting on: a button press arrives as ESC [ M, then 32 + button code, then
 * 32 + column and 32 + row (1-based); a release as button code 3. Cells are 6x13 pixels inside
 * a 2-pixel border.
 */
export async function startRecordingTerminal(xvfb: Xvfb, title: string, geometry: string): Promise<RecordingTerminal> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'flxra-input-'));
  const out = path.join(dir, 'out.txt');
  const ready = path.join(dir, 'ready');
  const command = `stty -icanon -echo; printf '\\033[?1000h'; : > '${ready}'; exec cat > '${out}'`;
  const xterm = await startXterm(xvfb, { title, geometry, command });
  const output = () => fs.readFile(out, 'latin1').catch(() => '');
  const waitFor = async (done: (output: string) => boolean, timeoutMs = 3_000) => {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const text = await output();
      if (done(text)) return text;
      if (performance.now() > deadline) throw new Error(`terminal output never matched; got ${JSON.stringify(text)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  // The shell has set the terminal up once the ready file exists.
  for (const deadline = performance.now() + 5_000; ;) {
    if (
      await fs.stat(ready).then(
        () => true,
        () => false,
      )
    )
      break;
    if (performance.now() > deadline) throw new Error('terminal never became ready');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return {
    xterm,
    output,
    waitFor,
    async close() {
      await xterm.kill();
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}

/** xterm's report for a mouse event (button code 3 = release) at a terminal cell, 1-based. */
export function mouseReport(code: number, column: number, row: number): string {
  return `\x1b[M${String.fromCharCode(32 + code, 32 + column, 32 + row)}`;
}

/** KeyboardEvent.code and Shift for the US-layout characters the tests type. */
export function usKey(char: string): { code: string; shift: boolean } {
  if (/^[a-z]$/.test(char)) return { code: `Key${char.toUpperCase()}`, shift: false };
  if (/^[A-Z]$/.test(char)) return { code: `Key${char}`, shift: true };
  const special: Record<string, { code: string; shift: boolean }> = {
    ' ': { code: 'Space', shift: false },
    _: { code: 'Minus', shift: true },
    '!': { code: 'Digit1', shift: true },
    '\n': { code: 'Enter', shift: false },
  };
  const key = special[char];
  if (!key) throw new Error(`no US key for ${JSON.stringify(char)}`);
  return key;
}
