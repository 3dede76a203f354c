/**
 * How unattended password attempts are limited: after the n-th wrong password the next attempt
 * is refused until 1 s·2^(n-1) has passed (1, 2, 4, 8 s), and the fifth locks the assistance.
 * Together with the 74-bit password this leaves a guesser nothing, yet lets a mistyping
 * operator try again at once.
 */
export const MAX_PASSWORD_FAILURES = 5;

/** ms before the next attempt is heard (0: now), after `failures` failures, the last at lastFailureAt. */
export function retryAfterMs(record: { failures: number; lastFailureAt: number | null }, now: number): number {
  if (record.failures === 0 || record.lastFailureAt === null) return 0;
  return Math.max(0, record.lastFailureAt + 1000 * 2 ** (record.failures - 1) - now);
}
