/**
 * Secrets the console must be able to read back (TOTP secrets: the relay computes codes from
 * them, so a hash will not do) are kept sealed: AES-256-GCM under a key that lives outside the
 * database, in `<dataDir>/console-secrets.key` (32 random bytes, owner-only, made at the first
 * start), so a copy of relay.db alone, a backup or a leaked dump, holds no usable secret. Each
 * sealed value is bound to what it is for (`context`, e.g. the username), so it cannot be moved
 * to another row. `consoleSecretBox()` is the one place the key comes from: a relay-wide secret
 * file can replace it there.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export interface SecretBox {
  seal(plain: Buffer, context: string): Buffer;
  /** Throws when it was not sealed by this key for this context (tampered, moved, another key). */
  open(sealed: Buffer, context: string): Buffer;
}

export const CONSOLE_KEY_FILE = 'console-secrets.key';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** The first byte of every sealed value: which scheme (and key) sealed it. */
const VERSION = 1;

/** The key file's key: made owner-only if absent, refused if anyone else may read it. */
function loadKey(dataDir: string): Buffer {
  const file = path.join(dataDir, CONSOLE_KEY_FILE);
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  try {
    // 'wx': two processes starting on the same data dir cannot both make one.
    fs.writeFileSync(file, randomBytes(KEY_BYTES), { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  if (process.platform !== 'win32' && (fs.statSync(file).mode & 0o077) !== 0) {
    throw new Error(`${file} may be read by others: make it the relay's own (chmod 600 ${file})`);
  }
  const key = fs.readFileSync(file);
  if (key.length !== KEY_BYTES) throw new Error(`${file} is not a console key (expected ${KEY_BYTES} bytes)`);
  return key;
}

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

/** The console's secret box for a relay data dir. */
export function consoleSecretBox(dataDir: string): SecretBox {
  return aesGcmBox(loadKey(dataDir));
}
