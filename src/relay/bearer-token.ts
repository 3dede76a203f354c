/**
 * The relay's bearer tokens, `flxra_<kind>_<id>_<secret>`: the id finds the record, and the
 * whole token is what gets hashed, so an id paired with another token's secret is worthless.
 */
import { randomBytes } from 'node:crypto';

/** op: an operator's app; dev: an enrolled device's host. */
export type TokenKind = 'op' | 'dev';

// Hex ids, so an id never contains the `_` that separates it from the secret.
const PATTERNS: Record<TokenKind, RegExp> = {
  op: /^flxra_op_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/,
  dev: /^flxra_dev_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/,
};

/** A fresh id and the token naming it (32 random bytes of secret). */
export function issueBearerToken(kind: TokenKind): { id: string; token: string } {
  return reissueBearerToken(kind, randomBytes(6).toString('hex'));
}

/** A new token (a fresh secret) for an id that exists already. */
export function reissueBearerToken(kind: TokenKind, id: string): { id: string; token: string } {
  const token = `flxra_${kind}_${id}_${randomBytes(32).toString('base64url')}`;
  if (bearerTokenId(kind, token) !== id) throw new Error(`not a ${kind} token id: ${id}`);
  return { id, token };
}

/** The id a well-formed token names, or null. */
export function bearerTokenId(kind: TokenKind, token: string): string | null {
  return PATTERNS[kind].exec(token)?.[1] ?? null;
}
