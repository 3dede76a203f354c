/**
 * The Windows injector's builder, against values written from Microsoft's documentation
 * (winuser.h constants, the Set-1 scan code table), not from the module's own constants.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import koffi from 'koffi';
import { KEY_CODES } from '../../src/platform/input/keycodes.js';
import {
  buttonInput,
  defineInputType,
  keyInput,
  moveInput,
  relativeMoveInput,
  toNative,
  unicodeInputs,
  virtualKeyInput,
  wheelInputs,
} from '../../src/platform/input/windows-send-input.js';

const KEYEVENTF_EXTENDEDKEY = 0x0001;
const KEYEVENTF_SCANCODE = 0x0008;

test('keys become scan codes, E0 keys flagged extended, releases flagged KEYUP', () => {
  const down = (wScan: number, extended = false) => [
    { type: 'keyboard', wVk: 0, wScan, dwFlags: KEYEVENTF_SCANCODE | (extended ? KEYEVENTF_EXTENDEDKEY : 0) },
  ];
  assert.deepEqual(keyInput('KeyA', true), down(0x1e));
  assert.deepEqual(keyInput('Enter', true), down(0x1c));
  assert.deepEqual(keyInput('NumpadEnter', true), down(0x1c, true)); // E0 1C
  assert.deepEqual(keyInput('ArrowLeft', true), down(0x4b, true)); // E0 4B
  assert.deepEqual(keyInput('MetaLeft', true), down(0x5b, true)); // E0 5B
  assert.deepEqual(keyInput('ControlLeft', true), down(0x1d));
  assert.deepEqual(keyInput('ControlRight', true), down(0x1d, true)); // E0 1D
  assert.deepEqual(keyInput('AltRight', true), down(0x38, true)); // E0 38
  assert.deepEqual(keyInput('ShiftRight', true), down(0x36)); // no E0: 36
  assert.deepEqual(keyInput('NumpadDivide', true), down(0x35, true)); // E0 35
  assert.deepEqual(keyInput('Delete', true), down(0x53, true)); // E0 53, Numpad . is 53
  assert.deepEqual(keyInput('NumpadDecimal', true), down(0x53));
  assert.deepEqual(keyInput('PrintScreen', true), down(0x37, true)); // E0 37
  assert.deepEqual(keyInput('Backquote', true), down(0x29));
  assert.deepEqual(keyInput('IntlBackslash', true), down(0x56));
  assert.deepEqual(keyInput('F12', true), down(0x58));
  assert.deepEqual(keyInput('F13', true), down(0x64));
  // Windows' own messages: Pause 0x45, NumLock 0x45 extended.
  assert.deepEqual(keyInput('Pause', true), down(0x45));
  assert.deepEqual(keyInput('NumLock', true), down(0x45, true));
  assert.deepEqual(keyInput('KeyA', false), [{ type: 'keyboard', wVk: 0, wScan: 0x1e, dwFlags: 0x000a }]);
  assert.deepEqual(keyInput('ArrowUp', false), [{ type: 'keyboard', wVk: 0, wScan: 0x48, dwFlags: 0x000b }]);
  assert.equal(keyInput('Fn', true), undefined);
  assert.equal(keyInput('constructor', true), undefined);
  for (const code of KEY_CODES) assert.ok(keyInput(code, true), code);
});

test("scan-code events carry the layout's virtual key, asked with the full (E0) scan code", () => {
  const asked: number[] = [];
  const vk = (scan: number) => (asked.push(scan), scan === 0x1e ? 0x41 : 0x25);
  assert.deepEqual(keyInput('KeyA', true, vk), [{ type: 'keyboard', wVk: 0x41, wScan: 0x1e, dwFlags: 0x0008 }]);
  assert.deepEqual(keyInput('ArrowLeft', false, vk), [{ type: 'keyboard', wVk: 0x25, wScan: 0x4b, dwFlags: 0x000b }]);
  assert.deepEqual(asked, [0x1e, 0xe04b]);
});

test('virtual keys without a scan code; text as KEYEVENTF_UNICODE presses and releases per UTF-16 unit', () => {
  assert.deepEqual(virtualKeyInput(0x43, true), [{ type: 'keyboard', wVk: 0x43, wScan: 0, dwFlags: 0 }]);
  assert.deepEqual(virtualKeyInput(0x43, false), [{ type: 'keyboard', wVk: 0x43, wScan: 0, dwFlags: 0x0002 }]);
  const unit = (wScan: number, up: boolean) => ({ type: 'keyboard', wVk: 0, wScan, dwFlags: up ? 0x0006 : 0x0004 });
  assert.deepEqual(unicodeInputs('é'), [unit(0xe9, false), unit(0xe9, true)]);
  // U+1F600 is the surrogate pair D83D DE00.
  assert.deepEqual(unicodeInputs('😀'), [
    unit(0xd83d, false),
    unit(0xd83d, true),
    unit(0xde00, false),
    unit(0xde00, true),
  ]);
  assert.deepEqual(unicodeInputs(''), []);
});

test('relative moves: MOUSEEVENTF_MOVE alone, whole mickeys', () => {
  assert.deepEqual(relativeMoveInput(30, -20.4), [{ type: 'mouse', dx: 30, dy: -20, mouseData: 0, dwFlags: 0x0001 }]);
});

test('moves are absolute over the virtual desktop, 0..65535 from first to last pixel', () => {
  // A 1920-wide monitor left of a 1920x1080 primary: the virtual desktop starts at x = -1920.
  const screen = { x: -1920, y: 0, width: 3840, height: 1080 };
  const flags = 0x0001 | 0x4000 | 0x8000; // MOVE | VIRTUALDESK | ABSOLUTE
  const at = (dx: number, dy: number) => [{ type: 'mouse', dx, dy, mouseData: 0, dwFlags: flags }];
  assert.equal(flags, 0xc001);
  assert.deepEqual(moveInput(-1920, 0, screen), at(0, 0));
  assert.deepEqual(moveInput(1919, 1079, screen), at(65535, 65535));
  assert.deepEqual(moveInput(0, 540, screen), at(Math.round((1920 * 65535) / 3839), Math.round((540 * 65535) / 1079)));
  assert.deepEqual(moveInput(-5000, 5000, screen), at(0, 65535), 'clamped to the virtual desktop');
  // Every pixel has its own value, and scaling back lands on the same pixel.
  for (let px = 0; px < 3840; px++) {
    const [input] = moveInput(px - 1920, 0, screen);
    assert.equal(input?.type === 'mouse' && Math.round((input.dx * 3839) / 65535), px);
  }
});

test('buttons: documented flags; X buttons carry XBUTTON1/2; a swapped mouse gets left and right swapped back', () => {
  const click = (dwFlags: number, mouseData = 0) => [{ type: 'mouse', dx: 0, dy: 0, mouseData, dwFlags }];
  assert.deepEqual(buttonInput('left', true, false), click(0x0002));
  assert.deepEqual(buttonInput('left', false, false), click(0x0004));
  assert.deepEqual(buttonInput('right', true, false), click(0x0008));
  assert.deepEqual(buttonInput('right', false, false), click(0x0010));
  assert.deepEqual(buttonInput('middle', true, false), click(0x0020));
  assert.deepEqual(buttonInput('middle', false, false), click(0x0040));
  assert.deepEqual(buttonInput('back', true, false), click(0x0080, 0x0001));
  assert.deepEqual(buttonInput('back', false, false), click(0x0100, 0x0001));
  assert.deepEqual(buttonInput('forward', true, false), click(0x0080, 0x0002));
  assert.deepEqual(buttonInput('forward', false, false), click(0x0100, 0x0002));
  assert.deepEqual(buttonInput('left', true, true), click(0x0008));
  assert.deepEqual(buttonInput('right', false, true), click(0x0004));
  assert.deepEqual(buttonInput('middle', true, true), click(0x0020));
});

test('wheel: 120 per notch, fractions kept; WHEEL positive is up, HWHEEL positive is right', () => {
  const wheel = (mouseData: number, dwFlags: number) => ({ type: 'mouse', dx: 0, dy: 0, mouseData, dwFlags });
  assert.deepEqual(wheelInputs(0, 1), [wheel(-120, 0x0800)]);
  assert.deepEqual(wheelInputs(0, -3), [wheel(360, 0x0800)]);
  assert.deepEqual(wheelInputs(2, 0), [wheel(240, 0x1000)]);
  assert.deepEqual(wheelInputs(-0.25, 0.5), [wheel(-60, 0x0800), wheel(-30, 0x1000)]);
  assert.deepEqual(wheelInputs(0, 0), []);
});

test(
  'INPUT is laid out as on 64-bit Windows: 40 bytes, union at 8',
  { skip: process.arch !== 'x64' && process.arch !== 'arm64' },
  () => {
    const INPUT = defineInputType(koffi);
    assert.equal(koffi.sizeof(INPUT), 40);

    const mouse = Buffer.alloc(40);
    koffi.encode(mouse, INPUT, toNative({ type: 'mouse', dx: 65535, dy: 7, mouseData: -120, dwFlags: 0xc001 }));
    assert.equal(mouse.readUInt32LE(0), 0, 'INPUT_MOUSE');
    assert.equal(mouse.readInt32LE(8), 65535, 'mi.dx');
    assert.equal(mouse.readInt32LE(12), 7, 'mi.dy');
    assert.equal(mouse.readUInt32LE(16), 0xffffff88, 'mi.mouseData, -120 as a DWORD');
    assert.equal(mouse.readUInt32LE(20), 0xc001, 'mi.dwFlags');
    assert.equal(mouse.readBigUInt64LE(32), 0n, 'mi.dwExtraInfo');

    const key = Buffer.alloc(40, 0xff);
    koffi.encode(key, INPUT, toNative({ type: 'keyboard', wVk: 0, wScan: 0x1c, dwFlags: 0x0009 }));
    assert.equal(key.readUInt32LE(0), 1, 'INPUT_KEYBOARD');
    assert.equal(key.readUInt16LE(8), 0, 'ki.wVk: unused with KEYEVENTF_SCANCODE');
    assert.equal(key.readUInt16LE(10), 0x1c, 'ki.wScan');
    assert.equal(key.readUInt32LE(12), 0x0009, 'ki.dwFlags');
    assert.equal(key.readUInt32LE(16), 0, 'ki.time');
  },
);
