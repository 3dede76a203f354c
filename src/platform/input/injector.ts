/**
 * The low-level seam between flxra's input policy and the operating system: put the pointer at
 * a desktop pixel, press buttons and keys, turn the wheel. No policy lives here (view-only,
 * flxra's own windows, releasing what is held): that is input-controller.ts.
 *
 * Calls are synchronous and reach the system in call order (an X request is written to the
 * socket, SendInput returns once Windows queued the input), so callers need no queue. Failures
 * that show only later or are no caller's fault (an X error, the display going away, Windows
 * refusing input to an elevated window) go to `onError` rather than being thrown.
 */
import type { MouseButton } from '../../shared/input-events.js';

export interface InputInjector {
  /** Moves the pointer to a pixel of the desktop, in the platform's own desktop coordinates. */
  moveTo(x: number, y: number): void;
  button(button: MouseButton, down: boolean): void;
  /** Turns the wheel by notches (fractions allowed); positive is down / right. */
  wheel(dx: number, dy: number): void;
  /** Presses or releases a physical key; false, with nothing sent, for a code it does not know. */
  key(code: string, down: boolean): boolean;
  /** Types text as characters, independent of the layout; absent where the platform has no way. */
  typeText?(text: string): void;
  close(): Promise<void>;
}

export interface InjectorOptions {
  /** X11: the display to inject into; defaults to $DISPLAY. */
  display?: string;
  /**
   * Windows: converts the controller's desktop coordinates to physical screen pixels, e.g.
   * Electron's `screen.dipToScreenPoint` when displays are described in DIPs. Default: identity.
   */
  toPhysical?: (point: { x: number; y: number }) => { x: number; y: number };
  /** Where asynchronous failures go; by default they are logged. */
  onError?: (err: Error) => void;
}
