/**
 * Which utmp records are user sessions, and of what kind. utmp has no notion of a seat, so the
 * kind comes from where the login happened:
 * - a remote host or address (sshd, telnetd, rlogind fill ut_host / ut_addr_v6) → remote;
 * - a virtual console (`tty2`, `console`) or an X display as the line (`:0`, written by display
 *   managers) → console, with the display when the record names one;
 * - anything else is a window inside another session, not a session of its own: terminal
 *   emulators (pts line, host `:0`), tmux (`tmux(123).%0`), screen (`:pts/1:S.0`), su. Listing
 *   them would show one "session" per terminal window.
 *
 * State: utmp cannot tell a foreground session from one switched away from, so every live
 * session is 'active'. That errs toward asking for consent, never toward skipping it. A record
 * whose process is gone (left behind by a crash) is not a session any more and is dropped,
 * rather than reported as 'disconnected', which would promise a session someone could return to.
 */
import type { UserSession } from '../../shared/user-sessions.js';
import { USER_PROCESS, type UtmpRecord } from './utmp.js';

const X_DISPLAY = /^:\d+(\.\d+)?$/;
const VIRTUAL_CONSOLE = /^(tty\d+|console)$/;
/** A host name, IPv4 or IPv6 address: what login daemons write, unlike tmux's or screen's labels. */
const NETWORK_HOST = /^[A-Za-z0-9_.:%-]+$/;

export function utmpSessions(
  records: readonly UtmpRecord[],
  isAlive: (pid: number) => boolean = pidIsAlive,
): UserSession[] {
  // A slot reused without clearing can name the same line twice; the later record is the newer.
  const byLine = new Map<string, UserSession>();
  for (const r of records) {
    if (r.type !== USER_PROCESS || !r.user || !r.line || !isAlive(r.pid)) continue;
    const session = classify(r);
    if (session) byLine.set(r.line, session);
  }
  return [...byLine.values()];
}

function classify(r: UtmpRecord): UserSession | undefined {
  const base = { id: r.line, user: r.user, state: 'active' as const };
  if (r.hasAddress || (NETWORK_HOST.test(r.host) && !X_DISPLAY.test(r.host))) return { ...base, kind: 'remote' };
  if (X_DISPLAY.test(r.line)) return { ...base, kind: 'console', display: r.line };
  if (VIRTUAL_CONSOLE.test(r.line))
    return X_DISPLAY.test(r.host) ? { ...base, kind: 'console', display: r.host } : { ...base, kind: 'console' };
  return undefined;
}

/** Signal 0 checks existence without signalling; EPERM means it exists under another user. */
export function pidIsAlive(pid: number): boolean {
  // pid 0 and negatives address process groups, not a process.
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
