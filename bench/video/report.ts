/**
 * Prints the bench's figures, one table per screen size: each figure for flxra and for x11vnc +
 * noVNC, and flxra's as a ratio of VNC's (below 1: flxra needs less / is faster).
 */
import type { LatencyResult, RtcFigures, Spread, WorkloadResult } from './measure.js';

export interface SystemRun {
  firstFrameMs: number | null;
  /** Allow → each step of the first frame's way, ms (flxra). */
  firstFrameStages?: Record<string, number>;
  clockBoundMs: number;
  latency?: LatencyResult;
  workloads: Record<string, WorkloadResult>;
  error?: string;
}

export interface SizeRun {
  size: string;
  systems: Partial<Record<'flxra' | 'vnc', SystemRun>>;
}

const f = (v: number | undefined | null, digits = 1) => (v == null || !Number.isFinite(v) ? '–' : v.toFixed(digits));
const ratio = (a: number | undefined | null, b: number | undefined | null) =>
  a == null || b == null || !b ? '' : `×${(a / b).toFixed(2)}`;

function row(label: string, a: number | null | undefined, b: number | null | undefined, digits = 1) {
  return `  ${label.padEnd(44)} ${f(a, digits).padStart(10)} ${f(b, digits).padStart(10)} ${ratio(a, b).padStart(8)}`;
}

const sp = (s: Spread | null | undefined, k: 'median' | 'p95') => s?.[k];

function rtcLines(r: RtcFigures | undefined, indent = '    '): string[] {
  if (!r) return [];
  const bits = [
    r.codec && `codec ${r.codec} (${r.encoder ?? '?'} → ${r.decoder ?? '?'})`,
    `capture ${f(r.captureFps)} fps, encoded ${f(r.encodedFps)}, decoded ${f(r.decodedFps)}`,
    `encode ${f(r.encodeMs)} ms, send ${f(r.packetSendDelayMs)} ms, jitter buffer ${f(r.jitterBufferMs)} ms, decode ${f(r.decodeMs)} ms, received→decoded ${f(r.processingDelayMs)} ms`,
    `${r.frameWidth}×${r.frameHeight}${r.qualityLimitation && r.qualityLimitation !== 'none' ? `, limited by ${r.qualityLimitation}` : ''}`,
  ];
  return [`${indent}flxra stats: ${bits.filter(Boolean).join('; ')}`];
}

export function printSize(run: SizeRun): void {
  const { flxra, vnc } = run.systems;
  const lines = [`\n${run.size}                                                  flxra        VNC    ratio`];
  for (const [name, s] of Object.entries(run.systems)) if (s?.error) lines.push(`  ${name} failed: ${s.error}`);
  lines.push(row('Allow → first frame, ms (VNC: connect →)', flxra?.firstFrameMs, vnc?.firstFrameMs, 0));
  const [la, lb] = [flxra?.latency, vnc?.latency];
  if (la || lb) {
    lines.push(
      row(`latency median, ms (n=${la?.ms?.n ?? '–'}/${lb?.ms?.n ?? '–'})`, sp(la?.ms, 'median'), sp(lb?.ms, 'median')),
    );
    lines.push(row('latency p95, ms', sp(la?.ms, 'p95'), sp(lb?.ms, 'p95')));
    if (la) {
      lines.push(row('  flxra: change → frame received, median', sp(la.changeToReceiveMs, 'median'), null));
      lines.push(row('  flxra: received → shown, median', sp(la.receiveToShownMs, 'median'), null));
      if (la.captureToShownMs)
        lines.push(row('  flxra: captured → shown, median', sp(la.captureToShownMs, 'median'), null));
      lines.push(...rtcLines(la.rtc));
    }
  }
  const names = new Set([...Object.keys(flxra?.workloads ?? {}), ...Object.keys(vnc?.workloads ?? {})]);
  for (const w of names) {
    const [a, b] = [flxra?.workloads[w], vnc?.workloads[w]];
    lines.push(`  ${w}`);
    lines.push(row('  frames shown per s', a?.fps, b?.fps));
    lines.push(row('  kB/s received', a && a.bytesPerS / 1000, b && b.bytesPerS / 1000, 2));
    lines.push(row('  host CPU s per 10 s', a?.hostCpuPer10s, b?.hostCpuPer10s, 2));
    lines.push(row('  operator CPU s per 10 s', a?.operatorCpuPer10s, b?.operatorCpuPer10s, 2));
    lines.push(row('  X server CPU s per 10 s (draws the scene too)', a?.xserverCpuPer10s, b?.xserverCpuPer10s, 2));
    lines.push(...rtcLines(a?.rtc, '      '));
  }
  console.log(lines.join('\n'));
}
