/**
 * The screen's picture end to end on the Xvfb rig (real relay, real capture, real WebRTC): while
 * the device's screen is still, the host sends next to nothing (a couple of refreshes, not the
 * capture's 60 frames a second), and a change still shows at once; the operator's Picture choice reaches the host's
 * sender (its hint and caps) and the operator's own receiver (its jitter buffer).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { joinById } from '../../dev/rig/join-by-id.js';
import { waitForColour } from '../../dev/rig/page-probes.js';
import { startSessionRig } from '../../dev/rig/session-rig.js';
import { eventually } from '../../dev/rig/until.js';
import { setRootColour, startXvfb, type Xvfb } from '../../dev/rig/xvfb.js';

const DESKTOP = { width: 1280, height: 720 };
let xvfb: Xvfb;

before(async () => {
  xvfb = await startXvfb(DESKTOP);
  setRootColour(xvfb, '#3366cc');
});
after(() => xvfb?.close());

/** The host's video sender as the page's peer connection has it (dev/rig/page-probes.ts's RTC_PROBE). */
const SENDER = `(async () => {
  const pc = window.__flxraPeerConnections.find((p) => p.connectionState === 'connected');
  const sender = pc.getSenders().find((s) => s.track && s.track.kind === 'video');
  let framesEncoded = 0;
  (await sender.getStats()).forEach((r) => { if (r.type === 'outbound-rtp') framesEncoded = r.framesEncoded; });
  const [encoding] = sender.getParameters().encodings;
  return { framesEncoded, hint: sender.track.contentHint, maxBitrate: encoding.maxBitrate, maxFramerate: encoding.maxFramerate };
})()`;
const JITTER_TARGET = `(() => {
  const pc = window.__flxraPeerConnections.find((p) => p.connectionState === 'connected');
  return pc.getReceivers().find((r) => r.track.kind === 'video').jitterBufferTarget;
})()`;

interface Sender {
  framesEncoded: number;
  hint: string;
  maxBitrate?: number;
  maxFramerate?: number;
}
const sender = (page: Page) => page.evaluate<Sender>(SENDER);

test('a still screen sends next to no frames, a change shows at once, the Picture choice reaches both sides', async (t) => {
  const rig = await startSessionRig(xvfb.display);
  t.after(() => rig.close());
  const { host, operator } = rig;
  await joinById(rig);
  await host.page.getByRole('button', { name: 'Allow control' }).click();
  await waitForColour(operator.page, { x: 300, y: 300 }, 0x3366cc, DESKTOP, 10_000);

  // Still: over 3 s the host encodes at most its couple of refreshes, not the capture's 180 frames.
  await new Promise((r) => setTimeout(r, 1_000));
  const before = (await sender(host.page)).framesEncoded;
  await new Promise((r) => setTimeout(r, 3_000));
  const still = (await sender(host.page)).framesEncoded - before;
  assert.ok(still <= 4, `frames encoded over 3 s of a still screen: ${still}`);

  // A change after the stillness shows.
  setRootColour(xvfb, '#cc3333');
  await waitForColour(operator.page, { x: 300, y: 300 }, 0xcc3333, DESKTOP, 3_000);

  // The default: balanced (detail, 60 fps, the jitter buffer at 0).
  await eventually('the balanced picture applied', async () => {
    const s = await sender(host.page);
    return s.hint === 'detail' && s.maxFramerate === 60 && s.maxBitrate === 6_000_000;
  });
  assert.equal(await operator.page.evaluate(JITTER_TARGET), 0);

  await operator.page.getByLabel('Picture').selectOption({ label: 'Lowest latency' });
  await eventually('the lowest-latency picture applied at the host', async () => {
    const s = await sender(host.page);
    return s.hint === 'motion' && s.maxBitrate === 4_000_000;
  });

  await operator.page.getByLabel('Picture').selectOption({ label: 'Best quality' });
  await eventually('the best-quality picture applied at the host', async () => {
    const s = await sender(host.page);
    return s.hint === 'detail' && s.maxFramerate === 30 && s.maxBitrate === 8_000_000;
  });
  assert.equal(await operator.page.evaluate(JITTER_TARGET), null);
});
