/**
 * The relays this operator trusts, with their signing keys, kept in the OS keychain. A relay
 * is added only after the operator compared its key fingerprint (never silently).
 */
import { calculateJwkThumbprint } from 'jose';
import { z } from 'zod';
import { formatFingerprint } from '../../shared/activation-file.js';
import { RELAY_KEYS_PATH, RelayKeys } from '../../shared/relay-api.js';
import type { CredentialStore } from '../../platform/credentials/credential-store.js';

const TrustedRelayKey = z.object({
  /** The relay's origin (scheme, host, port). */
  relay: z.string(),
  kid: z.string(),
  jwk: z.object({ kty: z.literal('OKP'), crv: z.literal('Ed25519'), x: z.string() }),
  fingerprint: z.string(),
  trustedAt: z.string(),
});
export type TrustedRelayKey = z.infer<typeof TrustedRelayKey>;

const ACCOUNT = 'trusted-relay-keys';

export class TrustedRelays {
  constructor(private readonly store: CredentialStore) {}

  async list(): Promise<TrustedRelayKey[]> {
    const raw = await this.store.get(ACCOUNT);
    if (!raw) return [];
    const parsed = z.array(TrustedRelayKey).safeParse(JSON.parse(raw));
    // A damaged list trusts nothing rather than something unexpected.
    return parsed.success ? parsed.data : [];
  }

  async find(relay: string, kid: string): Promise<TrustedRelayKey | null> {
    const origin = new URL(relay).origin;
    return (await this.list()).find((k) => k.relay === origin && k.kid === kid) ?? null;
  }

  async trust(key: Omit<TrustedRelayKey, 'trustedAt'>, now = new Date()): Promise<void> {
    const others = (await this.list()).filter((k) => !(k.relay === key.relay && k.kid === key.kid));
    await this.store.set(ACCOUNT, JSON.stringify([...others, { ...key, trustedAt: now.toISOString() }]));
  }
}

/**
 * Fetches a relay's published key with the given id, for the operator to compare its
 * fingerprint with the one their administrator published. The fingerprint is computed here,
 * not taken from the relay's answer.
 */
export async function fetchRelayKey(relay: string, kid: string): Promise<Omit<TrustedRelayKey, 'trustedAt'>> {
  const origin = new URL(relay).origin;
  const response = await fetch(`${origin}${RELAY_KEYS_PATH}`, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`the relay at ${origin} answered ${response.status} for its keys`);
  const keys = RelayKeys.parse(await response.json());
  const key = keys.keys.find((k) => k.kid === kid);
  if (!key) throw new Error(`the relay at ${origin} does not publish the key this file was signed with`);
  const thumbprint = await calculateJwkThumbprint(key.jwk, 'sha256');
  if (thumbprint !== kid) throw new Error(`the relay at ${origin} published a key that does not match its id`);
  return { relay: origin, kid, jwk: key.jwk, fingerprint: formatFingerprint(thumbprint) };
}
