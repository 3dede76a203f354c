/**
 * How long the agent waits before reconnecting to the relay: exponential, capped, with jitter so
 * that the devices of a whole site, cut off by the same outage, do not all come back in the same
 * second when the relay returns.
 */
export interface BackoffOptions {
  /** The ceiling of the first wait. */
  baseMs: number;
  /** No wait is longer than this. */
  capMs: number;
}

export const AGENT_BACKOFF: BackoffOptions = { baseMs: 1_000, capMs: 30_000 };

/**
 * The wait before reconnection attempt `attempt` (0 for the first): "equal jitter", a random
 * point in the upper half of min(cap, base·2^attempt). Never less than half the ceiling, so a
 * flapping relay is not hammered even when the random draw is low.
 */
export function backoffDelay(
  attempt: number,
  opts: BackoffOptions = AGENT_BACKOFF,
  random: () => number = Math.random,
): number {
  // 2^attempt overflows to Infinity long after it passed the cap; min() handles that.
  const ceiling = Math.min(opts.capMs, opts.baseMs * 2 ** attempt);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
