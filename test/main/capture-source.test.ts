/**
 * The Electron host's choice of a screen capture source per display (src/main/host/capture-source.ts), on source and
 * display lists as Electron's desktopCapturer.getSources and screen.getAllDisplays report them. Where a list was
 * published in an Electron bug report it is copied here (named beside it; thumbnails and icons left out); the others
 * are built on the same shape, and say so. The choice must never guess: a display not told apart is not captured as
 * if it were another (the operator's clicks would land on the wrong display).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pickCaptureSource, screenDisplayFor, type ScreenDisplayLike } from '../../src/main/host/capture-source.js';
import type { DisplayInfo } from '../../src/shared/input-events.js';

/** Windows 7, two displays: Electron leaves display_id empty (as published in nashaofu/screenshots#169). */
const WIN7_SOURCES = [
  { name: 'Screen 1', id: 'screen:0:0', display_id: '' },
  { name: 'Screen 2', id: 'screen:1:0', display_id: '' },
];
/** Linux X11, two 1920×1080 displays side by side (screen.getAllDisplays() as published in electron#45626). */
const LINUX_SCREENS: ScreenDisplayLike[] = [
  { id: 1657473323930947, bounds: { x: 0, y: 0, width: 1920, height: 1080 }, scaleFactor: 1 },
  { id: 1656966481221188, bounds: { x: 1920, y: 0, width: 1920, height: 1080 }, scaleFactor: 1 },
];
/** The X11 display provider's view of the same desktop (RandR monitors in order: ids '0', '1'). */
const LINUX_HOST: DisplayInfo[] = [
  { id: '0', x: 0, y: 0, width: 1920, height: 1080, primary: true },
  { id: '1', x: 1920, y: 0, width: 1920, height: 1080, primary: false },
];
/** Windows 10/11, ids matching (built on the shape above; the primary's id as published in electron#43355). */
const WIN_SCREENS: ScreenDisplayLike[] = [
  { id: 2528732444, bounds: { x: 0, y: 0, width: 1536, height: 864 }, scaleFactor: 1.25 },
  { id: 2779098405, bounds: { x: -1920, y: 0, width: 1920, height: 1080 }, scaleFactor: 1 },
];
/** The Electron host on Windows describes its displays with Electron's screen (main/index.ts): the same ids. */
const WIN_HOST: DisplayInfo[] = WIN_SCREENS.map((d, i) => ({ id: String(d.id), ...d.bounds, primary: i === 0 }));
const WIN_SOURCES = [
  { name: 'Screen 1', id: 'screen:65537:0', display_id: '2528732444' },
  { name: 'Screen 2', id: 'screen:65539:0', display_id: '2779098405' },
  { name: 'flxra', id: 'window:132456:0', display_id: '' },
];

describe('a capture source per display (Electron host)', () => {
  it('takes the only screen source as the whole desktop (one display: "Entire screen")', () => {
    const only = [{ name: 'Entire screen', id: 'screen:0:0', display_id: '' }];
    assert.deepEqual(pickCaptureSource(only, '1', LINUX_HOST, LINUX_SCREENS), {
      source: only[0],
      covers: null,
      matched: 'only',
    });
  });

  it("picks the wished display's own source by display_id on Windows, the primary's for all displays", () => {
    const second = pickCaptureSource(WIN_SOURCES, '2779098405', WIN_HOST, WIN_SCREENS);
    assert.deepEqual(
      [second?.source.id, second?.covers, second?.matched],
      ['screen:65539:0', '2779098405', 'display-id'],
    );
    const all = pickCaptureSource(WIN_SOURCES, null, WIN_HOST, WIN_SCREENS);
    assert.deepEqual([all?.source.id, all?.covers, all?.matched], ['screen:65537:0', '2528732444', 'primary-instead']);
  });

  it('matches the X11 provider’s monitors to Electron’s displays by their bounds, in DIPs or scaled', () => {
    const sources = [
      { name: 'Screen 1', id: 'screen:396:0', display_id: '1657473323930947' },
      { name: 'Screen 2', id: 'screen:397:0', display_id: '1656966481221188' },
    ];
    const right = pickCaptureSource(sources, '1', LINUX_HOST, LINUX_SCREENS);
    assert.deepEqual([right?.source.id, right?.covers, right?.matched], ['screen:397:0', '1', 'display-id']);
    // A 2× display: Electron's bounds in DIPs, the provider's in pixels.
    const hidpi: ScreenDisplayLike[] = [{ id: 7, bounds: { x: 1920, y: 0, width: 1280, height: 720 }, scaleFactor: 2 }];
    const wanted: DisplayInfo = { id: '1', x: 3840, y: 0, width: 2560, height: 1440, primary: false };
    assert.equal(screenDisplayFor(wanted, hidpi)?.id, 7);
    assert.equal(screenDisplayFor({ ...wanted, width: 2500 }, hidpi), null);
  });

  it('never guesses: empty display_ids (Windows 7) give the first source, said to be assumed the primary', () => {
    const pick = pickCaptureSource(WIN7_SOURCES, '1', LINUX_HOST, LINUX_SCREENS);
    assert.deepEqual([pick?.source.id, pick?.covers, pick?.matched], ['screen:0:0', '0', 'first-assumed-primary']);
  });

  it('falls back to the primary where the wished display is not told apart, and to nothing without screens', () => {
    // display_id disagreeing with the screen API for the second display (as electron#45626 reports on X11).
    const sources = [
      { name: 'Screen 1', id: 'screen:396:0', display_id: '1657473323930947' },
      { name: 'Screen 2', id: 'screen:397:0', display_id: '4242' },
    ];
    const pick = pickCaptureSource(sources, '1', LINUX_HOST, LINUX_SCREENS);
    assert.deepEqual([pick?.source.id, pick?.covers, pick?.matched], ['screen:396:0', '0', 'primary-instead']);
    // A display the host lists that Electron does not (bounds differ): not matched by order either.
    const moved = LINUX_HOST.map((d) => (d.id === '1' ? { ...d, y: 100 } : d));
    assert.equal(pickCaptureSource(sources, '1', moved, LINUX_SCREENS)?.matched, 'primary-instead');
    assert.equal(pickCaptureSource([{ name: 'flxra', id: 'window:1:0', display_id: '' }], '1', LINUX_HOST, []), null);
  });
});
