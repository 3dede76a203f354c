/**
 * The bench's two measurements, the same for every system under test:
 *   latency: the screen is filled with a new solid colour (x-scene.ts, timed on the bench's clock
 *     as the X request leaves) and the viewer's observer records when it first shows that colour
 *     (its clock, calibrated: clock.ts); changes spaced 150–300 ms at random, so that they do not
 *     fall in step with the capture's clock; 3 warm-up changes are not counted;
 *   a workload: after 1.5 s to settle, 10 s of frames shown, bytes received, CPU of the host's and
 *     the operator's processes (and of the X server, which draws the scenes for both) and, for
 *     flxra, the stages getStats reports.
 */
import { cpuSnapshot, cpuSpent } from './cpu.js';
import { toBench } from './clock.js';
import { expectColour } from './probes.js';
import type { Counters, Report, SystemUnderTest } from './systems.js';
import type { XScene } from './x-scene.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const COLOURS = [0xe03030, 0x30c030, 0x3050e0, 0xe0e030];

export interface Spread {
  median: number;
  p95: number;
  n: number;
}

export function spread(xs: number[]): Spread | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return { median: at(0.5), p95: at(0.95), n: s.length };
}

/** Per-frame figures from two getStats readings (flxra). */
export interface RtcFigures {
  codec?: string;
  encoder?: string;
  decoder?: string;
  captureFps?: number;
  encodedFps?: number;
  decodedFps?: number;
  encodeMs?: number;
  packetSendDelayMs?: number;
  jitterBufferMs?: number;
  decodeMs?: number;
  /** First packet received → frame decoded (includes the jitter buffer). */
  processingDelayMs?: number;
  qualityLimitation?: string;
  frameWidth?: number;
  frameHeight?: number;
  jitterBufferTargets?: Array<number | null>;
}

const num = (r: Report | undefined, k: string) => (typeof r?.[k] === 'number' ? r[k] : 0);
const per = (a: Report | undefined, b: Report | undefined, total: string, count: string, scale = 1000) => {
  const n = num(b, count) - num(a, count);
  return n > 0 ? ((num(b, total) - num(a, total)) / n) * scale : undefined;
};

export function rtcFigures(a: Counters, b: Counters, seconds: number): RtcFigures | undefined {
  if (!a.operator || !b.operator || !a.host || !b.host) return undefined;
  const [i0, i1] = [a.operator.inbound[0], b.operator.inbound[0]];
  const [o0, o1] = [a.host.outbound[0], b.host.outbound[0]];
  const [s0, s1] = [a.host.source[0], b.host.source[0]];
  const rate = (x: Report | undefined, y: Report | undefined, k: string) => (num(y, k) - num(x, k)) / seconds;
  const codecId = i1?.codecId as string | undefined;
  return {
    ...(codecId && b.operator.codecs[codecId] ? { codec: b.operator.codecs[codecId] } : {}),
    ...(o1?.encoderImplementation ? { encoder: String(o1.encoderImplementation) } : {}),
    ...(i1?.decoderImplementation ? { decoder: String(i1.decoderImplementation) } : {}),
    captureFps: rate(s0, s1, 'frames'),
    encodedFps: rate(o0, o1, 'framesEncoded'),
    decodedFps: rate(i0, i1, 'framesDecoded'),
    encodeMs: per(o0, o1, 'totalEncodeTime', 'framesEncoded'),
    packetSendDelayMs: per(o0, o1, 'totalPacketSendDelay', 'packetsSent'),
    jitterBufferMs: per(i0, i1, 'jitterBufferDelay', 'jitterBufferEmittedCount'),
    decodeMs: per(i0, i1, 'totalDecodeTime', 'framesDecoded'),
    processingDelayMs: per(i0, i1, 'totalProcessingDelay', 'framesDecoded'),
    ...(o1?.qualityLimitationReason ? { qualityLimitation: String(o1.qualityLimitationReason) } : {}),
    jitterBufferTargets: b.operator.jitterBufferTargets,
    frameWidth: num(i1, 'frameWidth'),
    frameHeight: num(i1, 'frameHeight'),
  };
}

export interface LatencyResult {
  ms: Spread | null;
  missed: number;
  /** flxra: the X request → the frame's last packet received (capture, encode, send), and received → shown. */
  changeToReceiveMs: Spread | null;
  receiveToShownMs: Spread | null;
  /** requestVideoFrameCallback's processingDuration (received → decoded). */
  processingMs: Spread | null;
  /** captureTime, where the browser gives it for a remote frame: captured → shown. */
  captureToShownMs: Spread | null;
  rtc?: RtcFigures;
  samples: number[];
}

export async function measureLatency(sys: SystemUnderTest, scene: XScene, changes = 50): Promise<LatencyResult> {
  const page = sys.viewer;
  const c = sys.viewerClock;
  const total: number[] = [];
  const toReceive: number[] = [];
  const toShown: number[] = [];
  const processing: number[] = [];
  const captured: number[] = [];
  let missed = 0;
  const startCounters = await sys.counters();
  const started = performance.now();
  for (let i = -3; i < changes; i++) {
    const colour = COLOURS[(i + 3) % COLOURS.length]!;
    await page.evaluate(expectColour(i, colour));
    const { askedAt } = await scene.solid(colour);
    const deadline = Date.now() + 3_000;
    let seen = null;
    while (!seen && Date.now() < deadline) {
      await sleep(10);
      seen = (await sys.observe()).seen.find((s) => s.id === i) ?? null;
    }
    if (i >= 0) {
      if (!seen) missed++;
      else {
        const shown = toBench(c, seen.shown);
        total.push(shown - askedAt);
        if (seen.receive) {
          toReceive.push(toBench(c, seen.receive) - askedAt);
          toShown.push(seen.shown - seen.receive);
        }
        if (seen.processingMs != null) processing.push(seen.processingMs);
        if (seen.capture) captured.push(seen.shown - seen.capture);
      }
    }
    await sleep(150 + Math.random() * 150);
  }
  const rtc = rtcFigures(startCounters, await sys.counters(), (performance.now() - started) / 1000);
  await scene.clearSolid();
  return {
    ms: spread(total),
    missed,
    changeToReceiveMs: spread(toReceive),
    receiveToShownMs: spread(toShown),
    processingMs: spread(processing),
    captureToShownMs: spread(captured),
    ...(rtc ? { rtc } : {}),
    samples: total.map((x) => Math.round(x * 10) / 10),
  };
}

export interface WorkloadResult {
  fps: number;
  bytesPerS: number;
  hostCpuPer10s: number;
  operatorCpuPer10s: number;
  xserverCpuPer10s: number;
  rtc?: RtcFigures;
}

export async function measureWorkload(
  sys: SystemUnderTest,
  xserverPid: number,
  start: () => Promise<() => unknown> | (() => unknown),
  seconds = 10,
): Promise<WorkloadResult> {
  const stop = await start();
  try {
    await sleep(1_500);
    const roots = { host: sys.hostRoots, operator: sys.operatorRoots, x: [xserverPid] };
    const cpu0 = { host: cpuSnapshot(roots.host), operator: cpuSnapshot(roots.operator), x: cpuSnapshot(roots.x) };
    const [o0, k0] = [await sys.observe(), await sys.counters()];
    const t0 = performance.now();
    await sleep(seconds * 1000);
    const [o1, k1] = [await sys.observe(), await sys.counters()];
    const s = (performance.now() - t0) / 1000;
    const cpu1 = { host: cpuSnapshot(roots.host), operator: cpuSnapshot(roots.operator), x: cpuSnapshot(roots.x) };
    const rtc = rtcFigures(k0, k1, s);
    return {
      fps: (o1.frames - o0.frames) / s,
      bytesPerS: (k1.bytes - k0.bytes) / s,
      hostCpuPer10s: (cpuSpent(cpu0.host, cpu1.host) / s) * 10,
      operatorCpuPer10s: (cpuSpent(cpu0.operator, cpu1.operator) / s) * 10,
      xserverCpuPer10s: (cpuSpent(cpu0.x, cpu1.x) / s) * 10,
      ...(rtc ? { rtc } : {}),
    };
  } finally {
    await stop();
  }
}
