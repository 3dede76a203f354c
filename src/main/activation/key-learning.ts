/**
 * What an operator app learns of a relay's keys before it trusts a file or shows a fingerprint: the
 * key set the relay publishes now, adopted where a key this app already trusts for that relay
 * signed it (keys rotated in since, revocations), and the fingerprint of its active key computed
 * here from the key itself. Best effort: without an answer, the keys already trusted decide.
 */
import type { RelayKeys } from '../../shared/relay-api.js';
import { keyToTrust, verifyKeySet } from './relay-keys.js';
import type { TrustedRelays } from './trusted-relays.js';

export interface KeyLearningDeps {
  fetchRelayKeys: (relay: string) => Promise<RelayKeys>;
  trusted: Pick<TrustedRelays, 'vouchers' | 'adopt'>;
  log?: (line: string) => void;
}

/** What the relay publishes now (adopted when vouched for), or the error that kept it from answering. */
export async function learnRelayKeys(relay: string, deps: KeyLearningDeps): Promise<RelayKeys | Error> {
  let published: RelayKeys;
  try {
    published = await deps.fetchRelayKeys(relay);
  } catch (err) {
    deps.log?.(`could not read the keys of ${relay}: ${(err as Error).message}`);
    return err as Error;
  }
  const vouched = await verifyKeySet(published, relay, await deps.trusted.vouchers(relay));
  if (vouched && (await deps.trusted.adopt(relay, vouched.claims, vouched.vouchedBy)))
    deps.log?.(`learnt the current keys of ${relay} from its key ${vouched.vouchedBy}`);
  return published;
}

/** The relay's active key's fingerprint, computed from its key (not read from the answer); null when unknown. */
export async function activeKeyFingerprint(
  relay: string,
  deps: KeyLearningDeps,
): Promise<{ relay: string; fingerprint: string } | null> {
  const published = await learnRelayKeys(relay, deps);
  if (published instanceof Error) return null;
  const active = published.keys.find((k) => k.status !== 'retired');
  const key = active ? await keyToTrust(published, relay, active.kid).catch(() => null) : null;
  return key && key !== 'revoked' ? { relay: key.relay, fingerprint: key.fingerprint } : null;
}
