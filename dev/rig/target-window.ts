/**
 * Starts the rig's target window (x-target.ts, a window that changes colour on input) on a test
 * display at a given rectangle, and resolves once it is shown; the caller kills it when done.
 * Set FLXRA_E2E_DEBUG to see the events it reports.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Xvfb } from './xvfb.js';

export async function startTargetWindow(
  xvfb: Xvfb,
  rect: { x: number; y: number; width: number; height: number },
): Promise<ChildProcess> {
  const target = spawn(
    process.execPath,
    ['--import', 'tsx', 'dev/rig/x-target.ts', ...Object.values(rect).map(String)],
    {
      env: xvfb.env,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  target.stdout.on('data', (d) => process.env.FLXRA_E2E_DEBUG && console.log(`x-target: ${String(d).trim()}`));
  await new Promise<void>((resolve, reject) => {
    target.stdout.once('data', () => resolve());
    target.once('exit', (code) => reject(new Error(`x-target exited with ${code}`)));
  });
  return target;
}

/** Calls `each` with every match of `pattern` (a /gm expression) in what the target window reports. */
export function onTargetReports(target: ChildProcess, pattern: RegExp, each: (match: RegExpMatchArray) => void): void {
  target.stdout!.on('data', (d: Buffer) => {
    for (const m of String(d).matchAll(pattern)) each(m);
  });
}
