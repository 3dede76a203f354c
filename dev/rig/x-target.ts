/**
 * A small X program for the end-to-end tests: a window of a known colour that visibly reacts
 * to input. A click paints it CLICKED; a key paints it the colour of that key (r, g, b) or
 * TYPED for any other, or SHIFTED for any key while Shift is held. It prints each event on
 * stdout too, for the test's log. It does not take the focus: with no window manager the X
 * server's focus follows the pointer, as it does for the xterm beside it.
 *
 *   node --import tsx dev/rig/x-target.ts <x> <y> <width> <height>
 */
import x11, { type XInputEvent } from 'x11';

export const TARGET_COLOURS = {
  idle: 0x404040,
  clicked: 0x00c000,
  typed: 0xe0e000,
  shifted: 0xe07000,
  r: 0xe00000,
  g: 0x00e0e0,
  b: 0x0000e0,
} as const;

/** X keycodes of r, g, b on the evdev keymap (evdev code + 8). */
const keyColours: Record<number, number> = { 27: TARGET_COLOURS.r, 42: TARGET_COLOURS.g, 56: TARGET_COLOURS.b };

function main() {
  const [x, y, width, height] = process.argv.slice(2).map(Number);
  x11.createClient({}, (err, display) => {
    if (err) throw err;
    const X = display.client;
    const root = display.screen[0]!.root;
    const wid = X.AllocID();
    const mask = x11.eventMask.ButtonPress | x11.eventMask.KeyPress | x11.eventMask.Exposure;
    X.CreateWindow(wid, root, x!, y!, width!, height!, 0, 0, 0, 0, {
      backgroundPixel: TARGET_COLOURS.idle,
      eventMask: mask,
      // No window manager runs on the test display: place the window exactly where asked.
      overrideRedirect: 1,
    });
    X.MapWindow(wid);
    const paint = (colour: number) => {
      X.ChangeWindowAttributes(wid, { backgroundPixel: colour });
      X.ClearArea(wid, 0, 0, 0, 0, 0);
    };
    X.on('event', (ev: XInputEvent) => {
      if (ev.name === 'ButtonPress') {
        paint(TARGET_COLOURS.clicked);
        console.log(`button ${ev.keycode}`);
      } else if (ev.name === 'KeyPress') {
        // `buttons` is the X event's modifier state; bit 0 is Shift.
        const shifted = (ev.buttons & 1) === 1;
        paint(shifted ? TARGET_COLOURS.shifted : (keyColours[ev.keycode] ?? TARGET_COLOURS.typed));
        console.log(`key ${ev.keycode}${shifted ? ' +shift' : ''}`);
      }
    });
    X.on('error', (e: Error) => console.error(`x error: ${e.message}`));
    console.log('ready');
  });
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) main();
