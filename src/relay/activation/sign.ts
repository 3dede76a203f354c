/**
 * Signing and checking activation tokens: compact JWS, EdDSA, with the activation `typ` so
 * that nothing else a relay key signs (its key set) can pass for an activation. New files are
 * signed with the active key; a token is checked with the key its `kid` names unless that key
 * was revoked, and a retired key's only if it expires no later than the files it signed before
 * retiring. Expiry itself is not checked here: the caller compares exp with the relay's clock.
 */
import { CompactSign, compactVerify, decodeProtectedHeader } from 'jose';
import { ACTIVATION_JWS_TYPE, ActivationClaims } from '../../shared/activation-file.js';
import type { ActivationKeys } from './keys.js';

export async function signActivation(keys: ActivationKeys, claims: ActivationClaims): Promise<string> {
  const key = await keys.signing();
  return new CompactSign(new TextEncoder().encode(JSON.stringify(claims)))
    .setProtectedHeader({ alg: 'EdDSA', kid: key.kid, typ: ACTIVATION_JWS_TYPE })
    .sign(key.privateKey);
}

/** A token's claims, or why it is refused: not one this relay signed, or signed with a key it revoked. */
export type ActivationCheck = { ok: true; claims: ActivationClaims } | { ok: false; reason: 'invalid' | 'revoked' };

export async function verifyActivation(keys: ActivationKeys, token: string): Promise<ActivationCheck> {
  const invalid = { ok: false, reason: 'invalid' } as const;
  let kid: unknown;
  try {
    kid = decodeProtectedHeader(token).kid;
  } catch {
    return invalid;
  }
  if (typeof kid !== 'string') return invalid;
  const found = await keys.verifying(kid);
  if (!found.ok) return found.refusal === 'revoked' ? { ok: false, reason: 'revoked' } : invalid;
  try {
    const { payload, protectedHeader } = await compactVerify(token, found.key.publicKey, { algorithms: ['EdDSA'] });
    if (protectedHeader.typ !== ACTIVATION_JWS_TYPE || protectedHeader.kid !== kid) return invalid;
    const claims = ActivationClaims.safeParse(JSON.parse(new TextDecoder().decode(payload)));
    if (!claims.success) return invalid;
    // A retired key signed nothing that expires later than its last file could.
    if (found.notAfter !== undefined && claims.data.exp * 1000 > found.notAfter) return invalid;
    return { ok: true, claims: claims.data };
  } catch {
    // Malformed, altered or signed by another key: all the same to the caller.
    return invalid;
  }
}
