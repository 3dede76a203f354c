/**
 * Signed-in console sessions: a random session id in an HttpOnly, SameSite=Strict cookie scoped
 * to /console (Secure when the relay is reached over https), a CSRF token that state-changing
 * calls echo in a header, and expiry after 30 idle minutes or 12 hours at most. Kept in this
 * relay's memory: a restart signs everyone out, which is the safe direction.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../clock.js';

/** The cookie's name; @fastify/cookie reads and writes it with `cookieOptions`. */
export const SESSION_COOKIE = 'flxra_console';
const IDLE_MS = 30 * 60_000;
const MAX_MS = 12 * 60 * 60_000;

export interface ConsoleSession {
  username: string;
  csrfToken: string;
  createdAt: number;
  lastSeen: number;
}

export class ConsoleSessions {
  private readonly sessions = new Map<string, ConsoleSession>();

  constructor(
    private readonly clock: Clock,
    private readonly secureCookie: boolean,
  ) {}

  /** A new session for the user; its id is the cookie's value (set with `cookieOptions()`). */
  start(username: string): { id: string; session: ConsoleSession } {
    this.dropExpired();
    const id = randomBytes(32).toString('base64url');
    const now = this.clock.now();
    const session = { username, csrfToken: randomBytes(32).toString('base64url'), createdAt: now, lastSeen: now };
    this.sessions.set(id, session);
    return { id, session };
  }

  /** The live session the request's cookie names, touched; null when none. */
  find(id: string | undefined): { id: string; session: ConsoleSession } | null {
    const session = id ? this.sessions.get(id) : undefined;
    if (!id || !session) return null;
    const now = this.clock.now();
    if (now - session.lastSeen > IDLE_MS || now - session.createdAt > MAX_MS) {
      this.sessions.delete(id);
      return null;
    }
    session.lastSeen = now;
    return { id, session };
  }

  /** Ends it (the cookie is then cleared with `cookieOptions(0)`). */
  end(id: string): void {
    this.sessions.delete(id);
  }

  /** Ends every session of the user (removed from the console); how many there were. */
  endAllOf(username: string): number {
    let ended = 0;
    for (const [id, s] of this.sessions) {
      if (s.username === username) {
        this.sessions.delete(id);
        ended++;
      }
    }
    return ended;
  }

  static csrfMatches(session: ConsoleSession, header: string | string[] | undefined): boolean {
    if (typeof header !== 'string') return false;
    const given = Buffer.from(header);
    const expected = Buffer.from(session.csrfToken);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  /** The cookie's attributes: HttpOnly, SameSite=Strict, on /console only, Secure over https. */
  cookieOptions(maxAgeSeconds: number = MAX_MS / 1000): {
    path: string;
    httpOnly: true;
    sameSite: 'strict';
    secure: boolean;
    maxAge: number;
  } {
    return { path: '/console', httpOnly: true, sameSite: 'strict', secure: this.secureCookie, maxAge: maxAgeSeconds };
  }

  private dropExpired(): void {
    const now = this.clock.now();
    for (const [id, s] of this.sessions)
      if (now - s.lastSeen > IDLE_MS || now - s.createdAt > MAX_MS) this.sessions.delete(id);
  }
}
