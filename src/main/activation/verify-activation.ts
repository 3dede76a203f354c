/**
 * Checks an activation file before anything connects: its envelope, that a trusted relay signed
 * it with a key it has not revoked, that it was not altered, and that it has not expired. Whether
 * its nonce is still unused only the relay knows; it says so when the file is opened.
 */
import { compactVerify, decodeProtectedHeader, importJWK } from 'jose';
import {
  ACTIVATION_JWS_TYPE,
  ActivationClaims,
  parseActivationEnvelope,
  type ActivationProblem,
} from '../../shared/activation-file.js';
import { checkRelayUrl } from '../../shared/relay-url.js';
import type { TrustedRelayKey } from './trusted-relays.js';

export type VerifiedActivation =
  { ok: true; token: string; claims: ActivationClaims } | { ok: false; problem: ActivationProblem };

export interface TrustedKeyLookup {
  find(relay: string, kid: string): Promise<TrustedRelayKey | null>;
}

function unverifiedClaims(token: string): ActivationClaims | null {
  const payload = token.split('.')[1];
  if (!payload) return null;
  try {
    const parsed = ActivationClaims.safeParse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/**
 * What a file says of itself before anything is verified: its token, the relay it names and the
 * key it claims; only to know whose keys to look at (the signature then proves it), or why it is
 * no activation file at all, or one naming a relay flxra does not connect to (plain http elsewhere).
 */
export function peekActivation(
  text: string,
): { ok: true; token: string; relay: string; kid: string } | { ok: false; problem: ActivationProblem } {
  const envelope = parseActivationEnvelope(text);
  if (!envelope.ok) return envelope;
  const { token } = envelope;
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(token);
  } catch {
    return { ok: false, problem: { kind: 'corrupt', detail: 'no signed token inside' } };
  }
  if (header.typ !== ACTIVATION_JWS_TYPE || header.alg !== 'EdDSA' || typeof header.kid !== 'string') {
    return { ok: false, problem: { kind: 'corrupt', detail: 'not a flxra activation token' } };
  }
  const claimed = unverifiedClaims(token);
  if (!claimed) return { ok: false, problem: { kind: 'tampered' } };
  // Before anything reaches out to it, for its keys or a session.
  const relay = checkRelayUrl(claimed.relay);
  if (!relay.ok) return { ok: false, problem: { kind: 'insecure-relay', problem: relay.problem } };
  return { ok: true, token, relay: new URL(claimed.relay).origin, kid: header.kid };
}

export async function verifyActivation(
  text: string,
  trusted: TrustedKeyLookup,
  nowMs: number,
): Promise<VerifiedActivation> {
  const peeked = peekActivation(text);
  if (!peeked.ok) return peeked;
  const { token, relay, kid } = peeked;
  // The relay named inside says whose key to check with; the signature then proves it.
  const key = await trusted.find(relay, kid);
  if (!key) return { ok: false, problem: { kind: 'untrusted-relay', relay, keyId: kid } };
  if (key.revokedAt !== undefined) return { ok: false, problem: { kind: 'revoked-key', relay, keyId: kid } };

  let claims: ActivationClaims;
  try {
    const { payload } = await compactVerify(token, await importJWK(key.jwk, 'EdDSA'));
    claims = ActivationClaims.parse(JSON.parse(new TextDecoder().decode(payload)));
  } catch {
    return { ok: false, problem: { kind: 'tampered' } };
  }
  if (claims.exp * 1000 <= nowMs) return { ok: false, problem: { kind: 'expired', expiredAt: claims.exp } };
  return { ok: true, token, claims };
}
