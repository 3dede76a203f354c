/**
 * What the operator's picture shows of several displays and where its pointer lands
 * (src/shared/display-view.ts): the host crops to it and the viewer maps through it, so a click
 * on the second monitor's picture must name the second monitor and the pixel under the pointer.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { desktopBounds, pointOnDisplay, resolveView, viewRect } from '../../src/shared/display-view.js';
import type { DisplayInfo } from '../../src/shared/input-events.js';

const left: DisplayInfo = { id: '0', x: 0, y: 0, width: 1920, height: 1080, primary: true };
const right: DisplayInfo = { id: '1', x: 1920, y: 180, width: 1280, height: 720, primary: false };
const both = [left, right];

test('all displays: their bounding box, gaps included', () => {
  assert.deepEqual(desktopBounds(both), { x: 0, y: 0, width: 3200, height: 1080 });
  assert.deepEqual(viewRect(both, null), { x: 0, y: 0, width: 3200, height: 1080 });
  assert.equal(desktopBounds([]), null);
});

test('one display: its own rectangle; a display that went away gives way to the primary one', () => {
  assert.deepEqual(viewRect(both, '1'), { x: 1920, y: 180, width: 1280, height: 720 });
  assert.equal(resolveView(both, '1'), '1');
  assert.equal(resolveView([left], '1'), '0');
  assert.equal(resolveView(both, null), null);
});

test('a point on one display shown alone lands on that display, same place', () => {
  assert.deepEqual(pointOnDisplay(both, viewRect(both, '1')!, { x: 0.25, y: 0.5 }), { display: '1', x: 0.25, y: 0.5 });
});

test('a point on all displays lands on the display under it, in its coordinates; none in a gap', () => {
  const all = viewRect(both, null)!;
  // Desktop (2560, 540): 640 px into the right display, 360 px down from its top at y = 180.
  assert.deepEqual(pointOnDisplay(both, all, { x: 2560 / 3200, y: 540 / 1080 }), { display: '1', x: 0.5, y: 0.5 });
  assert.deepEqual(pointOnDisplay(both, all, { x: 960 / 3200, y: 0 }), { display: '0', x: 0.5, y: 0 });
  // Below the right display (it ends at y = 900): no display there.
  assert.equal(pointOnDisplay(both, all, { x: 2560 / 3200, y: 1000 / 1080 }), null);
});
