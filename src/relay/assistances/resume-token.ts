/**
 * Resume tokens: what lets an admitted operator back into its assistance after a network drop,
 * without a new password or consent. Stored as SHA-256 only: the token is 256 random bits, so
 * there is no guessable space for a slow hash like scrypt to protect; the hash only makes sure
 * a copy of relay.db yields no usable token.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

export function newResumeToken(): { token: string; hash: Buffer } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: digest(token) };
}

export function resumeTokenMatches(token: string, hash: Buffer): boolean {
  return timingSafeEqual(digest(token), hash);
}
