/**
 * The relay's Ed25519 signing keys, kept in the store (the data dir is the relay's secret area),
 * read from it on every use, so that `relay keys rotate` and `relay keys revoke` (another process
 * on the same data dir) take effect in a running relay at once, without a restart:
 *
 * - the active key signs new activation files and the published key set;
 * - a retired key still verifies the files it signed until the last of them has expired (its
 *   retirement + the activation lifetime), and keeps vouching for the key set for KEY_VOUCH_MS,
 *   so that operators' apps that trusted it learn its successor from a document it signed;
 * - a revoked key is refused at once and signs nothing (its private half is forgotten).
 */
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import { formatFingerprint } from '../../shared/activation-file.js';
import type { RelayKeys } from '../../shared/relay-api.js';
import type { Clock } from '../clock.js';
import type { RevokeResult, SigningKeyRecord, SigningKeyStore } from '../store/store.js';

type PublicJwk = RelayKeys['keys'][number]['jwk'];

/** How long a retired key vouches for its successors in the published key set: 90 days. */
export const KEY_VOUCH_MS = 90 * 24 * 60 * 60_000;
/** Clocks of the relay and of the CLI that rotated may differ a little. */
const CLOCK_SLACK_MS = 60_000;

export interface SigningKey {
  /** RFC 7638 thumbprint of the public key: the JWS `kid`. */
  kid: string;
  publicKey: CryptoKey;
  publicJwk: PublicJwk;
  /** What administrators publish and operators compare (formatFingerprint of the kid). */
  fingerprint: string;
}

/** A key that can still sign (the active one, or a retired one vouching for the key set). */
export interface PrivateSigningKey extends SigningKey {
  privateKey: CryptoKey;
}

export type KeyState =
  | { status: 'active' }
  | { status: 'retired'; retiredAt: number; verifiesUntil: number; vouchesUntil: number }
  | { status: 'revoked'; revokedAt: number };

/**
 * The key that checks a token signed with a kid: a retired key only for files that expire by
 * `notAfter` (those it could have signed before it retired); or why there is none.
 */
export type VerifyingKey =
  { ok: true; key: SigningKey; notAfter?: number } | { ok: false; refusal: 'unknown' | 'revoked' };

export type { SigningKeyStore } from '../store/store.js';

export interface KeyRingSettings {
  /** How long an activation file is accepted: a retired key verifies this long after its retirement. */
  activationLifetimeMs: number;
}

export async function newKeyRecord(createdAt: Date): Promise<SigningKeyRecord> {
  const { privateKey } = await generateKeyPair('Ed25519', { extractable: true });
  const jwk = await exportJWK(privateKey);
  const publicJwk = publicHalf(jwk);
  const kid = await calculateJwkThumbprint(publicJwk, 'sha256');
  return {
    kid,
    publicJwk: JSON.stringify(publicJwk),
    privateJwk: JSON.stringify(jwk),
    createdAt: createdAt.toISOString(),
    retiredAt: null,
    revokedAt: null,
  };
}

/** An Ed25519 JWK as a CryptoKey (jose answers Uint8Array only for symmetric keys, never here). */
async function importEd25519(jwk: JWK): Promise<CryptoKey> {
  const key = await importJWK(jwk, 'EdDSA');
  if (key instanceof Uint8Array) throw new Error('the stored signing key is not an Ed25519 key');
  return key;
}

function publicHalf(jwk: JWK): PublicJwk {
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string')
    throw new Error('the stored signing key is not an Ed25519 key');
  return { kty: 'OKP', crv: 'Ed25519', x: jwk.x };
}

export class ActivationKeys {
  /** Imported keys by kid: a key's material never changes, only its state (read from the store). */
  private readonly imported = new Map<string, Promise<SigningKey>>();
  private readonly importedPrivate = new Map<string, Promise<PrivateSigningKey>>();

  constructor(
    private readonly store: SigningKeyStore,
    private readonly clock: Clock,
    private readonly settings: KeyRingSettings,
  ) {}

  /** The key new files are signed with; made (once, even with a CLI racing the relay) if there is none. */
  async signing(): Promise<PrivateSigningKey> {
    const record = this.store.activeSigningKey() ?? this.store.addFirstSigningKey(await this.newRecord());
    return this.privateKey(record);
  }

  /** The active key's fingerprint, as administrators publish it; null before the first key exists. */
  activeFingerprint(): string | null {
    const record = this.store.activeSigningKey();
    return record ? formatFingerprint(record.kid) : null;
  }

  /** Every key with its state now, oldest first. */
  list(): Array<{ record: SigningKeyRecord; state: KeyState }> {
    return this.store.listSigningKeys().map((record) => ({ record, state: this.stateOf(record) }));
  }

  stateOf(record: SigningKeyRecord): KeyState {
    if (record.revokedAt !== null) return { status: 'revoked', revokedAt: record.revokedAt };
    if (record.retiredAt === null) return { status: 'active' };
    return {
      status: 'retired',
      retiredAt: record.retiredAt,
      verifiesUntil: record.retiredAt + this.settings.activationLifetimeMs + CLOCK_SLACK_MS,
      vouchesUntil: record.retiredAt + KEY_VOUCH_MS,
    };
  }

  /** The key that checks a token signed with `kid`, or why there is none. */
  async verifying(kid: string): Promise<VerifyingKey> {
    const record = this.store.listSigningKeys().find((r) => r.kid === kid);
    if (!record) return { ok: false, refusal: 'unknown' };
    const state = this.stateOf(record);
    if (state.status === 'revoked') return { ok: false, refusal: 'revoked' };
    const key = await this.publicKey(record);
    return state.status === 'retired' ? { ok: true, key, notAfter: state.verifiesUntil } : { ok: true, key };
  }

  /** Whether a key still verifies files now (the published list): active, or retired with files maybe valid. */
  verifiesNow(state: KeyState): boolean {
    return state.status === 'active' || (state.status === 'retired' && this.clock.now() < state.verifiesUntil);
  }

  /** The keys that sign the published key set: the active one and the retired ones still vouching. */
  async vouching(): Promise<PrivateSigningKey[]> {
    await this.signing();
    const now = this.clock.now();
    const records = this.list().filter(
      ({ record, state }) =>
        record.privateJwk !== null &&
        (state.status === 'active' || (state.status === 'retired' && now < state.vouchesUntil)),
    );
    return Promise.all(records.map(({ record }) => this.privateKey(record)));
  }

  /** Makes a new active key; the one it replaces retires now. Returns the new key. */
  async rotate(): Promise<PrivateSigningKey> {
    const next = await this.newRecord();
    this.store.rotateSigningKey(next, this.clock.now());
    this.store.forgetRetiredPrivateKeys(this.clock.now() - KEY_VOUCH_MS);
    return this.privateKey(next);
  }

  /** Revokes a key at once; when it was the active one, a new key replaces it (`replacement`). */
  async revoke(kid: string): Promise<{ result: RevokeResult; replacement?: PrivateSigningKey }> {
    const wasActive = this.store.activeSigningKey()?.kid === kid;
    const replacement = await this.newRecord();
    const result = this.store.revokeSigningKey(kid, this.clock.now(), replacement);
    this.imported.delete(kid);
    this.importedPrivate.delete(kid);
    if (result !== 'revoked' || !wasActive) return { result };
    return { result, replacement: await this.privateKey(replacement) };
  }

  private newRecord(): Promise<SigningKeyRecord> {
    return newKeyRecord(new Date(this.clock.now()));
  }

  private publicKey(record: SigningKeyRecord): Promise<SigningKey> {
    let key = this.imported.get(record.kid);
    if (!key) {
      key = (async () => {
        const publicJwk = publicHalf(JSON.parse(record.publicJwk) as JWK);
        return {
          kid: record.kid,
          publicJwk,
          publicKey: await importEd25519(publicJwk),
          fingerprint: formatFingerprint(record.kid),
        };
      })();
      this.imported.set(record.kid, key);
    }
    return key;
  }

  private privateKey(record: SigningKeyRecord): Promise<PrivateSigningKey> {
    const privateJwk = record.privateJwk;
    if (privateJwk === null) return Promise.reject(new Error(`signing key ${record.kid} can sign nothing any more`));
    let key = this.importedPrivate.get(record.kid);
    if (!key) {
      key = (async () => ({
        ...(await this.publicKey(record)),
        privateKey: await importEd25519(JSON.parse(privateJwk) as JWK),
      }))();
      this.importedPrivate.set(record.kid, key);
    }
    return key;
  }
}
