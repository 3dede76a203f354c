/**
 * Reads Linux processes from /proc, for the task manager and for ending a terminal's whole process tree: each
 * process's stat line (name, state, parent, session, CPU ticks, start, resident pages), its real user from status,
 * its command line. A process that ends while it is being read is simply not in the snapshot.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

export interface ProcStat {
  pid: number;
  /** The kernel's name for it (comm, at most 15 bytes), which may hold spaces and parentheses. */
  comm: string;
  /** R, S, D, Z (zombie: dead, waiting to be reaped), T… */
  state: string;
  ppid: number;
  pgrp: number;
  session: number;
  /** utime + stime, in clock ticks. */
  cpuTicks: number;
  /** Clock ticks after boot. */
  startTicks: number;
  rssPages: number;
}

/** One /proc/<pid>/stat line. The name sits in parentheses and may contain ") ": the last ")" ends it. */
export function parseProcStat(line: string): ProcStat | undefined {
  const open = line.indexOf('(');
  const close = line.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const pid = Number(line.slice(0, open).trim());
  const f = line
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  // After the name: state is field 3 of proc(5), so field n is f[n - 3].
  const num = (n: number) => Number(f[n - 3]);
  const stat: ProcStat = {
    pid,
    comm: line.slice(open + 1, close),
    state: f[0] ?? '',
    ppid: num(4),
    pgrp: num(5),
    session: num(6),
    cpuTicks: num(14) + num(15),
    startTicks: num(22),
    rssPages: num(24),
  };
  const numbers = [stat.pid, stat.ppid, stat.pgrp, stat.session, stat.cpuTicks, stat.startTicks, stat.rssPages];
  return numbers.every(Number.isFinite) && stat.state ? stat : undefined;
}

/** The real UID from /proc/<pid>/status ("Uid:\treal\teffective\tsaved\tfs"). */
export function parseStatusUid(status: string): number | undefined {
  const m = /^Uid:\s+(\d+)/m.exec(status);
  return m ? Number(m[1]) : undefined;
}

/** argv as NUL-separated bytes; shown as one line, an argument with spaces in quotes. Kernel threads have none. */
export function parseCmdline(raw: string): string | null {
  const args = raw.split('\0');
  if (args[args.length - 1] === '') args.pop();
  if (args.length === 0) return null;
  return args.map((a) => (a === '' || /[\s"]/.test(a) ? JSON.stringify(a) : a)).join(' ');
}

/** /proc/stat's btime: the boot time in seconds since the epoch. */
export function parseBootTime(procStat: string): number | undefined {
  const m = /^btime\s+(\d+)/m.exec(procStat);
  return m ? Number(m[1]) : undefined;
}

const readText = (file: string) => readFile(file, 'utf8').catch(() => undefined);

export async function listPids(procRoot: string): Promise<number[]> {
  const names = await readdir(procRoot);
  return names.filter((n) => /^\d+$/.test(n)).map(Number);
}

export async function readStat(procRoot: string, pid: number): Promise<ProcStat | undefined> {
  const line = await readText(path.join(procRoot, String(pid), 'stat'));
  return line === undefined ? undefined : parseProcStat(line);
}

/** Every process's stat line at once (the ones that ended meanwhile are left out). */
export async function readAllStats(procRoot: string): Promise<ProcStat[]> {
  const stats = await Promise.all((await listPids(procRoot)).map((pid) => readStat(procRoot, pid)));
  return stats.filter((s): s is ProcStat => s !== undefined);
}

export interface ProcDetails {
  uid: number | undefined;
  commandLine: string | null;
}

export async function readDetails(procRoot: string, pid: number): Promise<ProcDetails> {
  const dir = path.join(procRoot, String(pid));
  const [status, cmdline] = await Promise.all([
    readText(path.join(dir, 'status')),
    readText(path.join(dir, 'cmdline')),
  ]);
  return {
    uid: status === undefined ? undefined : parseStatusUid(status),
    commandLine: cmdline === undefined ? null : parseCmdline(cmdline),
  };
}

/** Gone for good: no longer in /proc, or a zombie (dead; only its parent's wait() is left). */
export async function isGone(procRoot: string, pid: number): Promise<boolean> {
  const stat = await readStat(procRoot, pid);
  return stat === undefined || stat.state === 'Z' || stat.state === 'X';
}
