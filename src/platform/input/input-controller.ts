/**
 * The host's input policy, on top of any InputInjector: whether the operator may inject at all
 * (view-only and idle sessions drop everything), keeping input off flxra's own consent window
 * and indicator, mapping the operator's normalised coordinates to desktop pixels, and making
 * sure no key or button the operator pressed stays down on the host when control ends.
 */
import type { DisplayInfo, InputEvent, Modifiers, MouseButton } from '../../shared/input-events.js';
import type { InputInjector } from './injector.js';
import { sasRefusal, VIEW_ONLY_REFUSAL, type InputRefusal } from '../../shared/special-keys.js';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface InputControllerOptions {
  /** The displays the operator sees, in desktop pixels (the coordinates the injector takes). */
  displays: () => DisplayInfo[];
  /** flxra's own windows (consent window, indicator) in the same coordinates. */
  ownWindows: () => Rect[];
  /**
   * Whether one of flxra's own windows has the keyboard focus. Key presses are dropped then:
   * they would land on its buttons (Space or Enter on a focused "Stop" button). Default: never.
   */
  ownWindowFocused?: () => boolean;
  /**
   * Sends the Secure Attention Sequence (Ctrl+Alt+Del) where the platform can: on Windows the
   * secure-desktop helper's SendSAS. Null when sent, else why not. Default: refused, with the
   * platform's reason (special-keys.ts).
   */
  secureAttention?: () => InputRefusal | null;
}

export type HandleResult =
  | 'injected'
  | 'dropped-disabled'
  | 'dropped-own-window'
  | 'dropped-unknown-display'
  | 'dropped-unknown-key'
  /** A button or key release for something the host does not hold: nothing to release. */
  | 'dropped-not-held'
  /** Ctrl+Alt+Del the platform cannot send: secureAttention() says why. */
  | 'refused';

/**
 * The keys each KeyboardEvent modifier flag stands for. The left one is what gets pressed when
 * a flag is set but no key of it is down on the host.
 */
const MODIFIER_KEYS: Record<keyof Modifiers, readonly [left: string, right: string]> = {
  shift: ['ShiftLeft', 'ShiftRight'],
  ctrl: ['ControlLeft', 'ControlRight'],
  alt: ['AltLeft', 'AltRight'],
  meta: ['MetaLeft', 'MetaRight'],
};

/**
 * AltRight is AltGr on many layouts, and browsers report AltGr with altKey false (on Linux and
 * macOS): releasing AltRight because `alt` is false would break every AltGr character.
 */
const NEVER_SYNC_RELEASED = new Set(['AltRight']);

export class HostInputController {
  private enabled = false;
  /** Insertion order is press order, so release can go in reverse. */
  private readonly heldKeys = new Set<string>();
  private readonly heldButtons = new Set<MouseButton>();

  constructor(
    private readonly injector: InputInjector,
    private readonly opts: InputControllerOptions,
  ) {}

  /** false: view-only, or no session in control. Disabling releases everything held. */
  setEnabled(enabled: boolean): void {
    if (!enabled) this.releaseAll();
    this.enabled = enabled;
  }

  handle(event: InputEvent): HandleResult {
    if (!this.enabled) return 'dropped-disabled';
    switch (event.t) {
      case 'release-all':
        this.releaseAll();
        return 'injected';
      case 'sas':
        return this.secureAttention() ? 'refused' : 'injected';
      case 'key':
        return this.key(event.code, event.down, event.mods);
      case 'button':
        if (!event.down) return this.heldButtons.has(event.button) ? this.releaseButton(event) : 'dropped-not-held';
        return this.pointer(event, () => {
          this.injector.button(event.button, true);
          this.heldButtons.add(event.button);
          return 'injected';
        });
      case 'move':
        return this.pointer(event, () => 'injected');
      case 'wheel':
        return this.pointer(event, () => {
          this.injector.wheel(event.dx, event.dy);
          return 'injected';
        });
      case 'text':
        if (!this.injector.typeText) return 'dropped-unknown-key';
        this.injector.typeText(event.text);
        return 'injected';
    }
  }

  /** Ctrl+Alt+Del: sent (null) or refused with its reason, view-only included. */
  secureAttention(): InputRefusal | null {
    if (!this.enabled) return VIEW_ONLY_REFUSAL;
    return this.opts.secureAttention ? this.opts.secureAttention() : sasRefusal(process.platform, false);
  }

  /** Releases every button and key the operator holds on the host, and nothing else. */
  releaseAll(): void {
    for (const button of this.heldButtons) this.injector.button(button, false);
    this.heldButtons.clear();
    for (const code of [...this.heldKeys].reverse()) this.injector.key(code, false);
    this.heldKeys.clear();
  }

  /** Moves to the event's point, unless it lies outside every display or inside flxra's windows. */
  private pointer(event: { display: string; x: number; y: number }, then: () => HandleResult): HandleResult {
    const point = this.toDesktop(event);
    if (!point) return 'dropped-unknown-display';
    if (this.insideOwnWindow(point)) return 'dropped-own-window';
    this.injector.moveTo(point.x, point.y);
    return then();
  }

  /**
   * A held button is always released, so nothing stays stuck: at the event's point when that is
   * a valid target, otherwise where the pointer already is (the operator never moved it into
   * flxra's windows). Moving there first would let a drag end on the consent window.
   */
  private releaseButton(event: { display: string; x: number; y: number; button: MouseButton }): HandleResult {
    const point = this.toDesktop(event);
    if (point && !this.insideOwnWindow(point)) this.injector.moveTo(point.x, point.y);
    this.injector.button(event.button, false);
    this.heldButtons.delete(event.button);
    return 'injected';
  }

  private key(code: string, down: boolean, mods: Modifiers): HandleResult {
    const ownFocus = this.opts.ownWindowFocused?.() ?? false;
    // Presses would reach flxra's window; releases still go, so nothing stays held.
    if (down && ownFocus) return 'dropped-own-window';
    this.syncModifiers(code, mods, !ownFocus);
    if (!down) {
      if (!this.heldKeys.has(code)) return 'dropped-not-held';
      this.injector.key(code, false);
      this.heldKeys.delete(code);
      return 'injected';
    }
    if (!this.injector.key(code, true)) return 'dropped-unknown-key';
    this.heldKeys.add(code);
    return 'injected';
  }

  /**
   * Brings the host's modifiers in line with the flags the operator's key event carries, which
   * repairs modifier presses and releases the host never saw (made while the operator's window
   * had no focus, or before control was granted). The event's own key is left to the event:
   * pressing ShiftLeft reports shift=true before the host holds it.
   */
  private syncModifiers(code: string, mods: Modifiers, mayPress: boolean): void {
    for (const flag of Object.keys(MODIFIER_KEYS) as Array<keyof Modifiers>) {
      const keys = MODIFIER_KEYS[flag];
      const eventIsThisModifier = keys.includes(code);
      if (mods[flag]) {
        const pressNeeded = mayPress && !eventIsThisModifier && !keys.some((k) => this.heldKeys.has(k));
        if (pressNeeded && this.injector.key(keys[0], true)) {
          this.heldKeys.add(keys[0]);
        }
      } else {
        for (const k of keys) {
          if (k !== code && this.heldKeys.has(k) && !NEVER_SYNC_RELEASED.has(k)) {
            this.injector.key(k, false);
            this.heldKeys.delete(k);
          }
        }
      }
    }
  }

  /**
   * Normalised coordinates to a desktop pixel of the named display: pixel column floor(x·width),
   * clamped so that x = 1 is the last column. A tiny epsilon keeps x = k/width on column k
   * despite floating-point rounding in k/width·width.
   */
  private toDesktop(event: { display: string; x: number; y: number }): { x: number; y: number } | undefined {
    const display = this.opts.displays().find((d) => d.id === event.display);
    if (!display) return undefined;
    const column = Math.min(display.width - 1, Math.floor(event.x * display.width + 1e-9));
    const row = Math.min(display.height - 1, Math.floor(event.y * display.height + 1e-9));
    return { x: display.x + column, y: display.y + row };
  }

  private insideOwnWindow(point: { x: number; y: number }): boolean {
    return this.opts
      .ownWindows()
      .some((w) => point.x >= w.x && point.x < w.x + w.width && point.y >= w.y && point.y < w.y + w.height);
  }
}
