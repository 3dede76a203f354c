/**
 * Signed-in console sessions: a random session id in an HttpOnly, SameSite=Strict cookie scoped
 * to /console (Secure when the relay is reached over https), a CSRF token that state-changing
 * calls echo in a header, and expiry after 30 idle minutes or 12 hours at most. Kept in this
 * relay's memory: a restart signs everyone out, which is the safe direction.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../clock.js';

const SESSION_COOKIE = 'flxra_console';
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

  /** A new session for the user; the Set-Cookie value that carries it. */
  start(username: string): { session: ConsoleSession; cookie: string } {
    this.dropExpired();
    const id = randomBytes(32).toString('base64url');
    const now = this.clock.now();
    const session = { username, csrfToken: randomBytes(32).toString('base64url'), createdAt: now, lastSeen: now };
    this.sessions.set(id, session);
    return { session, cookie: this.cookie(id, MAX_MS / 1000) };
  }

  /** The live session a request's Cookie header names, touched; null when none. */
  find(cookieHeader: string | undefined): { id: string; session: ConsoleSession } | null {
    const id = readCookie(cookieHeader, SESSION_COOKIE);
    const session = id === null ? undefined : this.sessions.get(id);
    if (id === null || !session) return null;
    const now = this.clock.now();
    if (now - session.lastSeen > IDLE_MS || now - session.createdAt > MAX_MS) {
      this.sessions.delete(id);
      return null;
    }
    session.lastSeen = now;
    return { id, session };
  }

  /** Ends it; the Set-Cookie value that clears the cookie. */
  end(id: string): string {
    this.sessions.delete(id);
    return this.cookie('', 0);
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

  private cookie(value: string, maxAgeSeconds: number): string {
    return `${SESSION_COOKIE}=${value}; Path=/console; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${this.secureCookie ? '; Secure' : ''}`;
  }

  private dropExpired(): void {
    const now = this.clock.now();
    for (const [id, s] of this.sessions)
      if (now - s.lastSeen > IDLE_MS || now - s.createdAt > MAX_MS) this.sessions.delete(id);
  }
}

function readCookie(header: string | undefined, name: string): string | null {
  for (const part of (header ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=') || null;
  }
  return null;
}
