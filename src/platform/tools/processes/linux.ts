/**
 * The Linux task manager: processes from /proc with their user, CPU % between two samples, resident memory, start
 * time and command line; ending one with SIGKILL, or its whole tree (linux-tree.ts). The agent's own process and
 * init are refused: ending either would end the assistance (or the device) rather than help it.
 */
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { done, refuse, type ProcessInfo } from '../../../shared/tools-results.js';
import { AccountDirectory } from '../linux-accounts.js';
import { KILL_WAIT_MS, type ProcessBackend } from './backend.js';
import { parseBootTime, readAllStats, readDetails, readStat, type ProcStat } from './linux-proc.js';
import { killTree, waitGone } from './linux-tree.js';

export interface LinuxProcessOptions {
  procRoot?: string;
  accounts?: AccountDirectory;
  /** Monotonic milliseconds. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** The first list has no previous sample: it takes two this far apart. */
  firstSampleMs?: number;
  clockTicks?: number;
  pageSize?: number;
  cpuCount?: number;
  /** The agent's own PID, which is never ended from the task manager. */
  selfPid?: number;
}

function getconf(name: string, fallback: number): number {
  try {
    const n = Number(execFileSync('getconf', [name], { encoding: 'utf8', timeout: 2_000 }).trim());
    return Number.isInteger(n) && n > 0 ? n : fallback;
  } catch {
    return fallback;
  }
}

interface Sample {
  at: number;
  /** pid → [start ticks, CPU ticks]: a PID reused by a new process has another start. */
  ticks: Map<number, [number, number]>;
}

export function createLinuxProcessBackend(opts: LinuxProcessOptions = {}): ProcessBackend {
  const procRoot = opts.procRoot ?? '/proc';
  const accounts = opts.accounts ?? new AccountDirectory();
  const now = opts.now ?? (() => performance.now());
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const clockTicks = opts.clockTicks ?? getconf('CLK_TCK', 100);
  const pageSize = opts.pageSize ?? getconf('PAGESIZE', 4096);
  const cpuCount = opts.cpuCount ?? availableParallelism();
  const selfPid = opts.selfPid ?? process.pid;
  let previous: Sample | undefined;

  const sample = async (): Promise<{ stats: ProcStat[]; sample: Sample }> => {
    const stats = await readAllStats(procRoot);
    return { stats, sample: { at: now(), ticks: new Map(stats.map((s) => [s.pid, [s.startTicks, s.cpuTicks]])) } };
  };

  const cpuPercent = (s: ProcStat, before: Sample, after: Sample): number | null => {
    const old = before.ticks.get(s.pid);
    const seconds = (after.at - before.at) / 1000;
    if (!old || old[0] !== s.startTicks || seconds <= 0) return null;
    const used = (s.cpuTicks - old[1]) / clockTicks;
    return Math.min(100, Math.max(0, (used / (seconds * cpuCount)) * 100));
  };

  return {
    async list() {
      let before = previous;
      if (!before) {
        before = (await sample()).sample;
        await sleep(opts.firstSampleMs ?? 250);
      }
      const { stats, sample: after } = await sample();
      previous = after;
      const bootTime = parseBootTime((await readFile(path.join(procRoot, 'stat'), 'utf8').catch(() => '')) ?? '');
      const processes = await Promise.all(
        stats.map(async (s): Promise<ProcessInfo> => {
          const details = await readDetails(procRoot, s.pid);
          return {
            pid: s.pid,
            ppid: s.ppid,
            name: s.comm,
            user: details.uid === undefined ? null : await accounts.nameOf(details.uid),
            cpuPercent: cpuPercent(s, before, after),
            memoryBytes: s.rssPages * pageSize,
            startTime:
              bootTime === undefined ? null : new Date((bootTime + s.startTicks / clockTicks) * 1000).toISOString(),
            commandLine: details.commandLine,
          };
        }),
      );
      const notes = bootTime === undefined ? ['Start times are not available: /proc/stat has no boot time.'] : [];
      return done({ processes, unreadable: [], notes });
    },

    async kill(pid, { tree }) {
      if (pid === selfPid)
        return refuse('bad-input', 'This is the flxra agent itself: ending it would end the assistance.');
      if (pid <= 1) return refuse('bad-input', `Process ${pid} is the system's own and cannot be ended from here.`);
      const stat = await readStat(procRoot, pid);
      if (!stat || stat.state === 'Z') return refuse('process-gone', `Process ${pid} has already ended.`);
      let ended: number[];
      let denied: number[] = [];
      let names = new Map([[pid, stat.comm]]);
      try {
        if (tree) ({ ended, denied, names } = await killTree(pid, { procRoot }));
        else {
          process.kill(pid, 'SIGKILL');
          ended = [pid];
        }
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ESRCH') return refuse('process-gone', `Process ${pid} (${stat.comm}) has already ended.`);
        if (code === 'EPERM')
          return refuse('access-denied', `The agent's account may not end process ${pid} (${stat.comm}).`);
        throw err;
      }
      if (!(await waitGone(ended, KILL_WAIT_MS, procRoot)))
        return refuse('command-failed', `Process ${pid} (${stat.comm}) was told to end but is still running.`);
      return done({
        pid,
        name: stat.comm,
        ended,
        notEnded: denied,
        names: ended.flatMap((p) => (names.has(p) ? [{ pid: p, name: names.get(p)! }] : [])),
      });
    },
  } satisfies ProcessBackend;
}
