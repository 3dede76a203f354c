/**
 * The one-time setup link for the first admin. Made at start only while there is no admin, kept
 * in memory only (a restart before setup prints a new link and the old one is dead), never
 * logged: the relay's command prints it once, and the first successful setup consumes it.
 * It travels in the URL's fragment, which browsers send to no server and no Referer.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const SETUP_PATH = '/console/setup';

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

export class SetupToken {
  private expected: Buffer | null = null;

  /** Makes a token and returns the link carrying it. */
  issue(publicUrl: string): string {
    const token = randomBytes(32).toString('base64url');
    this.expected = digest(token);
    return `${publicUrl.replace(/\/+$/, '')}${SETUP_PATH}#${token}`;
  }

  /** Whether the token is the live one (hashes compared in constant time). */
  matches(token: string): boolean {
    return this.expected !== null && timingSafeEqual(digest(token), this.expected);
  }

  consume(): void {
    this.expected = null;
  }
}
