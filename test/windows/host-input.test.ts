/**
 * The Windows host's displays and coordinate mapping for real: under Wine's node.exe on an Xvfb
 * of a known size, user32's display provider reports the screen, and the operator's normalised
 * points go through the input controller and SendInput (0..65535 over the virtual desktop) to
 * the pixel they name: the cursor is read back, and a click reaches a Windows window there.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { WineSession } from '../../dev/wine/wine-session.js';
import type { InputEvent } from '../../src/shared/input-events.js';
import { recorderDesktop, type Recorder } from './input-recorder.js';
import type { HostInputResult } from './probes/host-input-probe.js';

const PROBE = 'test/windows/probes/host-input-probe.ts';
const SCREEN = { width: 1280, height: 800 };
const WIN = { x: 200, y: 100, width: 600, height: 400 };

let wine: WineSession;
let recorder: Recorder;
recorderDesktop(SCREEN, WIN, (w, r) => ((wine = w), (recorder = r)));

test("the display provider reports the screen, and the operator's points land on the pixels they name", async () => {
  const display = '\\\\.\\DISPLAY1';
  const move = (x: number, y: number): InputEvent => ({ t: 'move', display, x, y });
  const click = (x: number, y: number, down: boolean): InputEvent => ({
    t: 'button',
    display,
    x,
    y,
    button: 'left',
    down,
  });
  const { displays, handled } = await wine.runNode<HostInputResult>(PROBE, {
    events: [
      move(0, 0),
      move(1, 1),
      move(0.5, 0.5),
      move(0.999, 0.001),
      click(0.25, 0.375, true),
      click(0.25, 0.375, false),
      { t: 'move', display: 'elsewhere', x: 0.9, y: 0.9 },
    ],
  });
  assert.deepEqual(displays, [{ id: display, x: 0, y: 0, ...SCREEN, primary: true }]);
  assert.deepEqual(handled, [
    { result: 'injected', cursor: { x: 0, y: 0 } },
    { result: 'injected', cursor: { x: 1279, y: 799 } },
    { result: 'injected', cursor: { x: 640, y: 400 } },
    // floor(x·width): the column the point is in, whatever the rounding of 0..65535.
    { result: 'injected', cursor: { x: 1278, y: 0 } },
    { result: 'injected', cursor: { x: 320, y: 300 } },
    { result: 'injected', cursor: { x: 320, y: 300 } },
    { result: 'dropped-unknown-display', cursor: { x: 320, y: 300 } },
  ]);
  await recorder.waitFor((m) => m.msg === 'WM_LBUTTONUP');
  const clicks = recorder
    .messages()
    .filter((m) => m.msg === 'WM_LBUTTONDOWN' || m.msg === 'WM_LBUTTONUP')
    .map(({ msg, x, y }) => ({ msg, x, y }));
  assert.deepEqual(clicks, [
    { msg: 'WM_LBUTTONDOWN', x: 320 - WIN.x, y: 300 - WIN.y },
    { msg: 'WM_LBUTTONUP', x: 320 - WIN.x, y: 300 - WIN.y },
  ]);
});
