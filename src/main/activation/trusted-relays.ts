/**
 * The relays this operator trusts, with their signing keys, kept in the OS keychain. A relay's
 * first key is trusted only after the operator compared its fingerprint (never silently); its
 * later keys only when a key set signed by a key already trusted announces them (adopt), and a
 * key that set says is revoked stays revoked here for good, whatever any later document says.
 */
import { z } from 'zod';
import type { KeySetClaims } from '../../shared/relay-api.js';
import { formatFingerprint } from '../../shared/activation-file.js';
import type { CredentialStore } from '../../platform/credentials/credential-store.js';

const TrustedRelayKey = z.object({
  /** The relay's origin (scheme, host, port). */
  relay: z.string(),
  kid: z.string(),
  jwk: z.object({ kty: z.literal('OKP'), crv: z.literal('Ed25519'), x: z.string() }),
  fingerprint: z.string(),
  trustedAt: z.string(),
  /** Learnt from a key set this (already trusted) key signed; absent: the operator compared the fingerprint. */
  vouchedBy: z.string().optional(),
  /** Its relay revoked it: files it signed are refused, and it vouches for nothing. */
  revokedAt: z.string().optional(),
});
export type TrustedRelayKey = z.infer<typeof TrustedRelayKey>;

/** A key the operator is asked to trust, as fetched and checked (fetchRelayKeys, keyToTrust). */
export type KeyToTrust = Pick<TrustedRelayKey, 'relay' | 'kid' | 'jwk' | 'fingerprint'>;

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

  /** The key with that id this app knows for that relay, revoked or not. */
  async find(relay: string, kid: string): Promise<TrustedRelayKey | null> {
    const origin = new URL(relay).origin;
    return (await this.list()).find((k) => k.relay === origin && k.kid === kid) ?? null;
  }

  /** The relay's keys this app may check a key set with: trusted and not revoked. */
  async vouchers(relay: string): Promise<TrustedRelayKey[]> {
    const origin = new URL(relay).origin;
    return (await this.list()).filter((k) => k.relay === origin && k.revokedAt === undefined);
  }

  /** The operator compared this key's fingerprint and trusts it. */
  async trust(key: KeyToTrust, now = new Date()): Promise<void> {
    const others = (await this.list()).filter((k) => !(k.relay === key.relay && k.kid === key.kid));
    await this.save([...others, { ...key, trustedAt: now.toISOString() }]);
  }

  /**
   * A key set of `relay` signed by `vouchedBy`, a key this app trusts (verifyKeySet checked it):
   * its keys are trusted from now on, its revocations marked. Nothing is ever dropped or
   * un-revoked, so an old document replayed can neither undo a revocation nor remove a key.
   * Returns whether anything changed.
   */
  async adopt(relay: string, claims: KeySetClaims, vouchedBy: string, now = new Date()): Promise<boolean> {
    const origin = new URL(relay).origin;
    const all = await this.list();
    const revoked = new Set(claims.revoked);
    let changed = false;
    const kept = all.map((k) => {
      if (k.relay !== origin || !revoked.has(k.kid) || k.revokedAt !== undefined) return k;
      changed = true;
      return { ...k, revokedAt: now.toISOString() };
    });
    for (const key of claims.keys) {
      if (revoked.has(key.kid) || kept.some((k) => k.relay === origin && k.kid === key.kid)) continue;
      changed = true;
      kept.push({
        relay: origin,
        kid: key.kid,
        jwk: key.jwk,
        fingerprint: formatFingerprint(key.kid),
        trustedAt: now.toISOString(),
        vouchedBy,
      });
    }
    if (changed) await this.save(kept);
    return changed;
  }

  private async save(keys: TrustedRelayKey[]): Promise<void> {
    await this.store.set(ACCOUNT, JSON.stringify(keys));
  }
}
