import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { DisplayInfo, InputEvent, Modifiers } from '../../src/shared/input-events.js';
import {
  HostInputController,
  type InputControllerOptions,
  type Rect,
} from '../../src/platform/input/input-controller.js';
import type { InputInjector } from '../../src/platform/input/injector.js';
import { createInputInjector } from '../../src/platform/input/platform-injector.js';
import { evdevCode } from '../../src/platform/input/keycodes.js';
import { startXvfb, type Xvfb } from '../../dev/rig/xvfb.js';
import { openProbe, settle, startRecordingTerminal, type RecordingTerminal, type XProbe } from './x-helpers.js';

const NO_MODS: Modifiers = { shift: false, ctrl: false, alt: false, meta: false };
const key = (code: string, down: boolean, mods: Partial<Modifiers> = {}): InputEvent => ({
  t: 'key',
  code,
  down,
  mods: { ...NO_MODS, ...mods },
});

/** Records what the controller asks for, in order. */
class RecordingInjector implements InputInjector {
  calls: string[] = [];
  moveTo(x: number, y: number) {
    this.calls.push(`move ${x},${y}`);
  }
  button(button: string, down: boolean) {
    this.calls.push(`button ${button} ${down ? 'down' : 'up'}`);
  }
  wheel(dx: number, dy: number) {
    this.calls.push(`wheel ${dx},${dy}`);
  }
  key(code: string, down: boolean) {
    if (evdevCode(code) === undefined) return false;
    this.calls.push(`key ${code} ${down ? 'down' : 'up'}`);
    return true;
  }
  async close() {}
  take(): string[] {
    const calls = this.calls;
    this.calls = [];
    return calls;
  }
}

// A 1920x1080 primary and a 1280x1024 monitor to its right.
const DISPLAYS: DisplayInfo[] = [
  { id: 'a', x: 0, y: 0, width: 1920, height: 1080, primary: true },
  { id: 'b', x: 1920, y: 0, width: 1280, height: 1024, primary: false },
];
// The consent window, on display b at (2000, 100), 400x300.
const CONSENT: Rect = { x: 2000, y: 100, width: 400, height: 300 };

function setup(extra: Partial<InputControllerOptions> = {}) {
  const injector = new RecordingInjector();
  const controller = new HostInputController(injector, {
    displays: () => DISPLAYS,
    ownWindows: () => [CONSENT],
    ...extra,
  });
  controller.setEnabled(true);
  return { injector, controller };
}

describe('HostInputController, policy', () => {
  test('disabled (view-only or no session) drops every event and injects nothing', () => {
    const injector = new RecordingInjector();
    const controller = new HostInputController(injector, { displays: () => DISPLAYS, ownWindows: () => [] });
    const events: InputEvent[] = [
      { t: 'move', display: 'a', x: 0.5, y: 0.5 },
      { t: 'button', display: 'a', x: 0.5, y: 0.5, button: 'left', down: true },
      { t: 'wheel', display: 'a', x: 0.5, y: 0.5, dx: 0, dy: 1 },
      key('KeyA', true, { shift: true }),
      { t: 'release-all' },
    ];
    for (const e of events) assert.equal(controller.handle(e), 'dropped-disabled');
    controller.setEnabled(true);
    controller.setEnabled(false);
    for (const e of events) assert.equal(controller.handle(e), 'dropped-disabled');
    assert.deepEqual(injector.calls, []);
  });

  test('normalised coordinates map to pixels of the named display, edges included', () => {
    const { injector, controller } = setup();
    const move = (display: string, x: number, y: number) => controller.handle({ t: 'move', display, x, y });
    assert.equal(move('a', 0, 0), 'injected');
    assert.equal(move('a', 1, 1), 'injected');
    assert.equal(move('a', 0.5, 0.5), 'injected');
    assert.equal(move('b', 0, 0), 'injected');
    assert.equal(move('b', 1, 1), 'injected');
    assert.equal(move('b', 0.25, 0.999), 'injected');
    assert.deepEqual(injector.take(), [
      'move 0,0',
      'move 1919,1079',
      'move 960,540',
      'move 1920,0',
      'move 3199,1023',
      'move 2240,1022',
    ]);
    assert.equal(move('c', 0.5, 0.5), 'dropped-unknown-display');
    assert.deepEqual(injector.take(), []);
  });

  test("a pixel's left edge (k / width) and its centre both land on pixel k", () => {
    const { injector, controller } = setup();
    for (let k = 0; k < 1920; k++) {
      controller.handle({ t: 'move', display: 'a', x: k / 1920, y: (k % 1080) / 1080 });
      controller.handle({ t: 'move', display: 'a', x: (k + 0.5) / 1920, y: ((k % 1080) + 0.5) / 1080 });
      const expected = `move ${k},${k % 1080}`;
      assert.deepEqual(injector.take(), [expected, expected]);
    }
  });

  test('pointer events inside flxra’s own windows are dropped; the edge pixel past them is not', () => {
    const { injector, controller } = setup();
    // Display b: x = (px - 1920) / 1280. The consent window covers px 2000..2399, py 100..399.
    const inside = { display: 'b', x: (2000 - 1920 + 0.5) / 1280, y: 100.5 / 1024 };
    const justRight = { display: 'b', x: (2400 - 1920 + 0.5) / 1280, y: 100.5 / 1024 };
    assert.equal(controller.handle({ t: 'move', ...inside }), 'dropped-own-window');
    assert.equal(controller.handle({ t: 'button', ...inside, button: 'left', down: true }), 'dropped-own-window');
    assert.equal(controller.handle({ t: 'wheel', ...inside, dx: 0, dy: 3 }), 'dropped-own-window');
    assert.deepEqual(injector.take(), []);
    assert.equal(controller.handle({ t: 'move', ...justRight }), 'injected');
    assert.deepEqual(injector.take(), ['move 2400,100']);
  });

  test('a held button is released even over flxra’s window, without moving into it', () => {
    const { injector, controller } = setup();
    const outside = { display: 'b', x: 0.01, y: 0.5 };
    const inside = { display: 'b', x: (2100 - 1920) / 1280, y: 200 / 1024 };
    assert.equal(controller.handle({ t: 'button', ...outside, button: 'left', down: true }), 'injected');
    assert.equal(controller.handle({ t: 'move', ...inside }), 'dropped-own-window'); // the drag stays outside
    assert.equal(controller.handle({ t: 'button', ...inside, button: 'left', down: false }), 'injected');
    assert.deepEqual(injector.take(), ['move 1932,512', 'button left down', 'button left up']);
    // Pressed inside (dropped), released outside: the host holds nothing, so nothing is sent.
    controller.handle({ t: 'button', ...inside, button: 'right', down: true });
    assert.equal(controller.handle({ t: 'button', ...outside, button: 'right', down: false }), 'dropped-not-held');
    // A held button is released even if its display went away meanwhile.
    controller.handle({ t: 'button', ...outside, button: 'middle', down: true });
    assert.equal(
      controller.handle({ t: 'button', display: 'gone', x: 0, y: 0, button: 'middle', down: false }),
      'injected',
    );
    assert.deepEqual(injector.take(), ['move 1932,512', 'button middle down', 'button middle up']);
  });

  test('releaseAll and release-all events release exactly what is held, keys in reverse order', () => {
    const { injector, controller } = setup();
    controller.handle(key('ControlLeft', true, { ctrl: true }));
    controller.handle(key('KeyC', true, { ctrl: true }));
    controller.handle(key('KeyX', true, { ctrl: true }));
    controller.handle(key('KeyX', false, { ctrl: true }));
    controller.handle({ t: 'button', display: 'a', x: 0, y: 0, button: 'right', down: true });
    controller.handle(key('NoSuchKey', true, { ctrl: true }));
    injector.take();
    assert.equal(controller.handle({ t: 'release-all' }), 'injected');
    assert.deepEqual(injector.take(), ['button right up', 'key KeyC up', 'key ControlLeft up']);
    controller.releaseAll();
    assert.deepEqual(injector.take(), [], 'nothing is held any more');

    controller.handle(key('ShiftLeft', true, { shift: true }));
    controller.handle({ t: 'button', display: 'a', x: 0, y: 0, button: 'left', down: true });
    injector.take();
    controller.setEnabled(false);
    assert.deepEqual(injector.take(), ['button left up', 'key ShiftLeft up'], 'ending control releases too');
  });

  test('unknown key codes are dropped and never count as held', () => {
    const { injector, controller } = setup();
    assert.equal(controller.handle(key('Fn', true)), 'dropped-unknown-key');
    assert.equal(controller.handle(key('Fn', false)), 'dropped-not-held');
    assert.equal(controller.handle(key('KeyQ', false)), 'dropped-not-held');
    assert.deepEqual(injector.take(), []);
  });

  test('modifier state follows the flags of each key event', () => {
    const { injector, controller } = setup();
    // Shift is down on the operator's side but the host never saw it: pressed before the key.
    controller.handle(key('KeyA', true, { shift: true }));
    controller.handle(key('KeyA', false, { shift: true }));
    assert.deepEqual(injector.take(), ['key ShiftLeft down', 'key KeyA down', 'key KeyA up']);
    // Released on the operator's side without the host seeing it: released before the key.
    controller.handle(key('KeyB', true));
    assert.deepEqual(injector.take(), ['key ShiftLeft up', 'key KeyB down']);
    controller.handle(key('KeyB', false));
    injector.take();

    // All four flags at once, then all off.
    controller.handle(key('KeyK', true, { shift: true, ctrl: true, alt: true, meta: true }));
    assert.deepEqual(injector.take(), [
      'key ShiftLeft down',
      'key ControlLeft down',
      'key AltLeft down',
      'key MetaLeft down',
      'key KeyK down',
    ]);
    controller.handle(key('KeyK', false));
    assert.deepEqual(injector.take(), [
      'key ShiftLeft up',
      'key ControlLeft up',
      'key AltLeft up',
      'key MetaLeft up',
      'key KeyK up',
    ]);
  });

  test("a modifier's own event is not doubled, and a right-hand modifier counts as held", () => {
    const { injector, controller } = setup();
    controller.handle(key('ShiftRight', true, { shift: true }));
    controller.handle(key('KeyZ', true, { shift: true }));
    controller.handle(key('KeyZ', false, { shift: true }));
    controller.handle(key('ShiftRight', false));
    assert.deepEqual(injector.take(), ['key ShiftRight down', 'key KeyZ down', 'key KeyZ up', 'key ShiftRight up']);

    // The host got ShiftLeft by synchronisation; the operator then lets go of ShiftRight.
    controller.handle(key('KeyZ', true, { shift: true }));
    assert.equal(controller.handle(key('ShiftRight', false)), 'dropped-not-held');
    assert.deepEqual(injector.take(), ['key ShiftLeft down', 'key KeyZ down', 'key ShiftLeft up']);
  });

  test('AltRight (AltGr) is never released for alt=false: browsers report AltGr without altKey', () => {
    const { injector, controller } = setup();
    controller.handle(key('AltRight', true));
    controller.handle(key('KeyQ', true)); // AltGr+Q is @ on a German layout
    controller.handle(key('KeyQ', false));
    controller.handle(key('AltRight', false));
    assert.deepEqual(injector.take(), ['key AltRight down', 'key KeyQ down', 'key KeyQ up', 'key AltRight up']);
    // Windows reports AltGr as ctrl+alt: AltRight satisfies alt, ControlLeft is pressed for ctrl.
    controller.handle(key('AltRight', true, { ctrl: true, alt: true }));
    controller.handle(key('KeyQ', true, { ctrl: true, alt: true }));
    assert.deepEqual(injector.take(), ['key ControlLeft down', 'key AltRight down', 'key KeyQ down']);
  });

  test('while a flxra window has the keyboard focus, key presses are dropped but releases still go', () => {
    let focused = false;
    const { injector, controller } = setup({ ownWindowFocused: () => focused });
    controller.handle(key('KeyA', true, { shift: true }));
    injector.take();
    focused = true;
    assert.equal(controller.handle(key('Enter', true)), 'dropped-own-window');
    assert.equal(controller.handle(key('KeyB', true, { ctrl: true })), 'dropped-own-window');
    assert.equal(controller.handle(key('KeyA', false)), 'injected');
    assert.deepEqual(injector.take(), ['key ShiftLeft up', 'key KeyA up']);
  });
});

describe('HostInputController on X', () => {
  let xvfb: Xvfb;
  let injector: InputInjector;
  let probe: XProbe;
  let term: RecordingTerminal;
  let controller: HostInputController;

  before(async () => {
    xvfb = await startXvfb({ width: 1280, height: 720 });
    term = await startRecordingTerminal(xvfb, 'controller-term', '80x24+0+0');
    injector = await createInputInjector('linux', { display: xvfb.display });
    probe = await openProbe(xvfb);
    const displays = [{ id: '0', x: 0, y: 0, width: 1280, height: 720, primary: true }];
    controller = new HostInputController(injector, { displays: () => displays, ownWindows: () => [] });
    controller.setEnabled(true);
    // Keyboard focus follows the pointer (no window manager): put it over the terminal.
    controller.handle({ t: 'move', display: '0', x: 0.1, y: 0.1 });
  });

  after(async () => {
    await probe?.close();
    await injector?.close();
    await term?.close();
    await xvfb?.close();
  });

  const SHIFT_L = evdevCode('ShiftLeft')! + 8;
  const SHIFT_R = evdevCode('ShiftRight')! + 8;
  const keyDown = (keycode: number) => () => probe.keyDown(keycode);

  test('after holding ShiftLeft and releasing all, the server has no key down and letters are lowercase', async () => {
    const start = (await term.output()).length;
    controller.handle(key('ShiftLeft', true, { shift: true }));
    controller.handle(key('KeyA', true, { shift: true }));
    controller.handle(key('KeyA', false, { shift: true }));
    assert.equal(await settle(keyDown(SHIFT_L), true), true);
    controller.handle({ t: 'release-all' });
    assert.equal(await settle(keyDown(SHIFT_L), false), false);
    // The operator's window regains focus with nothing held: a plain a.
    controller.handle(key('KeyA', true));
    controller.handle(key('KeyA', false));
    assert.equal((await term.waitFor((o) => o.length >= start + 2)).slice(start), 'Aa');
  });

  test('a held button is up on the server once control ends', async () => {
    controller.handle({ t: 'button', display: '0', x: 0.5, y: 0.5, button: 'left', down: true });
    const buttons = async () => (await probe.pointer()).buttons;
    assert.equal(await settle(buttons, 0x100), 0x100, 'Button1Mask');
    controller.setEnabled(false);
    assert.equal(await settle(buttons, 0), 0);
    controller.setEnabled(true);
  });

  test('view-only: the pointer stays where it was', async () => {
    const before = { x: 320, y: 180, buttons: 0 };
    controller.handle({ t: 'move', display: '0', x: 0.25, y: 0.25 });
    assert.deepEqual(await settle(() => probe.pointer(), before), before);
    controller.setEnabled(false);
    assert.equal(controller.handle({ t: 'move', display: '0', x: 0.75, y: 0.75 }), 'dropped-disabled');
    // A marker through the same connection: the server handles one client's input in order, so
    // once this key is down, a move sent before it would have arrived too.
    injector.key('ShiftRight', true);
    assert.equal(await settle(keyDown(SHIFT_R), true), true);
    assert.deepEqual(await probe.pointer(), before);
    injector.key('ShiftRight', false);
    controller.setEnabled(true);
  });
});
