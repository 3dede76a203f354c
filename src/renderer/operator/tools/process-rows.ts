/**
 * The task manager's rows as pure functions: its columns, their order either way (what a platform cannot tell last),
 * and memory in binary units, so the table (ProcessesTab.tsx) only draws.
 */
import type { ProcessInfo } from '../../../shared/tools-results';

export type Column = 'pid' | 'name' | 'user' | 'cpuPercent' | 'memoryBytes' | 'startTime' | 'commandLine';
export const COLUMNS: { key: Column; label: string }[] = [
  { key: 'pid', label: 'PID' },
  { key: 'name', label: 'Name' },
  { key: 'user', label: 'User' },
  { key: 'cpuPercent', label: 'CPU %' },
  { key: 'memoryBytes', label: 'Memory' },
  { key: 'startTime', label: 'Started' },
  { key: 'commandLine', label: 'Command line' },
];

export function formatBytes(n: number | null): string {
  if (n === null) return '';
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}

/** Rows by a column, either way; what a platform cannot tell (null) always last. */
export function compareRows(a: ProcessInfo, b: ProcessInfo, key: Column, down: boolean): number {
  const x = a[key];
  const y = b[key];
  if (x === null || y === null) return x === y ? a.pid - b.pid : x === null ? 1 : -1;
  if (x === y) return a.pid - b.pid;
  const order = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
  return down ? -order : order;
}
