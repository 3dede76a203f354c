/**
 * TURN credentials in coturn's REST API scheme (`use-auth-secret`): the username is
 * `<expiry, seconds since the epoch>:<id>` and the password base64(HMAC-SHA1(secret, username)).
 * coturn checks both with the secret it shares with the relay and refuses an expired username
 * (401) when a new allocation is asked for; an allocation made before the expiry lives on (its
 * refreshes are not refused), so the expiry bounds when a peer may start using TURN, not how long
 * a connection lasts. The relay issues them (ice-grants.ts); nothing here logs them.
 */
import { createHmac } from 'node:crypto';

export interface TurnCredential {
  username: string;
  credential: string;
}

export function turnCredential(secret: string, id: string, expiresAtMs: number): TurnCredential {
  const username = `${Math.floor(expiresAtMs / 1000)}:${id}`;
  return { username, credential: createHmac('sha1', secret).update(username).digest('base64') };
}
