/**
 * Waiting in tests for something real to happen (a process, a socket, a state), polling: one
 * helper, so that every wait fails the same way, saying what was awaited and what it saw last.
 */
import assert from 'node:assert/strict';

export interface UntilOptions {
  /** Default 5 s. */
  timeoutMs?: number;
  /** Default 50 ms. */
  everyMs?: number;
  /** What to show of the last state when it never came (default: nothing). */
  seen?: () => unknown;
}

/** Resolves with the first truthy value `probe` returns; fails after the timeout saying `what`. */
export async function until<T>(
  what: string,
  probe: () => T | null | undefined | false,
  opts: UntilOptions = {},
): Promise<T> {
  const { timeoutMs = 5_000, everyMs = 50, seen } = opts;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline)
      assert.fail(`never ${what} within ${timeoutMs} ms${seen ? ` (is ${JSON.stringify(seen())})` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** `until` for a probe that must await (a page, a socket): the first truthy value it resolves with. */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false>,
  opts: UntilOptions = {},
): Promise<T> {
  const { timeoutMs = 10_000, everyMs = 100 } = opts;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) assert.fail(`never ${what} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
