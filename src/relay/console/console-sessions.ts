/**
 * Signed-in console sessions: a random session id in an HttpOnly, SameSite=Strict cookie scoped
 * to /console (Secure when the relay is reached over https), a CSRF token that state-changing
 * calls echo in a header, and expiry after 30 idle minutes or 12 hours at most, by the relay's
 * clock. Kept in the store so that a relay restart (an update) signs no one out; the store holds
 * only a MAC of the id and nothing of the CSRF token (see below), so a copy of the database
 * signs no one in. Signing out, a user's removal and expiry delete the row at once.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { TokenMac } from '../credentials/token-mac.js';
import type { RelayStore } from '../store/store.js';

/** The cookie's name; @fastify/cookie reads and writes it with `cookieOptions`. */
export const SESSION_COOKIE = 'flxra_console';
const IDLE_MS = 30 * 60_000;
const MAX_MS = 12 * 60 * 60_000;
/** 32 random bytes in base64url: what the relay itself hands out, the only ids worth a lookup. */
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

export interface ConsoleSession {
  username: string;
  csrfToken: string;
  createdAt: number;
  lastSeen: number;
}

/**
 * The session's CSRF token, derived from its id: HMAC-SHA256 keyed by the id. Only the holder of
 * the cookie can compute it, the token reveals nothing of the id, and nothing extra is stored (a
 * stored hash of a random token could not be given back to the page: after a restart or a reload
 * the page learns it again from /me, which needs the token itself).
 */
function csrfTokenOf(id: string): string {
  return createHmac('sha256', id).update('flxra console csrf token').digest('base64url');
}

/** How often a session in use has its last use written down. */
const TOUCH_EVERY_MS = 60_000;

export class ConsoleSessions {
  /**
   * `mac`: what the store keeps for a session id, its HMAC under the token pepper. Not a salted
   * slow hash: the id is a 256-bit random value, not a password, so there is nothing to guess and
   * no dictionary to slow down; an unsalted MAC is also what lets the session be looked up by it.
   */
  constructor(
    private readonly store: RelayStore,
    private readonly mac: TokenMac,
    private readonly clock: Clock,
    private readonly secureCookie: boolean,
  ) {}

  private idHash(id: string): Buffer {
    return this.mac.of(id);
  }

  /** A new session for the user; its id is the cookie's value (set with `cookieOptions()`). */
  start(username: string): { id: string; session: ConsoleSession } {
    // Sign-ins are where rows are added, so they are where the expired ones go (lazily, no timer).
    this.purgeExpired();
    const id = randomBytes(32).toString('base64url');
    const now = this.clock.now();
    this.store.insertConsoleSession({ idHash: this.idHash(id), username, createdAt: now, lastSeen: now });
    return { id, session: { username, csrfToken: csrfTokenOf(id), createdAt: now, lastSeen: now } };
  }

  /** The live session the request's cookie names, touched; null when none (an expired one is deleted). */
  find(id: string | undefined): { id: string; session: ConsoleSession } | null {
    if (!id || !SESSION_ID.test(id)) return null;
    // Looked up by the MAC: timing tells nothing about the id, whose MAC an attacker cannot aim.
    // (Sessions from before the pepper are found by their SHA-256 once, and re-keyed.)
    const found = this.mac.findKeyed(
      id,
      (key) => this.store.getConsoleSession(key),
      (from, to) => this.store.rekeyConsoleSession(from, to),
    );
    if (!found) return null;
    const { record, key: hash } = found;
    const now = this.clock.now();
    if (now - record.lastSeen > IDLE_MS || now - record.createdAt > MAX_MS) {
      this.store.removeConsoleSession(hash);
      return null;
    }
    // Written at most once a minute (each page polls): idle expiry may come up to a minute early.
    if (now - record.lastSeen >= TOUCH_EVERY_MS) this.store.touchConsoleSession(hash, now);
    return {
      id,
      session: { username: record.username, csrfToken: csrfTokenOf(id), createdAt: record.createdAt, lastSeen: now },
    };
  }

  /** Ends it (the cookie is then cleared with `cookieOptions(0)`). */
  end(id: string): void {
    this.store.removeConsoleSession(this.idHash(id));
  }

  /**
   * Ends every session of the user (removed, or their password reset); with `exceptId`, all but
   * that one (the user changed their password there). How many there were.
   */
  endAllOf(username: string, exceptId?: string): number {
    return this.store.removeConsoleSessionsOf(username, exceptId === undefined ? undefined : this.idHash(exceptId));
  }

  /** Forgets every expired session (at start, and at each sign-in); how many there were. */
  purgeExpired(): number {
    const now = this.clock.now();
    return this.store.purgeConsoleSessions({ lastSeenBefore: now - IDLE_MS, createdBefore: now - MAX_MS });
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
}
