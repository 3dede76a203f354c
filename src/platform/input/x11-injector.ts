/**
 * InputInjector for X11 through the XTEST extension, over one persistent connection. XTest
 * events go through the server's input path like a real device's: they move the real pointer,
 * honour grabs and focus, and auto-repeat rules apply.
 */
import type { XTestExtension } from 'x11';
import type { MouseButton } from '../../shared/input-events.js';
import { connectX11, type X11Connection } from '../x11-connection.js';
import type { InputInjector } from './injector.js';
import { evdevCode } from './keycodes.js';
import { X11TextTyper } from './x11-text.js';

/** X servers with evdev keycodes (Xorg, Xvfb, Xwayland) number keys evdev + 8. */
const EVDEV_TO_X = 8;

/** Core pointer buttons; wheel notches are presses of 4/5 (up/down) and 6/7 (left/right). */
const BUTTONS: Record<MouseButton, number> = { left: 1, middle: 2, right: 3, back: 8, forward: 9 };
const WHEEL = { up: 4, down: 5, left: 6, right: 7 } as const;

export interface X11InjectorOptions {
  /** Defaults to $DISPLAY. */
  display?: string;
  onError: (err: Error) => void;
}

export async function createX11Injector(opts: X11InjectorOptions): Promise<InputInjector> {
  const conn = await connectX11(opts);
  try {
    const xtest = await new Promise<XTestExtension>((resolve, reject) =>
      conn.client.require('xtest', (err, ext) => (err ? reject(err) : resolve(ext))),
    );
    return new X11Injector(conn, xtest, new X11TextTyper(conn, xtest, opts.onError));
  } catch (err) {
    await conn.close();
    throw new Error(`X display has no usable XTEST extension: ${(err as Error).message}`, { cause: err });
  }
}

class X11Injector implements InputInjector {
  /** Wheel fractions not yet turned into a notch, so slow trackpad scrolling is not lost. */
  private pendingWheel = { x: 0, y: 0 };

  constructor(
    private readonly conn: X11Connection,
    private readonly xtest: XTestExtension,
    private readonly text: X11TextTyper,
  ) {}

  typeText(text: string): void {
    this.text.type(text);
  }

  moveTo(x: number, y: number): void {
    // detail 0 = absolute motion; coordinates are INT16 on the wire.
    this.fake(this.xtest.MotionNotify, 0, int16(x), int16(y));
  }

  button(button: MouseButton, down: boolean): void {
    this.fake(down ? this.xtest.ButtonPress : this.xtest.ButtonRelease, BUTTONS[button]);
  }

  wheel(dx: number, dy: number): void {
    this.notches('x', dx, WHEEL.left, WHEEL.right);
    this.notches('y', dy, WHEEL.up, WHEEL.down);
  }

  key(code: string, down: boolean): boolean {
    const evdev = evdevCode(code);
    if (evdev === undefined) return false;
    this.fake(down ? this.xtest.KeyPress : this.xtest.KeyRelease, evdev + EVDEV_TO_X);
    return true;
  }

  close(): Promise<void> {
    return this.conn.close();
  }

  private notches(axis: 'x' | 'y', delta: number, negative: number, positive: number): void {
    const total = this.pendingWheel[axis] + delta;
    const whole = Math.trunc(total);
    this.pendingWheel[axis] = total - whole;
    const button = whole < 0 ? negative : positive;
    for (let i = 0; i < Math.abs(whole); i++) {
      this.fake(this.xtest.ButtonPress, button);
      this.fake(this.xtest.ButtonRelease, button);
    }
  }

  /**
   * One FakeInput request, written to the socket at once (the client does not batch), so an
   * event reaches the server within the call. Once the connection is gone, onError has already
   * been told and there is nothing left to send to.
   */
  private fake(type: number, detail: number, x = 0, y = 0): void {
    if (!this.conn.open) return;
    this.xtest.FakeInput(type, detail, 0 /* CurrentTime */, this.conn.root, x, y);
  }
}

function int16(n: number): number {
  return Math.max(-32768, Math.min(32767, Math.round(n)));
}
