/**
 * The host window's clean end: once nothing is shared any more (the session ended however it
 * ended: End, the operator leaving, Deny, no answer, Decline on the request notice, expiry), the
 * window says so and closes by itself a few seconds later, so that the user is never left with a
 * window offering a session ID nobody can use. Electron-free: the timer is injected (tests fire
 * it), and closing is the caller's (the Electron glue closes the window, which quits the host;
 * the Chromium stand-in and the test rig close their page and record it).
 */
import type { HostState } from '../../shared/ipc.js';

/** How long the last screen stays before the window closes itself. */
export const CLOSE_AFTER_MS = 5_000;

/** Starts a timer; returns the function that cancels it. */
export type StartTimer = (fire: () => void, ms: number) => () => void;

export const realTimer: StartTimer = (fire, ms) => {
  const timer = setTimeout(fire, ms);
  return () => clearTimeout(timer);
};

/** Whether the window has nothing left to offer: the session is over, and with it what was shared. */
export function nothingShared(state: HostState): boolean {
  return state.status === 'ended' || state.status === 'deactivated';
}

export interface WindowCloseOptions {
  close: () => void;
  timer?: StartTimer;
  afterMs?: number;
}

export class WindowClose {
  private cancel: (() => void) | null = null;
  private closed = false;

  constructor(private readonly opts: WindowCloseOptions) {}

  /** Whether the window is due to close (its last screen is showing). */
  get pending(): boolean {
    return this.cancel !== null;
  }

  /** Told every state the window shows: an end starts the countdown, anything else (a new request) stops it. */
  observe(state: HostState): void {
    if (this.closed) return;
    if (!nothingShared(state)) {
      this.cancel?.();
      this.cancel = null;
      return;
    }
    if (this.cancel) return;
    const timer = this.opts.timer ?? realTimer;
    this.cancel = timer(() => this.closeNow(), this.opts.afterMs ?? CLOSE_AFTER_MS);
  }

  /** Closes at once (the countdown's end, or whoever stops the host meanwhile). */
  closeNow(): void {
    if (this.closed) return;
    this.closed = true;
    this.cancel?.();
    this.cancel = null;
    this.opts.close();
  }
}
