/**
 * CPU time of process trees, from /proc: the bench finds a browser it launched as a new child of
 * its own process, and counts that browser with every process under it (renderers, GPU, utility:
 * the capture service). Sampled before and after a workload; a process that appears in between
 * counts from zero.
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_S = 100; // Linux's USER_HZ

interface Stat {
  pid: number;
  ppid: number;
  comm: string;
  /** utime + stime, seconds. */
  cpu: number;
}

function stat(pid: number): Stat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = text.lastIndexOf(')');
    const comm = text.slice(text.indexOf('(') + 1, close);
    const f = text.slice(close + 2).split(' ');
    // After ") ": state(0) ppid(1) … utime(11) stime(12)
    return { pid, ppid: Number(f[1]), comm, cpu: (Number(f[11]) + Number(f[12])) / TICKS_PER_S };
  } catch {
    return null;
  }
}

function all(): Stat[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map((d) => stat(Number(d)))
    .filter((s): s is Stat => s !== null);
}

/** `root` and every process under it. */
export function tree(root: number, stats = all()): Stat[] {
  const out: Stat[] = [];
  const wanted = new Set([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const s of stats)
      if (!wanted.has(s.pid) && wanted.has(s.ppid)) {
        wanted.add(s.pid);
        grew = true;
      }
  }
  for (const s of stats) if (wanted.has(s.pid)) out.push(s);
  return out;
}

/** The direct children of this process now (to find the one a launch adds). */
export function ownChildren(): Set<number> {
  return new Set(
    all()
      .filter((s) => s.ppid === process.pid)
      .map((s) => s.pid),
  );
}

/** The child of this process that appeared since `before` and whose name matches. */
export function newChild(before: Set<number>, name: RegExp): number {
  const found = all().find((s) => s.ppid === process.pid && !before.has(s.pid) && name.test(s.comm));
  if (!found) throw new Error(`no new ${name} process under the bench`);
  return found.pid;
}

/** CPU seconds per process of the trees rooted at `roots`, now. */
export function cpuSnapshot(roots: number[]): Map<number, number> {
  const stats = all();
  const m = new Map<number, number>();
  for (const r of roots) for (const s of tree(r, stats)) m.set(s.pid, s.cpu);
  return m;
}

/** CPU seconds spent between two snapshots of the same trees. */
export function cpuSpent(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, cpu] of after) total += cpu - (before.get(pid) ?? 0);
  return total;
}
