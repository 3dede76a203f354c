/**
 * The Windows tier's witness window (fixtures/input-recorder.c) driven from a test: built with
 * mingw-w64, started under Wine at a given place, and its JSON lines collected so a test can
 * wait for what it expects (a sentinel key) and read the messages a Windows window received;
 * `recorderDesktop` sets up the Xvfb, Wine session and recorder a test file shares.
 */
import assert from 'node:assert/strict';
import { createInterface } from 'node:readline';
import { buildWindowsExe } from '../../dev/wine/mingw.js';
import type { WineSession } from '../../dev/wine/wine-session.js';
import { wineDesktop } from './wine-desktop.js';

export const RECORDER_SOURCE = 'test/windows/fixtures/input-recorder.c';

export interface Message {
  msg: string;
  wParam: number;
  lParam: number;
  /** Signed low and high words of lParam: client coordinates (screen ones for WM_MOUSEWHEEL). */
  x: number;
  y: number;
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Recorder {
  exe: string;
  /** What arrived since the last clear(). */
  messages(): Message[];
  clear(): void;
  /** Resolves once a message matches; fails, with what did arrive, after timeoutMs. */
  waitFor(match: (m: Message) => boolean, timeoutMs?: number): Promise<void>;
  close(): void;
}

export function recorderExe(wine: WineSession): Promise<string> {
  return buildWindowsExe(wine.paths, RECORDER_SOURCE, ['user32', 'gdi32']);
}

/** Starts the window at `rect` and waits until it is shown, in the foreground, with the focus. */
export async function startRecorder(wine: WineSession, rect: Rect): Promise<Recorder> {
  const exe = await recorderExe(wine);
  const child = wine.spawnExe(exe, [rect.x, rect.y, rect.width, rect.height].map(String));
  let messages: Message[] = [];
  let wake: (() => void) | undefined;
  const ready = new Promise<Record<string, unknown>>((res, rej) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      if (parsed.ready) return res(parsed);
      messages.push(parsed as unknown as Message);
      wake?.();
    });
    child.once('exit', (code) => rej(new Error(`the input recorder exited with ${code} before it was ready`)));
  });
  assert.deepEqual(await ready, {
    ready: true,
    foreground: true,
    focus: true,
    origin: [rect.x, rect.y],
    size: [rect.width, rect.height],
  });
  return {
    exe,
    messages: () => messages,
    clear: () => (messages = []),
    async waitFor(match, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      while (!messages.some(match)) {
        if (Date.now() > deadline) assert.fail(`the recorder did not get it; it got ${JSON.stringify(messages)}`);
        await new Promise<void>((res) => {
          wake = res;
          setTimeout(res, 100);
        });
      }
    },
    close: () => child.kill('SIGKILL'),
  };
}

/**
 * The desktop the input tests share for a file: the Wine desktop (wine-desktop.ts) of `screen`
 * with the recorder window at `rect` on it, closed after the file's tests. `use` is given the
 * Wine session and the recorder once they are up.
 */
export function recorderDesktop(
  screen: { width: number; height: number },
  rect: Rect,
  use: (wine: WineSession, recorder: Recorder) => void,
): void {
  let recorder: Recorder | undefined;
  wineDesktop(
    screen,
    async (wine) => {
      recorder = await startRecorder(wine, rect);
      use(wine, recorder);
    },
    () => recorder?.close(),
  );
}
