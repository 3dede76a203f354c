import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import { DisplayInfo } from '../../src/shared/input-events.js';
import type { DisplayProvider } from '../../src/platform/displays.js';
import { createDisplayProvider } from '../../src/platform/platform-displays.js';
import { runX, startXvfb, type Xvfb } from '../../dev/rig/xvfb.js';

let xvfb: Xvfb;
let provider: DisplayProvider;
const errors: Error[] = [];

before(async () => {
  xvfb = await startXvfb({ width: 1024, height: 768 });
  provider = await createDisplayProvider({ display: xvfb.display, onError: (err) => errors.push(err) });
});

after(async () => {
  await provider?.close();
  await xvfb?.close();
});

const xrandr = (...args: string[]) => runX(xvfb, 'xrandr', args);

/** The provider's list once it equals `expected` (updates arrive as RandR events), or as it stands after a second. */
async function listSettled(expected: DisplayInfo[]): Promise<DisplayInfo[]> {
  for (let i = 0; i < 100 && !isDeepStrictEqual(provider.list(), expected); i++)
    await new Promise((r) => setTimeout(r, 10));
  return provider.list();
}

test('one monitor: one display covering the screen, valid for the channel', () => {
  const expected = [{ id: '0', x: 0, y: 0, width: 1024, height: 768, primary: true }];
  assert.deepEqual(provider.list(), expected);
  assert.deepEqual(z.array(DisplayInfo).parse(provider.list()), expected);
});

test('a resolution change shows up without asking', async () => {
  await xrandr('--newmode', '800x600', '0', '800', '0', '0', '0', '600', '0', '0', '0');
  await xrandr('--addmode', 'screen', '800x600');
  await xrandr('--output', 'screen', '--mode', '800x600');
  const small = [{ id: '0', x: 0, y: 0, width: 800, height: 600, primary: true }];
  assert.deepEqual(await listSettled(small), small);
  await xrandr('--output', 'screen', '--mode', '1024x768');
  const full = [{ id: '0', x: 0, y: 0, width: 1024, height: 768, primary: true }];
  assert.deepEqual(await listSettled(full), full);
});

test('several monitors: one display each, primary first; a mirrored one only once', async () => {
  // Xvfb has one output; RandR monitors split its screen the way two real monitors would. Xvfb
  // sends no RandR event for them (real hot-plugs do), so a new provider reads them.
  await xrandr('--output', 'screen', '--primary');
  await xrandr('--setmonitor', 'left', '512/135x768/203+0+0', 'none');
  await xrandr('--setmonitor', 'right', '512/135x768/203+512+0', 'none');
  await xrandr('--setmonitor', 'mirror', '512/135x768/203+512+0', 'none');
  const fresh = await createDisplayProvider({ display: xvfb.display, onError: (err) => errors.push(err) });
  try {
    assert.deepEqual(fresh.list(), [
      { id: '0', x: 0, y: 0, width: 1024, height: 768, primary: true }, // the output's own monitor
      { id: '1', x: 0, y: 0, width: 512, height: 768, primary: false },
      { id: '2', x: 512, y: 0, width: 512, height: 768, primary: false },
    ]);
  } finally {
    await fresh.close();
    for (const name of ['left', 'right', 'mirror']) await xrandr('--delmonitor', name);
  }
  assert.deepEqual(errors, []);
});

test('monitors set during the session are read again without an event; a display keeps its id as others go', async () => {
  // The provider made at the start, not a fresh one: it re-reads the monitors every second.
  await xrandr('--setmonitor', 'left', '512/135x768/203+0+0', 'none');
  await xrandr('--setmonitor', 'right', '512/135x768/203+512+0', 'none');
  const three = [
    { id: '0', x: 0, y: 0, width: 1024, height: 768, primary: true },
    { id: '1', x: 0, y: 0, width: 512, height: 768, primary: false },
    { id: '2', x: 512, y: 0, width: 512, height: 768, primary: false },
  ];
  for (let i = 0; i < 30 && !isDeepStrictEqual(provider.list(), three); i++)
    await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(provider.list(), three);
  await xrandr('--delmonitor', 'left');
  const two = [three[0], three[2]];
  for (let i = 0; i < 30 && !isDeepStrictEqual(provider.list(), two); i++) await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(provider.list(), two, 'the right monitor is still display 2');
  await xrandr('--delmonitor', 'right');
});

test('no X display provider off X11 platforms', async () => {
  await assert.rejects(createDisplayProvider({}, 'darwin'), /Electron's screen/);
});
