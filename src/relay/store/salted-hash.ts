/**
 * How the store keeps a secret it must check but never hold: a salted scrypt hash with its cost
 * parameters. Its own file, so that store.ts and console-records.ts both use it without importing
 * each other.
 */
/** scrypt cost parameters, stored with each hash so they can be raised without breaking old ones. */
export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/** A secret as stored: never the secret, only a salted scrypt hash of it. */
export interface SaltedHash {
  salt: Buffer;
  hash: Buffer;
  scrypt: ScryptParams;
}
