/**
 * What the operator's app reads from a relay's published keys (RELAY_KEYS_PATH) and how far it
 * believes it: a key to show the operator for a fingerprint comparison (the fingerprint computed
 * here, never taken from the answer), and the signed key set, believed only when a key this app
 * already trusts for that relay signed it. That is how an app learns a rotated relay's new key
 * through the old one, and hears of a revocation, with no one comparing fingerprints again.
 */
import type { Agent } from 'node:http';
import { calculateJwkThumbprint, generalVerify, importJWK, type JWSHeaderParameters } from 'jose';
import { formatFingerprint } from '../../shared/activation-file.js';
import { KEY_SET_JWS_TYPE, KeySetClaims, RELAY_KEYS_PATH, RelayKeys } from '../../shared/relay-api.js';
import { relayRequest, type RelayHttpAnswer } from '../../platform/proxy/relay-request.js';
import { describeConnectionFailure } from '../../shared/relay-certificate.js';
import { secureRelayUrl } from '../../shared/relay-url.js';
import type { KeyToTrust, TrustedRelayKey } from './trusted-relays.js';

/** GET <relay origin>RELAY_KEYS_PATH, checked against its schema; `agent`: the proxy's tunnel (relay-route.ts). */
export async function fetchRelayKeys(relay: string, agent?: Agent): Promise<RelayKeys> {
  // Never over plain http to another computer (src/shared/relay-url.ts).
  const checked = secureRelayUrl(relay);
  if (!checked.ok) throw new Error(checked.message);
  const origin = new URL(checked.url).origin;
  let response: RelayHttpAnswer;
  try {
    response = await relayRequest(new URL(`${origin}${RELAY_KEYS_PATH}`), {
      timeoutMs: 10_000,
      ...(agent ? { agent } : {}),
    });
  } catch (err) {
    throw new Error(`cannot reach the relay at ${origin}: ${describeConnectionFailure(err)}`, { cause: err });
  }
  if (response.status < 200 || response.status >= 300)
    throw new Error(`the relay at ${origin} answered ${response.status} for its keys`);
  return RelayKeys.parse(response.json);
}

/**
 * The published key with that id, for the operator to compare its fingerprint with the one their
 * administrator published; or `revoked` when the relay says it revoked it. Throws when the relay
 * does not publish it, or publishes a key that does not match its id.
 */
export async function keyToTrust(published: RelayKeys, relay: string, kid: string): Promise<KeyToTrust | 'revoked'> {
  const origin = new URL(relay).origin;
  if (published.revoked?.some((k) => k.kid === kid)) return 'revoked';
  const key = published.keys.find((k) => k.kid === kid);
  if (!key) throw new Error(`the relay at ${origin} does not publish the key this file was signed with`);
  const thumbprint = await calculateJwkThumbprint(key.jwk, 'sha256');
  if (thumbprint !== kid) throw new Error(`the relay at ${origin} published a key that does not match its id`);
  return { relay: origin, kid, jwk: key.jwk, fingerprint: formatFingerprint(thumbprint) };
}

/** fetchRelayKeys + keyToTrust, for set-ups that trust a relay's key up front (tests, the bench). */
export async function fetchRelayKey(relay: string, kid: string): Promise<KeyToTrust> {
  const key = await keyToTrust(await fetchRelayKeys(relay), relay, kid);
  if (key === 'revoked') throw new Error(`the relay at ${new URL(relay).origin} revoked the key ${kid}`);
  return key;
}

/**
 * The relay's signed key set, if one of `vouchers` (keys this app trusts for that relay, not
 * revoked) signed it, it is for that relay, and every key in it matches its id; else null.
 */
export async function verifyKeySet(
  published: RelayKeys,
  relay: string,
  vouchers: readonly TrustedRelayKey[],
): Promise<{ claims: KeySetClaims; vouchedBy: string } | null> {
  const origin = new URL(relay).origin;
  if (!published.keySet || vouchers.length === 0) return null;
  const byKid = new Map(vouchers.filter((k) => k.relay === origin).map((k) => [k.kid, k]));
  let verified: Awaited<ReturnType<typeof generalVerify>>;
  try {
    verified = await generalVerify(
      published.keySet,
      async (header: JWSHeaderParameters) => {
        const key = typeof header.kid === 'string' ? byKid.get(header.kid) : undefined;
        // Thrown for a signature by a key this app does not trust: jose tries the next one.
        if (!key || header.typ !== KEY_SET_JWS_TYPE) throw new Error('not signed by a trusted key');
        return importJWK(key.jwk, 'EdDSA');
      },
      { algorithms: ['EdDSA'] },
    );
  } catch {
    return null;
  }
  let claims: KeySetClaims;
  try {
    const parsed = KeySetClaims.safeParse(JSON.parse(new TextDecoder().decode(verified.payload)));
    if (!parsed.success) return null;
    claims = parsed.data;
  } catch {
    return null;
  }
  const vouchedBy = verified.protectedHeader?.kid;
  if (claims.relay !== origin || typeof vouchedBy !== 'string') return null;
  for (const key of claims.keys) if ((await calculateJwkThumbprint(key.jwk, 'sha256')) !== key.kid) return null;
  return { claims, vouchedBy };
}
