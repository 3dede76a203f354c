/**
 * What the relay publishes at RELAY_KEYS_PATH: the keys that verify activation files now (for
 * the fingerprint operators compare), the revoked ones, and the key set signed by every key
 * still vouching (KeySetClaims), through which an operator's app that trusts an older key learns
 * the newer ones, and hears of revocations, without anyone comparing fingerprints again. The
 * signed document is made again when the keys change, and at least every minute (its iat).
 */
import { GeneralSign } from 'jose';
import { formatFingerprint } from '../../shared/activation-file.js';
import { KEY_SET_JWS_TYPE, type KeySetClaims, type RelayKeys } from '../../shared/relay-api.js';
import type { Clock } from '../clock.js';
import type { ActivationKeys, KeyState } from './keys.js';

const REFRESH_MS = 60_000;

export class KeySetPublisher {
  private cached: { state: string; until: number; keys: RelayKeys } | null = null;

  constructor(
    private readonly relayUrl: string,
    private readonly keys: ActivationKeys,
    private readonly clock: Clock,
  ) {}

  async published(): Promise<RelayKeys> {
    await this.keys.signing(); // a relay's first key exists before it is listed
    const now = this.clock.now();
    const listed = this.keys.list();
    const state = JSON.stringify(listed.map(({ record }) => [record.kid, record.retiredAt, record.revokedAt]));
    if (this.cached && this.cached.state === state && now < this.cached.until) return this.cached.keys;
    const keys = await this.build(now, listed);
    this.cached = { state, until: now + REFRESH_MS, keys };
    return keys;
  }

  private async build(now: number, listed: ReturnType<ActivationKeys['list']>): Promise<RelayKeys> {
    const signers = await this.keys.vouching();
    const signerKids = new Set(signers.map((k) => k.kid));
    const retiredUntil = (state: KeyState) =>
      state.status === 'retired' ? { verifiesUntil: Math.floor(state.verifiesUntil / 1000) } : {};
    const claims: KeySetClaims = {
      v: 1,
      relay: new URL(this.relayUrl).origin,
      iat: Math.floor(now / 1000),
      keys: listed
        .filter(({ record }) => signerKids.has(record.kid))
        .map(({ record, state }) => ({
          kid: record.kid,
          jwk: signers.find((k) => k.kid === record.kid)!.publicJwk,
          status: state.status === 'active' ? ('active' as const) : ('retired' as const),
          ...retiredUntil(state),
        })),
      revoked: listed.filter(({ state }) => state.status === 'revoked').map(({ record }) => record.kid),
    };
    const sign = new GeneralSign(new TextEncoder().encode(JSON.stringify(claims)));
    for (const key of signers)
      sign.addSignature(key.privateKey).setProtectedHeader({ alg: 'EdDSA', kid: key.kid, typ: KEY_SET_JWS_TYPE });
    const { payload, signatures } = await sign.sign();
    return {
      relay: this.relayUrl,
      keys: listed
        .filter(({ state }) => this.keys.verifiesNow(state))
        .map(({ record, state }) => ({
          kid: record.kid,
          jwk: JSON.parse(record.publicJwk) as KeySetClaims['keys'][number]['jwk'],
          fingerprint: formatFingerprint(record.kid),
          status: state.status === 'active' ? ('active' as const) : ('retired' as const),
        })),
      revoked: listed.flatMap(({ record, state }) =>
        state.status === 'revoked' ? [{ kid: record.kid, revokedAt: new Date(state.revokedAt).toISOString() }] : [],
      ),
      keySet: { payload, signatures: signatures.map((s) => ({ protected: s.protected!, signature: s.signature })) },
    };
  }
}
