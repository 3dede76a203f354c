/**
 * The relay's Ed25519 key that signs activation files. Generated on first use and kept in the
 * store (the data dir is the relay's secret area), so that files and the fingerprint operators
 * compared stay valid across restarts. Its public half is published at RELAY_KEYS_PATH.
 */
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import { formatFingerprint } from '../../shared/activation-file.js';
import type { RelayKeys } from '../../shared/relay-api.js';
import type { RelayStore, SigningKeyRecord } from '../store/store.js';

type PublicJwk = RelayKeys['keys'][number]['jwk'];

export interface SigningKey {
  /** RFC 7638 thumbprint of the public key: the JWS `kid`. */
  kid: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  publicJwk: PublicJwk;
  /** What administrators publish and operators compare (formatFingerprint of the kid). */
  fingerprint: string;
}

async function newKeyRecord(): Promise<SigningKeyRecord> {
  const { privateKey } = await generateKeyPair('Ed25519', { extractable: true });
  const jwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(publicHalf(jwk), 'sha256');
  return { kid, privateJwk: JSON.stringify(jwk), createdAt: new Date().toISOString() };
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

/** The store's signing key, created (once, even with a CLI racing the relay) if there is none. */
export async function loadSigningKey(
  store: Pick<RelayStore, 'getSigningKey' | 'addFirstSigningKey'>,
): Promise<SigningKey> {
  const record = store.getSigningKey() ?? store.addFirstSigningKey(await newKeyRecord());
  const privateJwk = JSON.parse(record.privateJwk) as JWK;
  const publicJwk = publicHalf(privateJwk);
  return {
    kid: record.kid,
    privateKey: await importEd25519(privateJwk),
    publicKey: await importEd25519(publicJwk),
    publicJwk,
    fingerprint: formatFingerprint(record.kid),
  };
}

/** The GET RELAY_KEYS_PATH answer. */
export function relayKeys(relay: string, key: SigningKey): RelayKeys {
  return { relay, keys: [{ kid: key.kid, jwk: key.publicJwk, fingerprint: key.fingerprint }] };
}
