/**
 * The project's SendInput injector for real: run under Wine's node.exe (with koffi's win32
 * build) on the test's Xvfb, its moves are read back with GetCursorPos and its clicks, wheel and
 * keys are checked by a Windows window (test/windows/fixtures/input-recorder.c, built here with
 * mingw-w64) that reports the messages it receives. The scan-code-only INPUT is compared byte
 * for byte with the recorded value and with winuser.h's own layout.
 */
import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import type { WineSession } from '../../dev/wine/wine-session.js';
import { recorderDesktop, type Message, type Recorder } from './input-recorder.js';
import type { LayoutResult, ProbeInput, Step, StepsResult } from './probes/send-input-probe.js';

const PROBE = 'test/windows/probes/send-input-probe.ts';
/** The recorder's window on the 1100x700 screen: client (0,0) is screen (WIN.x, WIN.y). */
const WIN = { x: 100, y: 50, width: 800, height: 500 };
const VK_F24 = 0x87;

let wine: WineSession;
let recorder: Recorder;
recorderDesktop({ width: 1100, height: 700 }, WIN, (w, r) => ((wine = w), (recorder = r)));

beforeEach(() => recorder.clear());

/** Runs the steps under Wine, then waits until the recorder has seen the F24 sentinel. */
async function inject(steps: Step[]): Promise<{ result: StepsResult; got: Message[] }> {
  const sentinel: Step[] = [
    { op: 'vk', vk: VK_F24, down: true },
    { op: 'vk', vk: VK_F24, down: false },
  ];
  const input: ProbeInput = { mode: 'steps', steps: [...steps, ...sentinel] };
  const result = await wine.runNode<StepsResult>(PROBE, input);
  assert.deepEqual(result.errors, [], 'SendInput reported no failure');
  await recorder.waitFor((m) => m.msg === 'WM_KEYUP' && m.wParam === VK_F24);
  return { result, got: recorder.messages().filter((m) => m.wParam !== VK_F24) };
}

const only = (got: Message[], names: string[]) => got.filter((m) => names.includes(m.msg));
const BUTTONS = ['WM_LBUTTONDOWN', 'WM_LBUTTONUP', 'WM_RBUTTONDOWN', 'WM_RBUTTONUP', 'WM_MBUTTONDOWN', 'WM_MBUTTONUP'];
const KEYS = ['WM_KEYDOWN', 'WM_KEYUP', 'WM_CHAR', 'WM_SYSKEYDOWN', 'WM_SYSKEYUP'];

test('an absolute move puts the cursor on the pixel asked for, and a click lands there', async () => {
  const { result, got } = await inject([
    { op: 'moveTo', x: 300, y: 200 },
    { op: 'cursor' },
    { op: 'button', button: 'left', down: true },
    { op: 'button', button: 'left', down: false },
    { op: 'moveTo', x: 899, y: 549 },
    { op: 'cursor' },
    { op: 'button', button: 'right', down: true },
    { op: 'button', button: 'right', down: false },
    { op: 'moveTo', x: 0, y: 0 },
    { op: 'cursor' },
    { op: 'moveTo', x: 1099, y: 699 },
    { op: 'cursor' },
    { op: 'moveTo', x: 500, y: 300 },
    { op: 'button', button: 'middle', down: true },
    { op: 'button', button: 'middle', down: false },
    { op: 'button', button: 'back', down: true },
    { op: 'button', button: 'back', down: false },
    { op: 'button', button: 'forward', down: true },
    { op: 'button', button: 'forward', down: false },
  ]);
  assert.deepEqual(result.cursor, [
    { x: 300, y: 200 },
    { x: 899, y: 549 },
    { x: 0, y: 0 },
    { x: 1099, y: 699 },
  ]);
  const at = (msg: string, x: number, y: number) => ({ msg, x: x - WIN.x, y: y - WIN.y });
  assert.deepEqual(
    only(got, BUTTONS).map(({ msg, x, y }) => ({ msg, x, y })),
    [
      at('WM_LBUTTONDOWN', 300, 200),
      at('WM_LBUTTONUP', 300, 200),
      at('WM_RBUTTONDOWN', 899, 549),
      at('WM_RBUTTONUP', 899, 549),
      at('WM_MBUTTONDOWN', 500, 300),
      at('WM_MBUTTONUP', 500, 300),
    ],
  );
  // X buttons: HIWORD(wParam) names the button (XBUTTON1 is back, XBUTTON2 forward).
  assert.deepEqual(
    only(got, ['WM_XBUTTONDOWN', 'WM_XBUTTONUP']).map((m) => ({ msg: m.msg, button: m.wParam >>> 16 })),
    [
      { msg: 'WM_XBUTTONDOWN', button: 1 },
      { msg: 'WM_XBUTTONUP', button: 1 },
      { msg: 'WM_XBUTTONDOWN', button: 2 },
      { msg: 'WM_XBUTTONUP', button: 2 },
    ],
  );
  const MK_LBUTTON = 0x0001;
  assert.equal(got.find((m) => m.msg === 'WM_LBUTTONDOWN')!.wParam & MK_LBUTTON, MK_LBUTTON);
  assert.ok(
    got.some((m) => m.msg === 'WM_MOUSEMOVE' && m.x === 200 && m.y === 150),
    'the window saw the pointer arrive at the click point',
  );
});

test('a relative move moves the cursor by the mickeys asked for, accelerated as Windows does by default', async () => {
  const { result, got } = await inject([
    { op: 'moveTo', x: 400, y: 300 },
    { op: 'moveBy', dx: 5, dy: -3 },
    { op: 'cursor' },
    { op: 'moveBy', dx: -6, dy: 0 },
    { op: 'cursor' },
    { op: 'moveBy', dx: 25, dy: -40 },
    { op: 'cursor' },
  ]);
  assert.deepEqual(result.cursor, [
    { x: 405, y: 297 },
    { x: 399, y: 297 },
    // Beyond MouseThreshold1 (6 mickeys) the default MouseSpeed 1 doubles a move: the user's
    // pointer settings apply to relative input, on Windows as under Wine.
    { x: 449, y: 217 },
  ]);
  assert.ok(got.some((m) => m.msg === 'WM_MOUSEMOVE' && m.x === 449 - WIN.x && m.y === 217 - WIN.y));
});

test('a wheel notch is 120: down is negative, up positive, right positive on the horizontal wheel', async () => {
  const { got } = await inject([
    { op: 'moveTo', x: 450, y: 320 },
    { op: 'wheel', dx: 0, dy: 1 },
    { op: 'wheel', dx: 0, dy: -2 },
    { op: 'wheel', dx: 1, dy: 0 },
    { op: 'wheel', dx: 0, dy: 0.5 },
  ]);
  const wheels = only(got, ['WM_MOUSEWHEEL', 'WM_MOUSEHWHEEL']).map((m) => ({
    msg: m.msg,
    delta: ((m.wParam >>> 16) << 16) >> 16, // GET_WHEEL_DELTA_WPARAM: the signed high word
    // WM_MOUSEWHEEL carries screen coordinates (Wine 8 gives WM_MOUSEHWHEEL client ones).
    ...(m.msg === 'WM_MOUSEWHEEL' ? { at: [m.x, m.y] } : {}),
  }));
  assert.deepEqual(wheels, [
    { msg: 'WM_MOUSEWHEEL', delta: -120, at: [450, 320] },
    { msg: 'WM_MOUSEWHEEL', delta: 240, at: [450, 320] },
    { msg: 'WM_MOUSEHWHEEL', delta: 120 },
    { msg: 'WM_MOUSEWHEEL', delta: -60, at: [450, 320] },
  ]);
});

/** The scan code in a key message's lParam (bits 16..23) and its extended flag (bit 24). */
const scanOf = (m: Message) => ({ scan: (m.lParam >> 16) & 0xff, extended: ((m.lParam >> 24) & 1) === 1 });
const keyMessages = (got: Message[]) =>
  only(got, KEYS).map((m) =>
    m.msg === 'WM_CHAR'
      ? { msg: m.msg, char: String.fromCharCode(m.wParam) }
      : { msg: m.msg, vk: m.wParam, ...scanOf(m) },
  );

test('keys by virtual key arrive as that key and type its character', async () => {
  const VK_C = 0x43;
  const { got } = await inject([
    { op: 'vk', vk: VK_C, down: true },
    { op: 'vk', vk: VK_C, down: false },
  ]);
  const keys = only(got, KEYS);
  assert.deepEqual(
    keys.map((m) => ({ msg: m.msg, wParam: m.wParam })),
    [
      { msg: 'WM_KEYDOWN', wParam: VK_C },
      { msg: 'WM_CHAR', wParam: 'c'.charCodeAt(0) },
      { msg: 'WM_KEYUP', wParam: VK_C },
    ],
  );
  // A release says so in lParam: bit 31 (transition) and bit 30 (previous state down).
  assert.equal(keys[2]!.lParam >>> 30, 0b11);
});

test('keys by scan code arrive with their scan code and virtual key, extended keys flagged, Shift applied', async () => {
  const { result, got } = await inject([
    { op: 'key', code: 'KeyA', down: true },
    { op: 'key', code: 'KeyA', down: false },
    { op: 'key', code: 'ShiftLeft', down: true },
    { op: 'key', code: 'KeyB', down: true },
    { op: 'key', code: 'KeyB', down: false },
    { op: 'key', code: 'ShiftLeft', down: false },
    { op: 'key', code: 'ArrowLeft', down: true },
    { op: 'key', code: 'ArrowLeft', down: false },
    { op: 'key', code: 'Digit1', down: true },
    { op: 'key', code: 'Digit1', down: false },
  ]);
  assert.deepEqual(result.keyUnknown, []);
  assert.deepEqual(keyMessages(got), [
    { msg: 'WM_KEYDOWN', vk: 0x41, scan: 0x1e, extended: false },
    { msg: 'WM_CHAR', char: 'a' },
    { msg: 'WM_KEYUP', vk: 0x41, scan: 0x1e, extended: false },
    { msg: 'WM_KEYDOWN', vk: 0x10, scan: 0x2a, extended: false },
    { msg: 'WM_KEYDOWN', vk: 0x42, scan: 0x30, extended: false },
    { msg: 'WM_CHAR', char: 'B' },
    { msg: 'WM_KEYUP', vk: 0x42, scan: 0x30, extended: false },
    { msg: 'WM_KEYUP', vk: 0x10, scan: 0x2a, extended: false },
    { msg: 'WM_KEYDOWN', vk: 0x25, scan: 0x4b, extended: true },
    { msg: 'WM_KEYUP', vk: 0x25, scan: 0x4b, extended: true },
    { msg: 'WM_KEYDOWN', vk: 0x31, scan: 0x02, extended: false },
    { msg: 'WM_CHAR', char: '1' },
    { msg: 'WM_KEYUP', vk: 0x31, scan: 0x02, extended: false },
  ]);
});

test('Unicode text arrives as its characters, UTF-16 surrogates in order, whatever the layout', async () => {
  const text = 'Hé€ 😀ß';
  const { got } = await inject([{ op: 'text', text }]);
  const chars = only(got, ['WM_CHAR']).map((m) => m.wParam);
  assert.deepEqual(
    chars,
    [...text].flatMap((c) => [...Array(c.length).keys()].map((i) => c.charCodeAt(i))),
  );
  assert.equal(String.fromCharCode(...chars), text);
});

test("the scan-code-only INPUT is winuser.h's, byte for byte, and the recorded value", async () => {
  // KeyA pressed by scan code alone: type INPUT_KEYBOARD (1), wVk 0 at 8, wScan 0x1e at 10,
  // dwFlags KEYEVENTF_SCANCODE (8) at 12, time and dwExtraInfo 0; 40 bytes on 64-bit Windows.
  const recorded = '010000000000000000001e0008000000'.padEnd(80, '0');
  const probeInput: ProbeInput = { mode: 'layout' };
  const ours = await wine.runNode<LayoutResult>(PROBE, probeInput);
  const header = await wine.runExe(recorder.exe, ['--layout']);
  assert.equal(header.code, 0, header.stderr);
  const layout = JSON.parse(header.stdout) as Record<string, number | string>;
  assert.deepEqual(layout, {
    size: 40,
    union: 8,
    wVk: 8,
    wScan: 10,
    dwFlags: 12,
    time: 16,
    dwExtraInfo: 24,
    miMouseData: 16,
    miDwFlags: 20,
    keyA: recorded,
  });
  assert.deepEqual(ours, { size: 40, keyA: recorded });
});
