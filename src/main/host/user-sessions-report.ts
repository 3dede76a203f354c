/**
 * An enrolled device's report of its user sessions to the relay, for dynamic assistance (the
 * operator picks whose session to join): sent once the relay knows the host, then refreshed
 * every USER_SESSIONS_REFRESH_MS until the host session stops. Its own seam so that the host
 * session (host-session.ts) keeps to the relay connection, consent and the access mode.
 */
import type { UserSession } from '../../shared/user-sessions.js';

/** How often an enrolled device refreshes its user-session report. */
export const USER_SESSIONS_REFRESH_MS = 30_000;

export class UserSessionsReport {
  private timer: ReturnType<typeof setInterval> | null = null;

  /** Without `read` (a host that is no enrolled device's), there is nothing to report. */
  constructor(
    private readonly read: (() => Promise<UserSession[]>) | undefined,
    private readonly send: (sessions: UserSession[]) => void,
    private readonly log: (message: string) => void,
  ) {}

  /** Reports now and from then on; a second call while running changes nothing. */
  start(): void {
    const read = this.read;
    if (!read || this.timer) return;
    const report = () =>
      read()
        .then((sessions) => this.send(sessions))
        .catch((err: Error) => this.log(`cannot read user sessions: ${err.message}`));
    void report();
    this.timer = setInterval(() => void report(), USER_SESSIONS_REFRESH_MS);
    this.timer.unref?.();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
