/**
 * InputInjector for Windows through user32's SendInput, in two parts: a pure builder that turns
 * each injector call into INPUT descriptors (platform-independent, so it is tested anywhere),
 * and a thin sender that marshals them with koffi. koffi and user32.dll are loaded only when the
 * sender is created, which only happens on win32.
 *
 * Constants are Microsoft's documented values (winuser.h: MOUSEINPUT, KEYBDINPUT, INPUT).
 * Keys go by scan code (KEYEVENTF_SCANCODE), so the host's layout decides the character. Each
 * scan-code event also carries the virtual key the host's layout gives that scan code: Windows
 * ignores wVk when KEYEVENTF_SCANCODE is set, Wine types nothing without it.
 */
import type { MouseButton } from '../../shared/input-events.js';
import type { InputInjector } from './injector.js';
import { windowsScanCode } from './keycodes.js';

const INPUT_MOUSE = 0;
const INPUT_KEYBOARD = 1;

const MOUSEEVENTF = {
  MOVE: 0x0001,
  LEFTDOWN: 0x0002,
  LEFTUP: 0x0004,
  RIGHTDOWN: 0x0008,
  RIGHTUP: 0x0010,
  MIDDLEDOWN: 0x0020,
  MIDDLEUP: 0x0040,
  XDOWN: 0x0080,
  XUP: 0x0100,
  WHEEL: 0x0800,
  HWHEEL: 0x1000,
  VIRTUALDESK: 0x4000,
  ABSOLUTE: 0x8000,
} as const;

const KEYEVENTF = { EXTENDEDKEY: 0x0001, KEYUP: 0x0002, UNICODE: 0x0004, SCANCODE: 0x0008 } as const;

/** MapVirtualKeyW: scan code (0xE0xx for extended keys) to the layout's virtual key. */
const MAPVK_VSC_TO_VK_EX = 3;

const XBUTTON1 = 0x0001;
const XBUTTON2 = 0x0002;
const WHEEL_DELTA = 120;

/** GetSystemMetrics indices. */
const SM_SWAPBUTTON = 23;
const SM_XVIRTUALSCREEN = 76;
const SM_YVIRTUALSCREEN = 77;
const SM_CXVIRTUALSCREEN = 78;
const SM_CYVIRTUALSCREEN = 79;

export type WinInput =
  | { type: 'mouse'; dx: number; dy: number; mouseData: number; dwFlags: number }
  | { type: 'keyboard'; wVk: number; wScan: number; dwFlags: number };

export interface VirtualScreen {
  x: number;
  y: number;
  width: number;
  height: number;
}

// ---- Builder ----

/**
 * An absolute move. With MOUSEEVENTF_VIRTUALDESK, 0..65535 spans the whole virtual desktop,
 * whose origin is negative when a monitor sits left of or above the primary one.
 */
export function moveInput(x: number, y: number, screen: VirtualScreen): WinInput[] {
  return [
    {
      type: 'mouse',
      dx: normalise(x - screen.x, screen.width),
      dy: normalise(y - screen.y, screen.height),
      mouseData: 0,
      dwFlags: MOUSEEVENTF.MOVE | MOUSEEVENTF.ABSOLUTE | MOUSEEVENTF.VIRTUALDESK,
    },
  ];
}

/**
 * A relative move by mickeys (MOUSEEVENTF_MOVE without ABSOLUTE). Windows applies the user's
 * pointer speed and acceleration ("Enhance pointer precision") to these.
 */
export function relativeMoveInput(dx: number, dy: number): WinInput[] {
  return [{ type: 'mouse', dx: Math.round(dx), dy: Math.round(dy), mouseData: 0, dwFlags: MOUSEEVENTF.MOVE }];
}

/** First pixel → 0, last pixel → 65535. */
function normalise(offset: number, size: number): number {
  if (size <= 1) return 0;
  return Math.max(0, Math.min(65535, Math.round((offset * 65535) / (size - 1))));
}

const BUTTON_FLAGS: Record<MouseButton, { down: number; up: number; mouseData: number }> = {
  left: { down: MOUSEEVENTF.LEFTDOWN, up: MOUSEEVENTF.LEFTUP, mouseData: 0 },
  right: { down: MOUSEEVENTF.RIGHTDOWN, up: MOUSEEVENTF.RIGHTUP, mouseData: 0 },
  middle: { down: MOUSEEVENTF.MIDDLEDOWN, up: MOUSEEVENTF.MIDDLEUP, mouseData: 0 },
  back: { down: MOUSEEVENTF.XDOWN, up: MOUSEEVENTF.XUP, mouseData: XBUTTON1 },
  forward: { down: MOUSEEVENTF.XDOWN, up: MOUSEEVENTF.XUP, mouseData: XBUTTON2 },
};

/**
 * SendInput's LEFT is the physical left button, which a left-handed user's setting
 * (SM_SWAPBUTTON) makes the secondary one; the operator means primary, so swap it back.
 */
export function buttonInput(button: MouseButton, down: boolean, swapped: boolean): WinInput[] {
  const physical = swapped && button === 'left' ? 'right' : swapped && button === 'right' ? 'left' : button;
  const flags = BUTTON_FLAGS[physical];
  return [{ type: 'mouse', dx: 0, dy: 0, mouseData: flags.mouseData, dwFlags: down ? flags.down : flags.up }];
}

/**
 * Windows counts WHEEL_DELTA per notch and accepts fractions of it (high-resolution wheels).
 * MOUSEEVENTF_WHEEL is positive away from the user (up), so "down" is negative;
 * MOUSEEVENTF_HWHEEL is positive to the right.
 */
export function wheelInputs(dx: number, dy: number): WinInput[] {
  const inputs: WinInput[] = [];
  const vertical = Math.round(-dy * WHEEL_DELTA);
  const horizontal = Math.round(dx * WHEEL_DELTA);
  if (vertical !== 0) inputs.push({ type: 'mouse', dx: 0, dy: 0, mouseData: vertical, dwFlags: MOUSEEVENTF.WHEEL });
  if (horizontal !== 0)
    inputs.push({ type: 'mouse', dx: 0, dy: 0, mouseData: horizontal, dwFlags: MOUSEEVENTF.HWHEEL });
  return inputs;
}

/**
 * A key by scan code; E0-prefixed keys carry KEYEVENTF_EXTENDEDKEY. Undefined if unknown.
 * `virtualKey` maps the full scan code (0xE0xx for extended keys) to the layout's virtual key
 * for wVk (the sender asks MapVirtualKeyW); without it wVk is 0, the scan-code-only event.
 */
export function keyInput(
  code: string,
  down: boolean,
  virtualKey: (scan: number) => number = () => 0,
): WinInput[] | undefined {
  const scan = windowsScanCode(code);
  if (scan === undefined) return undefined;
  const dwFlags = KEYEVENTF.SCANCODE | (scan > 0xff ? KEYEVENTF.EXTENDEDKEY : 0) | (down ? 0 : KEYEVENTF.KEYUP);
  return [{ type: 'keyboard', wVk: virtualKey(scan) & 0xffff, wScan: scan & 0xff, dwFlags }];
}

/** A key by virtual-key code (VK_*), as the layout means it; no scan code. */
export function virtualKeyInput(vk: number, down: boolean): WinInput[] {
  return [{ type: 'keyboard', wVk: vk & 0xffff, wScan: 0, dwFlags: down ? 0 : KEYEVENTF.KEYUP }];
}

/**
 * Text typed as characters, whatever the layout (KEYEVENTF_UNICODE): a press and a release per
 * UTF-16 code unit, so characters outside the BMP go as their two surrogates, as Windows expects.
 */
export function unicodeInputs(text: string): WinInput[] {
  const inputs: WinInput[] = [];
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    inputs.push({ type: 'keyboard', wVk: 0, wScan: unit, dwFlags: KEYEVENTF.UNICODE });
    inputs.push({ type: 'keyboard', wVk: 0, wScan: unit, dwFlags: KEYEVENTF.UNICODE | KEYEVENTF.KEYUP });
  }
  return inputs;
}

// ---- Native layout ----

type Koffi = typeof import('koffi').default;

/**
 * The INPUT struct for koffi: DWORD type, then the MOUSEINPUT/KEYBDINPUT/HARDWAREINPUT union
 * (40 bytes on 64-bit Windows, union at offset 8). mouseData is declared signed: the wheel needs
 * negative values and the bits are the same as the DWORD's.
 */
export function defineInputType(koffi: Koffi) {
  const MOUSEINPUT = koffi.struct({
    dx: 'int32_t',
    dy: 'int32_t',
    mouseData: 'int32_t',
    dwFlags: 'uint32_t',
    time: 'uint32_t',
    dwExtraInfo: 'uintptr_t',
  });
  const KEYBDINPUT = koffi.struct({
    wVk: 'uint16_t',
    wScan: 'uint16_t',
    dwFlags: 'uint32_t',
    time: 'uint32_t',
    dwExtraInfo: 'uintptr_t',
  });
  const HARDWAREINPUT = koffi.struct({ uMsg: 'uint32_t', wParamL: 'uint16_t', wParamH: 'uint16_t' });
  return koffi.struct({
    type: 'uint32_t',
    u: koffi.union({ mi: MOUSEINPUT, ki: KEYBDINPUT, hi: HARDWAREINPUT }),
  });
}

/** A descriptor as the object koffi encodes into INPUT (fields not given are zero). */
export function toNative(input: WinInput) {
  if (input.type === 'mouse') {
    const { dx, dy, mouseData, dwFlags } = input;
    return { type: INPUT_MOUSE, u: { mi: { dx, dy, mouseData, dwFlags } } };
  }
  const { wVk, wScan, dwFlags } = input;
  return { type: INPUT_KEYBOARD, u: { ki: { wVk, wScan, dwFlags } } };
}

// ---- Sender (Windows only) ----

export interface SendInputOptions {
  toPhysical?: (point: { x: number; y: number }) => { x: number; y: number };
  onError: (err: Error) => void;
}

/** What the Windows injector can do beyond the seam: relative moves, virtual keys, text. */
export interface SendInputInjector extends InputInjector {
  /** Moves the pointer by mickeys (subject to the user's pointer speed on real Windows). */
  moveBy(dx: number, dy: number): void;
  /** Presses or releases a key by virtual-key code. */
  virtualKey(vk: number, down: boolean): void;
  /** Types text as Unicode characters, independent of the layout. */
  typeText(text: string): void;
}

export async function createSendInputInjector(opts: SendInputOptions): Promise<SendInputInjector> {
  const koffi = (await import('koffi')).default;
  const user32 = koffi.load('user32.dll');
  const INPUT = defineInputType(koffi);
  const SendInput = user32.func('__stdcall', 'SendInput', 'uint32_t', ['uint32_t', koffi.pointer(INPUT), 'int32_t']);
  const getSystemMetric = user32.func('__stdcall', 'GetSystemMetrics', 'int32_t', ['int32_t']);
  const GetSystemMetrics = (index: number) => getSystemMetric(index) as number;
  const mapVirtualKey = user32.func('__stdcall', 'MapVirtualKeyW', 'uint32_t', ['uint32_t', 'uint32_t']);
  // Asked each time: the layout is the focused thread's and may change during a session.
  const virtualKeyOf = (scan: number) => mapVirtualKey(scan, MAPVK_VSC_TO_VK_EX) as number;
  const inputSize = koffi.sizeof(INPUT);
  const toPhysical = opts.toPhysical ?? ((point) => point);

  const send = (inputs: WinInput[]): void => {
    if (inputs.length === 0) return;
    const sent = SendInput(inputs.length, inputs.map(toNative), inputSize) as number;
    // Windows reports no reason; the usual ones are UIPI (an elevated window has the focus)
    // and the secure desktop (UAC prompt, lock screen).
    if (sent !== inputs.length) opts.onError(new Error(`SendInput injected ${sent} of ${inputs.length} inputs`));
  };

  return {
    moveTo(x, y) {
      // Read each time: monitors come and go during a session.
      const screen: VirtualScreen = {
        x: GetSystemMetrics(SM_XVIRTUALSCREEN),
        y: GetSystemMetrics(SM_YVIRTUALSCREEN),
        width: GetSystemMetrics(SM_CXVIRTUALSCREEN),
        height: GetSystemMetrics(SM_CYVIRTUALSCREEN),
      };
      const point = toPhysical({ x, y });
      send(moveInput(point.x, point.y, screen));
    },
    button(button, down) {
      send(buttonInput(button, down, GetSystemMetrics(SM_SWAPBUTTON) !== 0));
    },
    moveBy(dx, dy) {
      send(relativeMoveInput(dx, dy));
    },
    wheel(dx, dy) {
      send(wheelInputs(dx, dy));
    },
    virtualKey(vk, down) {
      send(virtualKeyInput(vk, down));
    },
    typeText(text) {
      send(unicodeInputs(text));
    },
    key(code, down) {
      const inputs = keyInput(code, down, virtualKeyOf);
      if (!inputs) return false;
      send(inputs);
      return true;
    },
    async close() {},
  };
}
