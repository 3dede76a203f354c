/**
 * The viewer toolbar's special keys: combinations the operator's own system would catch (the
 * Windows key opens the operator's start menu, Alt+Tab switches the operator's windows, Print
 * Screen takes the operator's screenshot), sent instead as physical key presses on the device, and
 * the Secure Attention Sequence (Ctrl+Alt+Del), which no injected keystroke can make: it travels as
 * an input event of its own (`{t: 'sas'}`, input-events.ts) that the device either hands to its
 * secure-desktop helper (Windows, SendSAS) or refuses with a reason (everywhere else).
 */
import type { InputEvent, Modifiers } from './input-events.js';

export const SPECIAL_KEYS = {
  'windows-key': { label: 'Windows key', codes: ['MetaLeft'] },
  'alt-tab': { label: 'Alt+Tab', codes: ['AltLeft', 'Tab'] },
  'print-screen': { label: 'Print Screen', codes: ['PrintScreen'] },
} as const satisfies Record<string, { label: string; codes: readonly string[] }>;
export type SpecialKey = keyof typeof SPECIAL_KEYS;

const MODIFIER_FLAG: Record<string, keyof Modifiers> = {
  ShiftLeft: 'shift',
  ShiftRight: 'shift',
  ControlLeft: 'ctrl',
  ControlRight: 'ctrl',
  AltLeft: 'alt',
  AltRight: 'alt',
  MetaLeft: 'meta',
  MetaRight: 'meta',
};

/**
 * A combination as the key events a keyboard makes: each key pressed in order, then released in
 * reverse, each event's modifier flags saying what is held at that moment (the host's controller
 * syncs modifiers from those flags, so they must be true to the sequence).
 */
export function keySequence(codes: readonly string[]): InputEvent[] {
  const held = new Set<string>();
  const mods = (): Modifiers => {
    const m: Modifiers = { shift: false, ctrl: false, alt: false, meta: false };
    for (const code of held) {
      const flag = MODIFIER_FLAG[code];
      if (flag) m[flag] = true;
    }
    return m;
  };
  const events: InputEvent[] = [];
  for (const code of codes) {
    held.add(code);
    events.push({ t: 'key', code, down: true, mods: mods() });
  }
  for (const code of [...codes].reverse()) {
    held.delete(code);
    // A modifier's own release still reports itself as held, as browsers do; the others are true to what is down.
    events.push({ t: 'key', code, down: false, mods: mods() });
  }
  return events;
}

/** What the policy's keys.special covers: the toolbar's keys and Ctrl+Alt+Del, however the operator sent them. */
export type PolicedKey = SpecialKey | 'ctrl-alt-del';

const WINDOWS_KEYS = new Set(['MetaLeft', 'MetaRight', 'OSLeft', 'OSRight']);

/**
 * Which special key an input event presses, or null: the Windows key, Tab while Alt is held, Print
 * Screen, the Secure Attention Sequence. Only presses count: a release always passes, so that a key
 * pressed before the policy changed is never left held down on the device.
 */
export function specialKeyOf(event: InputEvent): PolicedKey | null {
  if (event.t === 'sas') return 'ctrl-alt-del';
  if (event.t !== 'key' || !event.down) return null;
  if (WINDOWS_KEYS.has(event.code)) return 'windows-key';
  if (event.code === 'Tab' && event.mods.alt) return 'alt-tab';
  if (event.code === 'PrintScreen') return 'print-screen';
  return null;
}

/** Why the device did not carry out an input the operator asked for, as data (codes + sentences). */
export type InputRefusalCode = 'view-only' | 'sas-unsupported' | 'sas-unavailable' | 'not-permitted';
export interface InputRefusal {
  code: InputRefusalCode;
  message: string;
}

/**
 * Where the Secure Attention Sequence can go: Windows hands it to the secure-desktop helper
 * (its SendSAS); no other platform has one. Null: the platform may send it.
 */
export function sasRefusal(platform: string, helperAvailable: boolean): InputRefusal | null {
  if (platform !== 'win32')
    return {
      code: 'sas-unsupported',
      message:
        'Ctrl+Alt+Del was not sent: this device does not run Windows, and only Windows has a Secure Attention Sequence.',
    };
  if (!helperAvailable)
    return {
      code: 'sas-unavailable',
      message:
        "Ctrl+Alt+Del was not sent: the device's secure-desktop helper is not running, so it cannot reach the sign-in screen.",
    };
  return null;
}

/** The device's helper tried and Windows (or the helper's pipe) said no: its reason, said as the operator reads it. */
export function sasHelperRefusal(reason: string): InputRefusal {
  const why = reason.trim().replace(/\.$/, '');
  return {
    code: 'sas-unavailable',
    message: `Ctrl+Alt+Del was not sent: ${why || "the device's secure-desktop helper refused it"}.`,
  };
}

export const VIEW_ONLY_REFUSAL: InputRefusal = {
  code: 'view-only',
  message: 'Not sent: the user allows you to view only. Ask for control first.',
};
