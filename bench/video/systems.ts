/**
 * The two systems the bench compares, each started on the bench's Xvfb and shown in a headless
 * Chromium of its own (so that the host's and the operator's CPU can be told apart):
 *   flxra: the end-to-end rig (dev/rig/session-rig.ts: real relay, the app's host role behind the
 *     built host page capturing the screen through src/renderer/host/, the operator's app and
 *     viewer), joined by ID and allowed as a user would;
 *   vnc: x11vnc on the same display, tuned for latency (-defer 1 -wait 1 -nonap), websockify, and
 *     Debian's noVNC in a page (vnc-page.ts).
 */
import type { Page } from 'playwright-core';
import { launchChromium } from '../../dev/chromium-host/renderer-harness.js';
import { enterShownId } from '../../dev/rig/join-by-id.js';
import { startSessionRig } from '../../dev/rig/session-rig.js';
import type { Xvfb } from '../../dev/rig/xvfb.js';
import { calibrate, toBench, type Calibration } from './clock.js';
import { newChild, ownChildren } from './cpu.js';
import { ALLOW_MARK, OBSERVED, preferCodec, RTC_STATS, STAGE_MARKS, VIDEO_OBSERVER } from './probes.js';
import { startVnc } from './vnc-page.js';
import { DAMAGE_SOURCE, startDamageFeed } from './damage/feed.js';

/** A stats report as the page's getStats gave it (numbers and strings). */
export type Report = Record<string, number | string | undefined>;

export interface RtcStats {
  inbound: Report[];
  outbound: Report[];
  source: Report[];
  bytesSent: number;
  bytesReceived: number;
  codecs: Record<string, string>;
  /** The receivers' jitterBufferTarget (ms; null: Chromium's own), as the operator's page set it. */
  jitterBufferTargets: Array<number | null>;
}

export interface Counters {
  /** Bytes the viewer received so far (flxra: its transport's; noVNC: its WebSocket messages'). */
  bytes: number;
  /** flxra only: the operator's and the host's stats. */
  operator?: RtcStats;
  host?: RtcStats;
}

export interface Observed {
  frames: number;
  first: number | null;
  bytes: number;
  seen: Array<{
    id: number;
    shown: number;
    receive?: number | null;
    capture?: number | null;
    processingMs?: number | null;
  }>;
}

export interface SystemUnderTest {
  name: 'flxra' | 'vnc';
  viewer: Page;
  viewerClock: Calibration;
  /** Process trees whose CPU counts as the host's, and as the operator's. */
  hostRoots: number[];
  operatorRoots: number[];
  /** flxra: Allow pressed → the first frame shown; vnc: the viewer's connect → its first frame. */
  firstFrameMs: number | null;
  /** flxra: each step after Allow (probes.ts STAGE_MARKS), ms after the click (the pages' clocks, calibrated). */
  firstFrameStages?: Record<string, number>;
  observe(): Promise<Observed>;
  counters(): Promise<Counters>;
  close(): Promise<void>;
}

export const observe = async (page: Page): Promise<Observed> => await page.evaluate<Observed>(OBSERVED);

async function untilFirstFrame(page: Page, timeoutMs = 20_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const o = await observe(page);
    if (o.first !== null) return o.first;
    if (Date.now() > deadline) throw new Error('the viewer showed no frame');
    await new Promise((r) => setTimeout(r, 10));
  }
}

export interface FlxraOptions {
  /** The operator's picture choice, picked in the viewer's toolbar once the session runs (default: the app's). */
  picture?: string;
  /** The codec the host's offer puts first (video/H264 …; default: Chromium's order). */
  codec?: string;
  /** 'damage': the host page's capture is the damage-driven prototype (damage/feed.ts) instead of getDisplayMedia's. */
  capture?: string;
}

export async function startFlxra(
  xvfb: Xvfb,
  size: { width: number; height: number },
  opts: FlxraOptions = {},
): Promise<SystemUnderTest> {
  let before = ownChildren();
  const hostBrowser = await launchChromium(xvfb.display);
  const hostRoot = newChild(before, /chrom/);
  before = ownChildren();
  const rig = await startSessionRig(xvfb.display, { hostBrowser: { browser: hostBrowser } }).catch(async (e) => {
    await hostBrowser.close();
    throw e;
  });
  const feed = opts.capture === 'damage' ? await startDamageFeed(xvfb.display, size) : null;
  const close = () => rig.close().finally(() => (feed?.close(), hostBrowser.close()));
  try {
    const operatorRoot = newChild(before, /chrom/);
    const op = rig.operator.page;
    await op.evaluate(VIDEO_OBSERVER);
    await rig.host.page.evaluate(ALLOW_MARK);
    if (feed) await rig.host.page.evaluate(DAMAGE_SOURCE);
    await rig.host.page.evaluate(STAGE_MARKS);
    await op.evaluate(STAGE_MARKS);
    if (opts.codec) await rig.host.page.evaluate(preferCodec(opts.codec));
    await enterShownId(rig);
    await rig.host.page.getByRole('button', { name: 'Allow control' }).click();
    const first = await untilFirstFrame(op);
    if (opts.picture) {
      await op.getByLabel('Picture').selectOption(opts.picture);
      await new Promise((r) => setTimeout(r, 1_000));
    }
    const hostClock = await calibrate(rig.host.page);
    const viewerClock = await calibrate(op);
    const allowAt = await rig.host.page.evaluate<number | null>('window.__allowAt');
    const firstFrameMs = allowAt === null ? null : toBench(viewerClock, first) - toBench(hostClock, allowAt);
    const stages: Record<string, number> = {};
    if (allowAt !== null) {
      const at = (clock: Calibration, marks: Record<string, number>, side: string) => {
        for (const [k, t] of Object.entries(marks))
          stages[`${side} ${k}`] = toBench(clock, t) - toBench(hostClock, allowAt);
      };
      at(hostClock, await rig.host.page.evaluate<Record<string, number>>('window.__stages ?? {}'), 'host');
      at(viewerClock, await op.evaluate<Record<string, number>>('window.__stages ?? {}'), 'operator');
      stages['operator first frame shown'] = firstFrameMs!;
      const received = await op.evaluate<number | null>('window.__bench.firstReceive ?? null');
      if (received !== null)
        stages['operator first frame received'] = toBench(viewerClock, received) - toBench(hostClock, allowAt);
    }
    const firstFrameStages = Object.fromEntries(Object.entries(stages).sort((a, b) => a[1] - b[1]));
    const stats = async (page: Page) => await page.evaluate<RtcStats>(RTC_STATS);
    return {
      name: 'flxra',
      viewer: op,
      viewerClock,
      hostRoots: [hostRoot],
      operatorRoots: [operatorRoot],
      firstFrameMs,
      firstFrameStages,
      observe: () => observe(op),
      counters: async () => {
        const [operator, host] = await Promise.all([stats(op), stats(rig.host.page)]);
        return { bytes: operator.bytesReceived, operator, host };
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

export async function startVncSystem(xvfb: Xvfb, size: { width: number; height: number }): Promise<SystemUnderTest> {
  const before = ownChildren();
  const browser = await launchChromium();
  const viewerRoot = newChild(before, /chrom/);
  try {
    const vnc = await startVnc(xvfb, browser, size);
    const viewerClock = await calibrate(vnc.page);
    const first = await untilFirstFrame(vnc.page);
    return {
      name: 'vnc',
      viewer: vnc.page,
      viewerClock,
      hostRoots: vnc.serverPids,
      operatorRoots: [viewerRoot],
      firstFrameMs: toBench(viewerClock, first) - toBench(viewerClock, vnc.connectAt),
      observe: () => observe(vnc.page),
      counters: async () => ({ bytes: await vnc.page.evaluate<number>('window.__bench.bytes') }),
      close: () => vnc.close().finally(() => browser.close()),
    };
  } catch (err) {
    await browser.close();
    throw err;
  }
}
