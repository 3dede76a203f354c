/**
 * The secure desktop's way back, on a real relay with a scripted agent on its own connection:
 * the agent's frames (a known image, deflated BGRA) reach the admitted operator's socket intact
 * and never the host's; the host is told only that the secure desktop is up or gone. A frame from
 * another device's agent, for an assistance that is not running, or over the size limit is
 * refused or dropped, and a host cannot send one. A 1920 × 1080 capture too detailed for one
 * message goes as the agent's bands (src/agent/secure-desktop-bands.ts), each within the limit,
 * and is put back together at the operator pixel for pixel; a capture that changed in one band
 * sends that band only; a band that lies outside its frame is refused. An operator that
 * reconnects while a secure desktop is up is told again that it is up.
 */
import assert from 'node:assert/strict';
import { deflateSync, inflateSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startTestRelay, type TestRelay } from '../../dev/rig/relay.js';
import { changedBands } from '../../src/agent/secure-desktop-bands.js';
import {
  bandSpan,
  MAX_SECURE_DESKTOP_FRAME_BYTES,
  SECURE_DESKTOP_BAND_ROWS,
} from '../../src/shared/secure-desktop-stream.js';
import { admittedAtAgent, enrolScriptedAgent, type ScriptedAgent } from '../fixtures/scripted-agent.js';

/** A 4 × 3 image whose every pixel differs: BGRA, rows top-down. */
const WIDTH = 4;
const HEIGHT = 3;
const PIXELS = Buffer.from(
  Array.from({ length: WIDTH * HEIGHT }, (_, i) => [i * 20, 255 - i * 20, (i * 7) % 256, 255]).flat(),
);
const frame = (data: Buffer = deflateSync(PIXELS)) => ({
  width: WIDTH,
  height: HEIGHT,
  left: -1920,
  top: 0,
  y: 0,
  rows: HEIGHT,
  encoding: 'bgra-deflate' as const,
  data,
});
const bytesOf = (data: unknown) =>
  Buffer.from(data instanceof ArrayBuffer ? new Uint8Array(data) : (data as Uint8Array));

describe('secure-desktop frames and state through the relay', () => {
  let relay: TestRelay;
  let agent: ScriptedAgent;
  let otherAgent: ScriptedAgent;

  before(async () => {
    relay = await startTestRelay();
    agent = await enrolScriptedAgent(relay, { hostname: 'ws-uac', reportGroup: 'Office', secureDesktop: true });
    otherAgent = await enrolScriptedAgent(relay, { hostname: 'ws-other', reportGroup: 'Office' });
  });
  after(async () => {
    agent.disconnect();
    otherAgent.disconnect();
    await relay.close();
  });

  const admitted = () => admittedAtAgent(relay, agent);

  it("carries the agent's frames to the operator only, and tells the host only that the secure desktop is up", async () => {
    const { host, op, sessionId } = await admitted();
    agent.client.emitRaw('secure-desktop:state', { sessionId, up: true });
    assert.deepEqual(await op.next('secure-desktop:state'), { sessionId, up: true });
    assert.deepEqual(await host.next('secure-desktop:state'), { sessionId, up: true });

    agent.client.emitRaw('secure-desktop:frame', { sessionId, frame: frame() });
    const got = await op.next('secure-desktop:frame');
    assert.equal(got.sessionId, sessionId);
    assert.deepEqual(
      { width: got.frame.width, height: got.frame.height, left: got.frame.left, top: got.frame.top },
      { width: WIDTH, height: HEIGHT, left: -1920, top: 0 },
    );
    assert.deepEqual(inflateSync(bytesOf(got.frame.data)), PIXELS, "the operator gets the helper's pixels");

    agent.client.emitRaw('secure-desktop:state', { sessionId, up: false });
    assert.deepEqual(await op.next('secure-desktop:state', { where: (e) => !e.up }), { sessionId, up: false });
    assert.deepEqual(await host.next('secure-desktop:state', { where: (e) => !e.up }), { sessionId, up: false });
    await agent.client.flush();
    await host.flush();
    assert.equal(host.received('secure-desktop:frame').length, 0, 'the host never gets a secure-desktop frame');
    assert.deepEqual(agent.client.received('relay:error' as never), []);
  });

  it('tells an operator back from a reconnect that the secure desktop is still up, and that the helper is there', async () => {
    const { op, sessionId, resumeToken } = await admitted();
    agent.client.emitRaw('secure-desktop:helper', { sessionId, attached: true });
    agent.client.emitRaw('secure-desktop:state', { sessionId, up: true });
    await op.next('secure-desktop:state');
    op.close();
    const back = await relay.connectOperator();
    back.emit('session:resume', { sessionId, resumeToken: resumeToken! });
    await back.next('session:admitted');
    assert.deepEqual(await back.next('secure-desktop:helper'), { sessionId, attached: true });
    assert.deepEqual(await back.next('secure-desktop:state'), { sessionId, up: true });
  });

  it("refuses a frame from another device's agent; a host cannot send one", async () => {
    const { host, op, sessionId } = await admitted();
    otherAgent.client.emitRaw('secure-desktop:frame', { sessionId, frame: frame() });
    const refused = await otherAgent.client.next('relay:error' as never, {
      where: (e: { event?: string }) => e.event === 'secure-desktop:frame',
    });
    assert.equal((refused as { code: string }).code, 'not-in-session');

    host.emitRaw('secure-desktop:frame', { sessionId, frame: frame() });
    const fromHost = await host.next('relay:error', { where: (e) => e.event === 'secure-desktop:frame' });
    assert.equal(fromHost.code, 'unknown-event');
    await op.flush();
    assert.equal(op.received('secure-desktop:frame').length, 0);
  });

  it('refuses a frame over the size limit, as data, and drops one for an assistance not running', async () => {
    const { op, sessionId } = await admitted();
    agent.client.emitRaw('secure-desktop:frame', {
      sessionId,
      frame: frame(randomBytes(MAX_SECURE_DESKTOP_FRAME_BYTES + 1)),
    });
    const refused = await agent.client.next('relay:error' as never, {
      where: (e: { event?: string }) => e.event === 'secure-desktop:frame',
    });
    assert.equal((refused as { code: string }).code, 'bad-payload');
    assert.match((refused as { message: string }).message, /at most/);

    // Pending: its host was started but nobody is admitted yet.
    const pending = await relay.requestAssistance({ deviceId: agent.deviceId, mode: 'attended' });
    const host = await agent.nextHost();
    agent.client.emitRaw('secure-desktop:frame', { sessionId: pending.sessionId, frame: frame() });
    agent.client.emitRaw('secure-desktop:state', { sessionId: pending.sessionId, up: true });
    await agent.client.flush();
    await host.flush();
    await op.flush();
    assert.equal(host.received('secure-desktop:state').length, 0);
    assert.equal(host.received('secure-desktop:frame').length, 0);
    assert.equal(op.received('secure-desktop:frame').length, 0);
  });

  it('carries a logon screen too detailed for one message as bands, put back together intact; then only what changed', async () => {
    const { op, sessionId } = await admitted();
    // 1920 × 1080: a photo-like (random) top quarter over a flat blue, as a dimmed wallpaper behind a prompt.
    const [w, h] = [1920, 1080];
    const pixels = Buffer.alloc(w * h * 4);
    for (let i = 0; i < pixels.length; i += 4) pixels.set([0xcc, 0x66, 0x33, 255], i);
    randomBytes(w * 270 * 4).copy(pixels, 0);
    const capture = { width: w, height: h, left: 0, top: 0, pixels };
    assert.ok(deflateSync(pixels).byteLength > MAX_SECURE_DESKTOP_FRAME_BYTES, 'the whole frame would not fit');

    const first = await changedBands(capture, null);
    assert.ok(first.bands.length > 1);
    assert.ok(
      first.bands.some((b) => b.rows < SECURE_DESKTOP_BAND_ROWS),
      'the detailed rows were cut into smaller bands to fit',
    );
    for (const band of first.bands) agent.client.emitRaw('secure-desktop:frame', { sessionId, frame: band });
    const picture = Buffer.alloc(w * h * 4);
    for (let i = 0; i < first.bands.length; i++) {
      const { frame: band } = await op.next('secure-desktop:frame');
      assert.deepEqual([band.width, band.height, band.left, band.top], [w, h, 0, 0]);
      assert.ok(band.data.byteLength <= MAX_SECURE_DESKTOP_FRAME_BYTES);
      const { offset, length } = bandSpan(band);
      const rows = inflateSync(bytesOf(band.data));
      assert.equal(rows.length, length);
      rows.copy(picture, offset);
    }
    assert.ok(picture.equals(pixels), 'the operator has every pixel of the capture');
    assert.deepEqual(agent.client.received('relay:error' as never), []);

    // The prompt's button turns a shade lighter (rows 710–729): one band changed, one band sent.
    const next = Buffer.from(pixels);
    for (let y = 710; y < 730; y++) next.fill(0xee, (y * w + 800) * 4, (y * w + 1100) * 4);
    const second = await changedBands({ ...capture, pixels: next }, first.sent);
    assert.equal(second.bands.length, 1);
    const [band] = second.bands;
    assert.ok(band!.y <= 710 && band!.y + band!.rows >= 730, `band ${band!.y}+${band!.rows} holds rows 710–729`);
    agent.client.emitRaw('secure-desktop:frame', { sessionId, frame: band });
    const { frame: got } = await op.next('secure-desktop:frame');
    inflateSync(bytesOf(got.data)).copy(picture, bandSpan(got).offset);
    assert.ok(picture.equals(next), 'the operator has the changed capture');
  });

  it('refuses a band that lies outside its frame', async () => {
    const { op, sessionId } = await admitted();
    for (const band of [
      { ...frame(), y: 2, rows: 2 },
      { ...frame(), y: HEIGHT, rows: 1 },
    ]) {
      agent.client.emitRaw('secure-desktop:frame', { sessionId, frame: band });
      const refused = await agent.client.next('relay:error' as never, {
        where: (e: { event?: string }) => e.event === 'secure-desktop:frame',
      });
      assert.equal((refused as { code: string }).code, 'bad-payload');
      assert.match((refused as { message: string }).message, /inside its frame/);
    }
    await op.flush();
    assert.equal(op.received('secure-desktop:frame').length, 0);
  });
});
