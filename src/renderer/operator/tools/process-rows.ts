/**
 * The task manager's rows as pure functions: its columns, their order either way (what a platform cannot tell last),
 * and memory in binary units, so the table (ProcessesTab.tsx) only draws.
 */
import type { ProcessInfo } from '../../../shared/tools-results';
import { formatBytes as formatSize } from '../../../shared/format-bytes';

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

/** A process's memory as people read it; nothing where the platform did not say. */
export function formatBytes(n: number | null): string {
  return n === null ? '' : formatSize(n);
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
