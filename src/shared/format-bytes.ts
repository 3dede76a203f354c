/**
 * A byte count as people read it (B, KiB, MiB, GiB, TiB; one decimal under 10), for the task
 * manager's memory column and file transfer's sizes and speeds alike. No Node imports: pages use it.
 */
export function formatBytes(n: number): string {
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
