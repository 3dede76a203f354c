/**
 * Text typed on X11 whatever the keyboard layout: each character's keysym (Latin-1 as itself, any other Unicode
 * character as 0x01000000 + its code point, newline and tab as Return and Tab) is mapped onto a keycode no key uses,
 * then that keycode is pressed and released through XTEST, as xdotool does. Up to as many distinct characters as
 * there are spare keycodes are mapped at once, then typed; clients re-read the mapping on the MappingNotify that
 * precedes the presses, so each chunk waits a moment before its keys and before the spare keycodes are cleared.
 */
import type { XTestExtension } from 'x11';
import type { X11Connection } from '../x11-connection.js';

/** How long clients get to read a new mapping (before the presses) and to look up the keys (before it is undone). */
const SETTLE_MS = 40;

export function keysymOf(char: string): number {
  if (char === '\n' || char === '\r') return 0xff0d;
  if (char === '\t') return 0xff09;
  const cp = char.codePointAt(0)!;
  return (cp >= 0x20 && cp <= 0x7e) || (cp >= 0xa0 && cp <= 0xff) ? cp : 0x01000000 + cp;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class X11TextTyper {
  private spare: Promise<number[]> | null = null;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly conn: X11Connection,
    private readonly xtest: XTestExtension,
    private readonly onError: (err: Error) => void,
  ) {}

  /** Types `text` after whatever is being typed already (in order); failures go to onError. */
  type(text: string): void {
    this.queue = this.queue.then(() => this.typeNow(text)).catch((err: Error) => this.onError(err));
  }

  private async typeNow(text: string): Promise<void> {
    const spare = await (this.spare ??= this.findSpare());
    if (spare.length === 0) throw new Error('no spare X keycode to type text with');
    const chars = [...text.replace(/\r\n/g, '\n')];
    for (let i = 0; i < chars.length && this.conn.open;) {
      const keycodes = new Map<number, number>();
      const presses: number[] = [];
      for (; i < chars.length; i++) {
        const keysym = keysymOf(chars[i]!);
        if (!keycodes.has(keysym)) {
          if (keycodes.size === spare.length) break;
          keycodes.set(keysym, spare[keycodes.size]!);
        }
        presses.push(keycodes.get(keysym)!);
      }
      // Twice (unshifted and shifted): a lone letter keysym would read as its lower case without Shift.
      for (const [keysym, keycode] of keycodes) this.conn.client.ChangeKeyboardMapping(keycode, 2, [keysym, keysym]);
      await this.roundTrip();
      await sleep(SETTLE_MS);
      for (const keycode of presses) {
        this.fake(this.xtest.KeyPress, keycode);
        this.fake(this.xtest.KeyRelease, keycode);
      }
      await this.roundTrip();
      await sleep(SETTLE_MS * 3);
      for (const keycode of keycodes.values()) this.conn.client.ChangeKeyboardMapping(keycode, 2, [0, 0]);
    }
  }

  /** The keycodes (8 to 255) that no key uses: every keysym of theirs is NoSymbol. */
  private async findSpare(): Promise<number[]> {
    const rows = await this.conn.request<number[][]>((cb) => this.conn.client.GetKeyboardMapping(8, 248, cb));
    return rows.flatMap((row, i) => (row.every((k) => k === 0) ? [8 + i] : [])).slice(-32);
  }

  private roundTrip(): Promise<unknown> {
    return this.conn.request<number[][]>((cb) => this.conn.client.GetKeyboardMapping(8, 1, cb));
  }

  private fake(type: number, keycode: number): void {
    if (this.conn.open) this.xtest.FakeInput(type, keycode, 0, this.conn.root, 0, 0);
  }
}
