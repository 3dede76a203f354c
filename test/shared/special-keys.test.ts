/**
 * The toolbar's special keys as key events, the SAS refusal per platform, the quality readout, and
 * the viewer's key-frame requests as the host reads them.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { keySequence, sasRefusal, SPECIAL_KEYS } from '../../src/shared/special-keys.js';
import { keyFrameRequests, qualityBetween, qualitySample, qualityText } from '../../src/shared/peer-quality.js';

test('Alt+Tab is Alt down, Tab down and up with Alt held, Alt up', () => {
  const events = keySequence(SPECIAL_KEYS['alt-tab'].codes).map((e) =>
    e.t === 'key' ? `${e.code}${e.down ? '↓' : '↑'}${e.mods.alt ? '+alt' : ''}` : e.t,
  );
  assert.deepEqual(events, ['AltLeft↓+alt', 'Tab↓+alt', 'Tab↑+alt', 'AltLeft↑']);
});

test('Ctrl+Alt+Del is refused off Windows, and on Windows without its helper; sent with it', () => {
  assert.equal(sasRefusal('linux', true)?.code, 'sas-unsupported');
  assert.equal(sasRefusal('darwin', false)?.code, 'sas-unsupported');
  assert.equal(sasRefusal('win32', false)?.code, 'sas-unavailable');
  assert.equal(sasRefusal('win32', true), null);
});

test('fps and bitrate between two inbound video readings', () => {
  const at = (timestamp: number, bytesReceived: number, framesDecoded: number) => [
    { type: 'outbound-rtp', kind: 'video', timestamp, bytesReceived: 1 },
    { type: 'inbound-rtp', kind: 'video', timestamp, bytesReceived, framesDecoded },
  ];
  const a = qualitySample(at(1000, 10_000, 100));
  const b = qualitySample(at(3000, 510_000, 160));
  assert.deepEqual(qualityBetween(a, b), { fps: 30, kbps: 2000 });
  assert.deepEqual(qualityBetween(null, b), { fps: null, kbps: null });
  assert.equal(qualityText({ fps: 30, kbps: 2000 }, 12), '30 fps · 12 ms round trip · 2.0 Mbit/s');
  assert.equal(qualitySample([{ type: 'inbound-rtp', kind: 'audio', timestamp: 1, bytesReceived: 1 }]), null);
});

test("the viewer's key-frame requests: PLI and FIR of the outgoing video, none without video", () => {
  const reports = [
    { type: 'inbound-rtp', kind: 'video', pliCount: 9 },
    { type: 'outbound-rtp', kind: 'audio', pliCount: 7 },
    { type: 'outbound-rtp', kind: 'video', pliCount: 3, firCount: 1 },
  ];
  assert.equal(keyFrameRequests(reports), 4);
  assert.equal(keyFrameRequests([{ type: 'outbound-rtp', kind: 'video' }]), 0);
  assert.equal(keyFrameRequests([{ type: 'inbound-rtp', kind: 'video', pliCount: 2 }]), null);
});
