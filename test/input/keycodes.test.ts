import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evdevCode, KEY_CODES, windowsScanCode } from '../../src/platform/input/keycodes.js';
import { runX, startXvfb } from '../../dev/rig/xvfb.js';

/**
 * What each code must be on Xvfb's default keymap (evdev keycodes, pc105 "us"): for keys with a
 * position name the XKB key name (ISO 9995 rows: <AE01> is the 1 key, <AC01> the A key…), which
 * names the physical key whatever the layout; for media and browser keys, whose XKB names are
 * just numbers (<I172>), the keysym.
 */
const POSITIONS: Record<string, string> = {
  Backquote: 'TLDE',
  Minus: 'AE11',
  Equal: 'AE12',
  IntlYen: 'AE13',
  BracketLeft: 'AD11',
  BracketRight: 'AD12',
  Backslash: 'BKSL',
  Semicolon: 'AC10',
  Quote: 'AC11',
  IntlBackslash: 'LSGT',
  Comma: 'AB08',
  Period: 'AB09',
  Slash: 'AB10',
  IntlRo: 'AB11',
  Escape: 'ESC',
  Backspace: 'BKSP',
  Tab: 'TAB',
  CapsLock: 'CAPS',
  Enter: 'RTRN',
  Space: 'SPCE',
  ShiftLeft: 'LFSH',
  ShiftRight: 'RTSH',
  ControlLeft: 'LCTL',
  ControlRight: 'RCTL',
  AltLeft: 'LALT',
  AltRight: 'RALT',
  MetaLeft: 'LWIN',
  MetaRight: 'RWIN',
  ContextMenu: 'COMP',
  Convert: 'HENK',
  NonConvert: 'MUHE',
  KanaMode: 'HKTG',
  Lang1: 'HNGL',
  Lang2: 'HJCV',
  PrintScreen: 'PRSC',
  ScrollLock: 'SCLK',
  Pause: 'PAUS',
  Insert: 'INS',
  Delete: 'DELE',
  Home: 'HOME',
  End: 'END',
  PageUp: 'PGUP',
  PageDown: 'PGDN',
  ArrowUp: 'UP',
  ArrowDown: 'DOWN',
  ArrowLeft: 'LEFT',
  ArrowRight: 'RGHT',
  NumLock: 'NMLK',
  NumpadDivide: 'KPDV',
  NumpadMultiply: 'KPMU',
  NumpadSubtract: 'KPSU',
  NumpadAdd: 'KPAD',
  NumpadEnter: 'KPEN',
  NumpadDecimal: 'KPDL',
  NumpadComma: 'KPPT',
  NumpadEqual: 'KPEQ',
  AudioVolumeMute: 'MUTE',
  AudioVolumeDown: 'VOL-',
  AudioVolumeUp: 'VOL+',
  BrowserStop: 'STOP',
};
'QWERTYUIOP'.split('').forEach((c, i) => (POSITIONS[`Key${c}`] = `AD${String(i + 1).padStart(2, '0')}`));
'ASDFGHJKL'.split('').forEach((c, i) => (POSITIONS[`Key${c}`] = `AC${String(i + 1).padStart(2, '0')}`));
'ZXCVBNM'.split('').forEach((c, i) => (POSITIONS[`Key${c}`] = `AB${String(i + 1).padStart(2, '0')}`));
'1234567890'.split('').forEach((c, i) => (POSITIONS[`Digit${c}`] = `AE${String(i + 1).padStart(2, '0')}`));
for (let n = 1; n <= 24; n++) POSITIONS[`F${n}`] = `FK${String(n).padStart(2, '0')}`;
for (let n = 0; n <= 9; n++) POSITIONS[`Numpad${n}`] = `KP${n}`;

const KEYSYMS: Record<string, string> = {
  MediaPlayPause: 'XF86AudioPlay',
  MediaStop: 'XF86AudioStop',
  MediaTrackNext: 'XF86AudioNext',
  MediaTrackPrevious: 'XF86AudioPrev',
  BrowserBack: 'XF86Back',
  BrowserForward: 'XF86Forward',
  BrowserRefresh: 'XF86Reload',
  BrowserSearch: 'XF86Search',
  BrowserFavorites: 'XF86Favorites',
  BrowserHome: 'XF86HomePage',
  LaunchMail: 'XF86Mail',
  LaunchApp2: 'XF86Calculator',
  // The "My Computer" key: Linux maps its USB usage (AL Local Machine Browser) to KEY_FILE,
  // which xkeyboard-config calls XF86Explorer (XF86MyComputer is KEY_COMPUTER, another key).
  LaunchApp1: 'XF86Explorer',
};

test('the table: X keycodes in range, one code per key, nothing for unknown names', () => {
  const evdev = KEY_CODES.map((c) => evdevCode(c)!);
  const scan = KEY_CODES.map((c) => windowsScanCode(c)!);
  assert.ok(
    evdev.every((e) => e + 8 >= 8 && e + 8 <= 255),
    'X keycodes are 8..255',
  );
  assert.equal(new Set(evdev).size, KEY_CODES.length, 'no two codes share an evdev key');
  assert.equal(new Set(scan).size, KEY_CODES.length, 'no two codes share a scan code');
  assert.ok(
    scan.every((s) => s > 0 && (s <= 0x7f || (s >= 0xe001 && s <= 0xe07f))),
    'Set-1 make codes, E0 or plain',
  );
  for (const name of ['Fn', 'Power', 'Sleep', 'constructor', '__proto__', 'toString', 'keya', '']) {
    assert.equal(evdevCode(name), undefined, name);
    assert.equal(windowsScanCode(name), undefined, name);
  }
});

test("evdev + 8 is the key's keycode on Xvfb, for every code in the table", async () => {
  assert.deepEqual(
    KEY_CODES.filter((c) => !(c in POSITIONS) && !(c in KEYSYMS)),
    [],
    'every code has an expectation',
  );
  const xvfb = await startXvfb({ width: 320, height: 240 });
  try {
    const keymap = await runX(xvfb, 'xkbcomp', ['-xkb', xvfb.display, '-']);
    const keycodes = keymap.slice(keymap.indexOf('xkb_keycodes'), keymap.indexOf('xkb_types'));
    const byName = new Map<string, number>();
    for (const [, name, keycode] of keycodes.matchAll(/<([^>]+)>\s*=\s*(\d+);/g)) byName.set(name!, Number(keycode));
    for (const [, alias, real] of keycodes.matchAll(/alias\s+<([^>]+)>\s*=\s*<([^>]+)>;/g)) {
      if (byName.has(real!)) byName.set(alias!, byName.get(real!)!);
    }
    const keysyms = new Map<number, string>();
    for (const [, keycode, keysym] of (await runX(xvfb, 'xmodmap', ['-pke'])).matchAll(/^keycode\s+(\d+) = (\S+)/gm)) {
      keysyms.set(Number(keycode), keysym!);
    }

    const wrong: string[] = [];
    for (const code of KEY_CODES) {
      const keycode = evdevCode(code)! + 8;
      const position = POSITIONS[code];
      if (position !== undefined && byName.get(position) !== keycode) {
        wrong.push(`${code}: <${position}> is ${byName.get(position)}, table gives ${keycode}`);
      }
      const keysym = KEYSYMS[code];
      if (keysym !== undefined && keysyms.get(keycode) !== keysym) {
        wrong.push(`${code}: keycode ${keycode} is ${keysyms.get(keycode)}, expected ${keysym}`);
      }
    }
    assert.deepEqual(wrong, []);
  } finally {
    await xvfb.close();
  }
});
