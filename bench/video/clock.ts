/**
 * Calibrates a page's clock against the bench's, so that a change made here and its observation
 * timed in a page (another process) can be subtracted: the page's epoch time is read in a round
 * trip; the sample with the shortest round trip gives the offset, within half that round trip.
 * On one machine both clocks are the system's, so the offset found should be about 0; the bench
 * checks rather than assumes it, and records the bound.
 */
import type { Page } from 'playwright-core';
import { epochNow } from './x-scene.js';

export interface Calibration {
  /** page time − bench time, ms. */
  offsetMs: number;
  /** The offset's uncertainty, ms (half the best round trip). */
  boundMs: number;
}

export async function calibrate(page: Page, rounds = 15): Promise<Calibration> {
  let best: Calibration | null = null;
  for (let i = 0; i < rounds; i++) {
    const before = epochNow();
    const pageTime = await page.evaluate<number>('performance.timeOrigin + performance.now()');
    const after = epochNow();
    const c = { offsetMs: pageTime - (before + after) / 2, boundMs: (after - before) / 2 };
    if (!best || c.boundMs < best.boundMs) best = c;
  }
  return best!;
}

/** A time read in the page, on the bench's clock. */
export const toBench = (c: Calibration, pageTime: number): number => pageTime - c.offsetMs;
