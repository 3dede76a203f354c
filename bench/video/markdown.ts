/**
 * Turns saved bench figures (bench/results/video-*.json) into the Markdown tables of
 * docs/performance.md, so that the document quotes the runs as they were saved:
 *   npx tsx bench/video/markdown.ts bench/results/video-….json [more.json …]
 * One file: flxra beside VNC with ratios; several: flxra's figures of each run side by side
 * (before/after a change), labelled by the runs' labels.
 */
import { readFileSync } from 'node:fs';
import type { SizeRun, SystemRun } from './report.js';

interface Saved {
  startedAt: string;
  label: string;
  machine: { loadAtStart: string; loadAtEnd: string };
  runs: SizeRun[];
}

const f = (v: number | null | undefined, d = 1) => (v == null || !Number.isFinite(v) ? '–' : v.toFixed(d));

type Figure = [string, (s: SystemRun) => number | null | undefined, number];

const WORKLOAD_FIGURES: Array<[string, string, number]> = [
  ['fps', 'fps', 1],
  ['bytesPerS', 'kB/s', 1],
  ['hostCpuPer10s', 'host CPU s/10 s', 2],
  ['operatorCpuPer10s', 'operator CPU s/10 s', 2],
];

function figures(runs: SizeRun[]): Figure[] {
  const out: Figure[] = [
    ['Allow → first frame, ms (VNC: connect →)', (s) => s.firstFrameMs, 0],
    ['latency median, ms', (s) => s.latency?.ms?.median, 1],
    ['latency p95, ms', (s) => s.latency?.ms?.p95, 1],
    ['flxra: change → received, median ms', (s) => s.latency?.changeToReceiveMs?.median, 1],
    ['flxra: received → shown, median ms', (s) => s.latency?.receiveToShownMs?.median, 1],
    ['flxra: encode ms/frame', (s) => s.latency?.rtc?.encodeMs, 1],
    ['flxra: jitter buffer ms/frame', (s) => s.latency?.rtc?.jitterBufferMs, 1],
    ['flxra: decode ms/frame', (s) => s.latency?.rtc?.decodeMs, 1],
  ];
  const names = new Set(runs.flatMap((r) => Object.values(r.systems).flatMap((s) => Object.keys(s?.workloads ?? {}))));
  for (const w of names)
    for (const [key, label, d] of WORKLOAD_FIGURES)
      out.push([
        `${w}: ${label}`,
        (s) => {
          const v = s.workloads[w]?.[key as 'fps'];
          return v == null ? null : key === 'bytesPerS' ? v / 1000 : v;
        },
        d,
      ]);
  return out;
}

const files = process.argv.slice(2).map((p) => JSON.parse(readFileSync(p, 'utf8')) as Saved);
const sizes = [...new Set(files.flatMap((s) => s.runs.map((r) => r.size)))];
for (const size of sizes) {
  const runs = files.map((s) => s.runs.find((r) => r.size === size));
  const load = (s: Saved) => `${s.machine.loadAtStart.split(' ')[0]} → ${s.machine.loadAtEnd.split(' ')[0]}`;
  console.log(`\n${size} (load average ${files.map(load).join('; ')})\n`);
  if (files.length === 1) {
    const { flxra, vnc } = runs[0]!.systems;
    console.log('| figure | flxra | x11vnc + noVNC | ratio |\n|---|---:|---:|---:|');
    for (const [label, get, d] of figures(runs.filter((r): r is SizeRun => !!r))) {
      const [a, b] = [flxra && get(flxra), vnc && get(vnc)];
      if (a == null && b == null) continue;
      console.log(`| ${label} | ${f(a, d)} | ${f(b, d)} | ${a != null && b ? `×${(a / b).toFixed(2)}` : ''} |`);
    }
  } else {
    console.log(
      `| figure | ${files.map((s) => s.label || s.startedAt).join(' | ')} |\n|---|${files.map(() => '---:').join('|')}|`,
    );
    for (const [label, get, d] of figures(runs.filter((r): r is SizeRun => !!r))) {
      const vals = runs.map((r) => (r?.systems.flxra ? get(r.systems.flxra) : null));
      if (vals.every((v) => v == null)) continue;
      console.log(`| ${label} | ${vals.map((v) => f(v, d)).join(' | ')} |`);
    }
  }
}
