import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { InputInjector } from '../../src/platform/input/injector.js';
import { createInputInjector } from '../../src/platform/input/platform-injector.js';
import { createX11Injector } from '../../src/platform/input/x11-injector.js';
import { runX, startXvfb, type Xvfb } from '../../dev/rig/xvfb.js';
import {
  mouseReport,
  openProbe,
  settle,
  startRecordingTerminal,
  usKey,
  type RecordingTerminal,
  type XProbe,
} from './x-helpers.js';

let xvfb: Xvfb;
let injector: InputInjector;
let probe: XProbe;
let term: RecordingTerminal;
const errors: Error[] = [];

// The terminal's first cell starts at (102, 52): window at +100+50, 2-pixel border, 6x13 cells.
const cellCentre = (column: number, row: number) => ({ x: 102 + (column - 1) * 6 + 3, y: 52 + (row - 1) * 13 + 6 });

before(async () => {
  xvfb = await startXvfb({ width: 1280, height: 720 });
  term = await startRecordingTerminal(xvfb, 'injector-term', '80x24+100+50');
  injector = await createInputInjector('linux', { display: xvfb.display, onError: (err) => errors.push(err) });
  probe = await openProbe(xvfb);
});

after(async () => {
  await probe?.close();
  await injector?.close();
  await term?.close();
  await xvfb?.close();
});

/** Where `xdotool getmouselocation` says the pointer is, once it says `expected` (or times out). */
async function mouseLocation(expected: string): Promise<string> {
  return settle(async () => (await runX(xvfb, 'xdotool', ['getmouselocation'])).split(' screen')[0]!, expected);
}

test('moveTo puts the pointer on the pixel, and X clamps points off the screen', async () => {
  injector.moveTo(640, 360);
  assert.equal(await mouseLocation('x:640 y:360'), 'x:640 y:360');
  injector.moveTo(1279, 719);
  assert.equal(await mouseLocation('x:1279 y:719'), 'x:1279 y:719');
  injector.moveTo(-40, 5000);
  assert.equal(await mouseLocation('x:0 y:719'), 'x:0 y:719');
});

test('keys type shifted punctuation into a terminal, by physical key', async () => {
  const start = (await term.output()).length;
  const { x, y } = cellCentre(10, 10);
  injector.moveTo(x, y); // no window manager: the keyboard follows the pointer
  for (const char of 'Hello_World!\n') {
    const { code, shift } = usKey(char);
    if (shift) injector.key('ShiftLeft', true);
    assert.equal(injector.key(code, true), true);
    injector.key(code, false);
    if (shift) injector.key('ShiftLeft', false);
  }
  const out = await term.waitFor((o) => o.slice(start).includes('\n'));
  assert.equal(out.slice(start), 'Hello_World!\n');
});

test('every button and both wheel axes reach the X client, at the pointer', async () => {
  const start = (await term.output()).length;
  const { x, y } = cellCentre(20, 5);
  injector.moveTo(x, y);
  for (const button of ['left', 'middle', 'right', 'back', 'forward'] as const) {
    injector.button(button, true);
    injector.button(button, false);
  }
  injector.wheel(0, -1); // up: button 4
  injector.wheel(0, 2); // down twice: button 5
  injector.wheel(-1, 0); // left: button 6
  injector.wheel(1, 0); // right: button 7
  injector.wheel(0, 0.5); // half a notch: nothing yet …
  injector.wheel(0, 0.5); // … the second half completes one notch down
  const at = (code: number) => mouseReport(code, 20, 5);
  const release = at(3);
  // xterm's button codes: 0–2 left/middle/right, 64–67 buttons 4–7, 128–129 buttons 8–9; it
  // reports no release for wheel buttons 4 and 5.
  const expected =
    [0, 1, 2, 128, 129].map((code) => at(code) + release).join('') +
    at(64) +
    at(65) +
    at(65) +
    at(66) +
    release +
    at(67) +
    release +
    at(65);
  const out = await term.waitFor((o) => o.length >= start + expected.length);
  assert.equal(out.slice(start), expected);
});

test('unknown key codes are reported as false and send nothing', () => {
  assert.equal(injector.key('Fn', true), false);
  assert.equal(injector.key('constructor', true), false);
  assert.equal(injector.key('NoSuchKey', false), false);
  assert.deepEqual(errors, []);
});

test('one injected event is on the server within a round trip (latency printed)', async (t) => {
  const samples: number[] = [];
  for (let i = 0; i < 50; i++) {
    const x = 200 + i;
    const started = performance.now();
    injector.moveTo(x, 300);
    // The probe's query is answered after the server processed the injector's request.
    for (let polls = 0; (await probe.pointer()).x !== x; polls++) assert.ok(polls < 100, 'the move never arrived');
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  t.diagnostic(
    `move → visible to another client: median ${samples[25]!.toFixed(2)} ms, max ${samples[49]!.toFixed(2)} ms`,
  );
  assert.ok(samples[25]! < 20, 'a local injection takes well under a frame');
});

test('a display that goes away is reported through onError; later calls do not throw', async () => {
  const lostErrors: Error[] = [];
  const other = await startXvfb({ width: 320, height: 240 });
  const doomed = await createX11Injector({ display: other.display, onError: (err) => lostErrors.push(err) });
  await other.close();
  for (let i = 0; i < 100 && lostErrors.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.match(lostErrors[0]?.message ?? '', /closed/);
  doomed.moveTo(1, 1);
  doomed.button('left', true);
  assert.equal(doomed.key('KeyA', true), true);
  await doomed.close();
});

test('connecting to a display that does not exist rejects', async () => {
  await assert.rejects(createX11Injector({ display: ':4999', onError: () => undefined }));
  await assert.rejects(createInputInjector('darwin'), /not supported on darwin/);
});
