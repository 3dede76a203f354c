/**
 * flxra's calendar versions, as the specification writes them: YY.M[.patch] (23.7, 24.9.2).
 * Compared as numbers, field by field, never as strings ("24.10" is newer than "24.9.2").
 */
import { z } from 'zod';

export const CalVer = z.string().regex(/^\d{2}\.(?:[1-9]|1[0-2])(?:\.\d{1,4})?$/, 'a version is YY.M or YY.M.patch');
export type CalVer = z.infer<typeof CalVer>;

function parts(version: string): [number, number, number] {
  const [yy = 0, m = 0, patch = 0] = version.split('.').map(Number);
  return [yy, m, patch];
}

/** Negative when a is older than b, 0 when equal (23.7 = 23.7.0), positive when newer. */
export function compareVersions(a: string, b: string): number {
  const pa = parts(a);
  const pb = parts(b);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pa[i]! - pb[i]!;
  return 0;
}

export function isAtLeast(version: string, minimum: string): boolean {
  return compareVersions(version, minimum) >= 0;
}
