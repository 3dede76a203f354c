/**
 * The secret the relay and its coturn share (coturn's static-auth-secret), from which the relay
 * makes every TURN credential: `FLXRA_RELAY_TURN_SECRET` when set, else the data folder's
 * owner-only `turn-secret` file, made (32 random bytes, base64url) the first time a command needs
 * it. `relay serve --turn-url …` and `relay turn-config` read the same one, so the two never
 * disagree and nobody copies it by hand. Never logged.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export const TURN_SECRET_FILE = 'turn-secret';
export const TURN_SECRET_ENV = 'FLXRA_RELAY_TURN_SECRET';

export function turnSecret(dataDir: string, fromEnv: string | undefined = process.env[TURN_SECRET_ENV]): string {
  if (fromEnv !== undefined) {
    if (fromEnv.trim().length < 32) throw new Error(`${TURN_SECRET_ENV} must be at least 32 characters`);
    return fromEnv.trim();
  }
  const file = path.join(dataDir, TURN_SECRET_FILE);
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  try {
    // 'wx': a relay and the CLI starting at once make one secret, not two.
    fs.writeFileSync(file, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const secret = fs.readFileSync(file, 'utf8').trim();
  if (secret.length < 32) throw new Error(`${file} is not a TURN secret (at least 32 characters)`);
  return secret;
}
