/**
 * Injected input never lands on flxra's own windows, on a real X desktop: two X programs that
 * report every click, one standing where flxra's consent window or indicator would be. The
 * operator's clicks go through the real controller and XTest; only the other program gets any.
 * (In the product the rectangles come from Electron's BrowserWindow bounds.)
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';
import { createHostInput, type HostInput } from '../../src/platform/input/host-input.js';
import type { InputEvent } from '../../src/shared/input-events.js';
import { startXvfb, type Xvfb } from '../../dev/rig/xvfb.js';

const W = 1000;
const H = 500;
const OWN = { x: 100, y: 100, width: 300, height: 200 }; // flxra's own window
const OTHER = { x: 400, y: 100, width: 300, height: 200 }; // the user's program, right beside it

interface XProgram {
  process: ChildProcess;
  lines: string[];
}

let xvfb: Xvfb;
let programs: XProgram[] = [];
let input: HostInput;

async function startTarget(rect: typeof OWN): Promise<XProgram> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'dev/rig/x-target.ts', ...[rect.x, rect.y, rect.width, rect.height].map(String)],
    {
      env: xvfb.env,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const program = { process: child, lines: [] as string[] };
  const ready = new Promise<void>((resolve) =>
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line === 'ready') resolve();
      else program.lines.push(line);
    }),
  );
  await ready;
  return program;
}

before(async () => {
  xvfb = await startXvfb({ width: W, height: H });
  programs = [await startTarget(OWN), await startTarget(OTHER)];
  input = await createHostInput({ display: xvfb.display, ownWindows: () => [OWN] });
  input.controller.setEnabled(true);
});

after(async () => {
  await input?.close();
  for (const p of programs) p.process.kill();
  await xvfb?.close();
});

/** A left click at a pixel of the (only) display, as the operator's viewer sends it. */
function click(x: number, y: number): void {
  const display = input.displays()[0]!.id;
  const at = { display, x: x / W, y: y / H };
  for (const down of [true, false])
    input.controller.handle({ t: 'button', ...at, button: 'left', down } satisfies InputEvent);
}

async function clicksSeen(program: XProgram, expected: number, timeoutMs = 1_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  const count = () => program.lines.filter((l) => l.startsWith('button')).length;
  while (count() < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  return count();
}

test('a click on flxra’s own window is dropped; the same click on the user’s program lands', async () => {
  const [own, other] = programs as [XProgram, XProgram];
  click(OWN.x + 150, OWN.y + 100); // the middle of the own window, where End session would be
  click(OTHER.x + 150, OTHER.y + 100);
  assert.equal(await clicksSeen(other, 1), 1, 'the user’s program got its click');
  // The own window's click was sent first: had it gone through, it would be there by now.
  assert.equal(await clicksSeen(own, 1, 200), 0, 'flxra’s own window got nothing');

  // Its last column belongs to it; the next pixel is the user's program.
  click(OWN.x + OWN.width - 1, OWN.y + 10);
  click(OWN.x + OWN.width, OWN.y + 10);
  assert.equal(await clicksSeen(other, 2), 2);
  assert.equal(await clicksSeen(own, 1, 200), 0);
});
