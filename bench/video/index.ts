/**
 * `npm run bench`: flxra's screen path side by side with x11vnc + noVNC on one Xvfb per screen
 * size, on the same scenes (x-scene.ts): glass-to-glass latency over 50 solid-colour changes,
 * then 10 s each of typing, scrolling text, a dragged window, a full-screen animation and idle;
 * prints every figure with its ratio to VNC and saves them as JSON. It asserts nothing and never
 * fails for being slow: a system that fails to start is reported as such. docs/performance.md
 * says how the figures are taken and what they were.
 *
 *   npm run bench -- [--sizes 1280x720,1920x1080] [--systems flxra,vnc]
 *                    [--workloads latency,typing,scrolling,drag,animation,idle] [--changes 50] [--label name]
 *                    [--picture quality|balanced|latency] [--codec video/H264] [--capture damage]
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { setRootColour, startXvfb } from '../../dev/rig/xvfb.js';
import { newChild, ownChildren } from './cpu.js';
import { measureLatency, measureWorkload } from './measure.js';
import { printSize, type SizeRun, type SystemRun } from './report.js';
import { startFlxra, startVncSystem, type SystemUnderTest } from './systems.js';
import { openXScene, type XScene } from './x-scene.js';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1280x720,1920x1080' },
    systems: { type: 'string', default: 'flxra,vnc' },
    workloads: { type: 'string', default: 'latency,typing,scrolling,drag,animation,idle' },
    changes: { type: 'string', default: '50' },
    label: { type: 'string', default: '' },
    picture: { type: 'string' },
    codec: { type: 'string' },
    capture: { type: 'string' },
  },
});
const list = (s: string) => s.split(',').filter(Boolean);
const wanted = list(values.workloads);

const workloads: Record<string, (scene: XScene) => () => Promise<() => unknown> | (() => unknown)> = {
  typing: (scene) => () => scene.typing(),
  scrolling: (scene) => () => scene.scrolling(),
  drag: (scene) => () => scene.drag(),
  animation: (scene) => () => scene.animate(),
  idle: () => () => () => undefined,
};

function load(): string {
  return os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
}

async function runSystem(start: () => Promise<SystemUnderTest>, scene: XScene, xserverPid: number): Promise<SystemRun> {
  let sys: SystemUnderTest | null = null;
  try {
    sys = await start();
    const run: SystemRun = {
      firstFrameMs: sys.firstFrameMs,
      ...(sys.firstFrameStages ? { firstFrameStages: sys.firstFrameStages } : {}),
      clockBoundMs: sys.viewerClock.boundMs,
      workloads: {},
    };
    console.log(
      `  ${sys.name}: first frame after ${run.firstFrameMs?.toFixed(0)} ms; clock offset ${sys.viewerClock.offsetMs.toFixed(2)} ± ${sys.viewerClock.boundMs.toFixed(2)} ms`,
    );
    for (const [stage, ms] of Object.entries(sys.firstFrameStages ?? {}))
      console.log(`    ${ms.toFixed(0).padStart(6)} ms  ${stage}`);
    if (wanted.includes('latency')) {
      run.latency = await measureLatency(sys, scene, Number(values.changes));
      console.log(
        `  ${sys.name}: latency median ${run.latency.ms?.median.toFixed(1)} ms, p95 ${run.latency.ms?.p95.toFixed(1)} ms, ${run.latency.missed} missed`,
      );
    }
    for (const w of Object.keys(workloads).filter((k) => wanted.includes(k))) {
      run.workloads[w] = await measureWorkload(sys, xserverPid, workloads[w]!(scene));
      const r = run.workloads[w];
      console.log(
        `  ${sys.name} ${w}: ${r.fps.toFixed(1)} fps, ${(r.bytesPerS / 1000).toFixed(1)} kB/s, host ${r.hostCpuPer10s.toFixed(2)} s/10 s`,
      );
    }
    return run;
  } catch (err) {
    console.log(`  failed: ${(err as Error).stack ?? String(err)}`);
    return { firstFrameMs: null, clockBoundMs: NaN, workloads: {}, error: (err as Error).message };
  } finally {
    await sys?.close().catch(() => undefined);
  }
}

const startedAt = new Date();
const machine = {
  cpus: os.cpus().length,
  cpuModel: os.cpus()[0]?.model,
  memGiB: Math.round(os.totalmem() / 2 ** 30),
  loadAtStart: load(),
  chromium: execFileSync('chromium', ['--version'], { encoding: 'utf8' }).trim(),
};
console.log(
  `bench ${startedAt.toISOString()} on ${machine.cpus} × ${machine.cpuModel}, load ${machine.loadAtStart}; ${machine.chromium}`,
);
const runs: SizeRun[] = [];
for (const size of list(values.sizes)) {
  const [width, height] = size.split('x').map(Number) as [number, number];
  console.log(`\n${size}: Xvfb, then ${values.systems}`);
  const before = ownChildren();
  const xvfb = await startXvfb({ width, height });
  const xserverPid = newChild(before, /Xvfb/);
  const scene = await openXScene(xvfb, { width, height });
  setRootColour(xvfb, '#406080');
  const run: SizeRun = { size, systems: {} };
  try {
    for (const name of list(values.systems) as Array<'flxra' | 'vnc'>) {
      const flxraOptions = {
        ...(values.picture ? { picture: values.picture } : {}),
        ...(values.codec ? { codec: values.codec } : {}),
        ...(values.capture ? { capture: values.capture } : {}),
      };
      const start =
        name === 'flxra'
          ? () => startFlxra(xvfb, { width, height }, flxraOptions)
          : () => startVncSystem(xvfb, { width, height });
      run.systems[name] = await runSystem(start, scene, xserverPid);
    }
  } finally {
    await scene.close();
    await xvfb.close();
  }
  runs.push(run);
}

for (const run of runs) printSize(run);
const result = {
  startedAt: startedAt.toISOString(),
  label: values.label,
  machine: { ...machine, loadAtEnd: load() },
  runs,
};
const dir = path.resolve(import.meta.dirname, '../results');
mkdirSync(dir, { recursive: true });
const file = path.join(
  dir,
  `video-${startedAt.toISOString().replace(/[:.]/g, '-')}${values.label ? `-${values.label}` : ''}.json`,
);
writeFileSync(file, JSON.stringify(result, null, 2));
console.log(`\nload at the end ${result.machine.loadAtEnd}; figures saved in ${path.relative(process.cwd(), file)}`);
