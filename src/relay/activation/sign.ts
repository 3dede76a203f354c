/**
 * Signing and checking activation tokens: compact JWS, EdDSA, with the activation `typ` so
 * that nothing else this key might ever sign can pass for an activation. Expiry is not checked
 * here: the caller compares exp with the relay's clock.
 */
import { CompactSign, compactVerify } from 'jose';
import { ACTIVATION_JWS_TYPE, ActivationClaims } from '../../shared/activation-file.js';
import type { SigningKey } from './keys.js';

export function signActivation(key: SigningKey, claims: ActivationClaims): Promise<string> {
  return new CompactSign(new TextEncoder().encode(JSON.stringify(claims)))
    .setProtectedHeader({ alg: 'EdDSA', kid: key.kid, typ: ACTIVATION_JWS_TYPE })
    .sign(key.privateKey);
}

/** The claims of a token this relay signed as an activation, or null for anything else. */
export async function verifyActivation(key: SigningKey, token: string): Promise<ActivationClaims | null> {
  try {
    const { payload, protectedHeader } = await compactVerify(token, key.publicKey, { algorithms: ['EdDSA'] });
    if (protectedHeader.typ !== ACTIVATION_JWS_TYPE || protectedHeader.kid !== key.kid) return null;
    const claims = ActivationClaims.safeParse(JSON.parse(new TextDecoder().decode(payload)));
    return claims.success ? claims.data : null;
  } catch {
    // Malformed, altered or signed by another key: all the same to the caller.
    return null;
  }
}
