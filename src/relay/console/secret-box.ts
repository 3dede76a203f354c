/**
 * Secrets the console must be able to read back (TOTP secrets: the relay computes codes from
 * them, so a hash will not do) are kept sealed: AES-256-GCM under a key derived from the relay's
 * token pepper (credentials/pepper.ts: a secret kept outside the database, in its owner-only
 * file or the environment), so a copy of relay.db alone, a backup or a leaked dump, holds no
 * usable secret. Each sealed value is bound to what it is for (`context`, e.g. the username), so
 * it cannot be moved to another row. `consoleSecretBox()` is the one place the key comes from.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { TokenMac } from '../credentials/token-mac.js';

export interface SecretBox {
  seal(plain: Buffer, context: string): Buffer;
  /** Throws when it was not sealed by this key for this context (tampered, moved, another key). */
  open(sealed: Buffer, context: string): Buffer;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;
/** The first byte of every sealed value: which scheme (and key) sealed it. */
const VERSION = 1;

export function aesGcmBox(key: Buffer): SecretBox {
  return {
    seal(plain, context) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(context));
      const body = Buffer.concat([cipher.update(plain), cipher.final()]);
      return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), body]);
    },
    open(sealed, context) {
      if (sealed.length < 1 + IV_BYTES + TAG_BYTES || sealed[0] !== VERSION) throw new Error('not a sealed secret');
      const iv = sealed.subarray(1, 1 + IV_BYTES);
      const tag = sealed.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
      const decipher = createDecipheriv('aes-256-gcm', key, iv);
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(sealed.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]);
    },
  };
}

/** The console's secret box: its key derived from the relay's token pepper for this purpose only. */
export function consoleSecretBox(tokenMac: TokenMac): SecretBox {
  return aesGcmBox(tokenMac.derivedKey('console secrets v1'));
}
