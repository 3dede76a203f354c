/**
 * The relay's token pepper: 32 random bytes that every machine token's HMAC is keyed with
 * (token-mac.ts). It is never in the database, so that a copy of relay.db alone allows no check
 * of any token: it is in its own owner-only file, `<data>/token-pepper`, made at the first start,
 * or, for deployments that keep secrets elsewhere, in FLXRA_RELAY_TOKEN_PEPPER (the file's
 * contents: base64url). Back it up apart from the database: without it every operator and device
 * token is void.
 *
 * The database keeps the pepper's fingerprint (an HMAC of a fixed text, which reveals nothing
 * about tokens), so a relay given another pepper, or started after the file was lost, refuses to
 * start and says why, rather than making a new one and refusing every token.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PEPPER_BYTES, TokenMac } from './token-mac.js';

export const PEPPER_FILE = 'token-pepper';
export const PEPPER_ENV = 'FLXRA_RELAY_TOKEN_PEPPER';

/** Where the pepper's fingerprint is kept (the relay store). */
export interface PepperFingerprints {
  getTokenPepperFingerprint(): Buffer | null;
  /** Stores it unless one is stored already (a relay and the CLI may race); returns the one kept. */
  addFirstTokenPepperFingerprint(fingerprint: Buffer): Buffer;
}

/** The pepper is missing or is not this database's: someone must act; the message says what. */
export class PepperProblem extends Error {}

const ENCODED = /^[A-Za-z0-9_-]{43,}$/;

function decode(text: string, where: string): Buffer {
  const trimmed = text.trim();
  const bytes = ENCODED.test(trimmed) ? Buffer.from(trimmed, 'base64url') : Buffer.alloc(0);
  if (bytes.length < PEPPER_BYTES)
    throw new PepperProblem(`${where} is not a token pepper: it must be at least ${PEPPER_BYTES} bytes in base64url`);
  return bytes;
}

function readOrCreate(file: string, expected: boolean): Buffer {
  try {
    return decode(fs.readFileSync(file, 'utf8'), file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (expected)
    throw new PepperProblem(
      `${file} is missing, but relay.db's tokens were stored with a pepper: restore the file from your backup ` +
        `(or set ${PEPPER_ENV}). Without it no operator or device token can be checked.`,
    );
  try {
    // 'wx': a relay and the CLI starting at once on a new folder make one pepper, not two.
    fs.writeFileSync(file, `${randomBytes(PEPPER_BYTES).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return decode(fs.readFileSync(file, 'utf8'), file);
}

/**
 * The relay's TokenMac, keyed with the pepper from `fromEnv` (FLXRA_RELAY_TOKEN_PEPPER's value)
 * when given, else from the data folder's file (made if the database has no pepper yet).
 */
export function openTokenMac(opts: { dataDir: string; store: PepperFingerprints; fromEnv?: string }): TokenMac {
  const pepper =
    opts.fromEnv !== undefined
      ? decode(opts.fromEnv, PEPPER_ENV)
      : readOrCreate(path.join(opts.dataDir, PEPPER_FILE), opts.store.getTokenPepperFingerprint() !== null);
  const mac = new TokenMac(pepper);
  const fingerprint = mac.fingerprint();
  if (!opts.store.addFirstTokenPepperFingerprint(fingerprint).equals(fingerprint))
    throw new PepperProblem(
      `the token pepper (${opts.fromEnv !== undefined ? PEPPER_ENV : path.join(opts.dataDir, PEPPER_FILE)}) is not ` +
        `the one relay.db's tokens were stored with: restore the right one. With another, no token could be checked.`,
    );
  return mac;
}
