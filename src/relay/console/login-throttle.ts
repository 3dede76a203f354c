/**
 * Limits failed sign-ins, per username and per client address, over a sliding window: after too
 * many, further attempts are refused before any password is checked until the oldest failure
 * leaves the window. A success clears the username's failures (not the address's).
 * In memory only, unlike the sign-ins: a relay restart forgives the failures of the last
 * minutes, which is acceptable (restarts are the desk's own, for updates, and rare).
 */
import type { Clock } from '../clock.js';

const WINDOW_MS = 15 * 60_000;
const MAX_FAILURES_PER_USER = 5;
const MAX_FAILURES_PER_ADDRESS = 20;
/** Past this many remembered keys, every stale one is dropped: guessed usernames must not grow memory for ever. */
const PRUNE_ABOVE = 10_000;

export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(private readonly clock: Clock) {}

  /** How long until this username may try again from this address; 0 when it may now. */
  retryAfterMs(username: string, address: string): number {
    return Math.max(
      this.wait(`user:${username.toLowerCase()}`, MAX_FAILURES_PER_USER),
      this.wait(`addr:${address}`, MAX_FAILURES_PER_ADDRESS),
    );
  }

  failed(username: string, address: string): void {
    if (this.failures.size > PRUNE_ABOVE) for (const key of [...this.failures.keys()]) this.recent(key);
    for (const key of [`user:${username.toLowerCase()}`, `addr:${address}`])
      this.failures.set(key, [...this.recent(key), this.clock.now()]);
  }

  succeeded(username: string): void {
    this.failures.delete(`user:${username.toLowerCase()}`);
  }

  private wait(key: string, max: number): number {
    const recent = this.recent(key);
    if (recent.length < max) return 0;
    return recent[recent.length - max]! + WINDOW_MS - this.clock.now();
  }

  private recent(key: string): number[] {
    const since = this.clock.now() - WINDOW_MS;
    const kept = (this.failures.get(key) ?? []).filter((at) => at > since);
    if (kept.length) this.failures.set(key, kept);
    else this.failures.delete(key);
    return kept;
  }
}
