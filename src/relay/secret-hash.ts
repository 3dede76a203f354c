/**
 * Salted scrypt hashes of the secrets people type, which the relay checks but must never keep:
 * console passwords and unattended one-time passwords; also the check of machine token rows from
 * before the token pepper, through credentials/scrypt-gate.ts (machine tokens are HMACs now).
 * The cost parameters travel with each hash, so raising them later (or lowering them for tests)
 * never breaks what is already stored.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type { SaltedHash, ScryptParams } from './store/store.js';

/** Cost for new hashes: ~100 ms per verification, paid once per password try. */
export const DEFAULT_SCRYPT: ScryptParams = { N: 2 ** 15, r: 8, p: 1 };
const KEY_BYTES = 32;
const SALT_BYTES = 16;

function derive(secret: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  // scrypt needs 128·N·r bytes; node's default maxmem (32 MiB) is exactly that for N=2^15, r=8,
  // and the limit is exclusive, so allow twice the requirement.
  const maxmem = 2 * 128 * params.N * params.r * params.p;
  // The callback form runs on libuv's thread pool: verification must not stall the relay.
  return new Promise((resolve, reject) => {
    scrypt(secret, salt, KEY_BYTES, { ...params, maxmem }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

export async function hashSecret(secret: string, params: ScryptParams): Promise<SaltedHash> {
  const salt = randomBytes(SALT_BYTES);
  return { salt, hash: await derive(secret, salt, params), scrypt: params };
}

export async function verifySecret(secret: string, stored: SaltedHash): Promise<boolean> {
  const hash = await derive(secret, stored.salt, stored.scrypt);
  return hash.length === stored.hash.length && timingSafeEqual(hash, stored.hash);
}
