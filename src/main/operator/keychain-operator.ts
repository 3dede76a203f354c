/**
 * What the operator's app keeps in the OS keychain, wired for the OperatorController: its
 * token per relay (with the one configured for its own relay, if any), the relays' keys it
 * trusts, and how it fetches a relay's published keys. The Electron app, the desktop rig and the
 * tests all build their controller from here, so that they keep and look up credentials alike.
 */
import {
  loadOperatorToken,
  operatorTokenAccount,
  type ConfiguredOperatorToken,
  type CredentialStore,
} from '../../platform/credentials/credential-store.js';
import { fetchRelayKeys } from '../activation/relay-keys.js';
import { TrustedRelays } from '../activation/trusted-relays.js';
import type { OperatorControllerOptions } from './operator-controller.js';

export type KeychainParts = Pick<OperatorControllerOptions, 'loadToken' | 'saveToken' | 'trusted' | 'fetchRelayKeys'>;

export function keychainOperatorParts(
  keychain: CredentialStore,
  opts: { configured?: ConfiguredOperatorToken | null; trusted?: TrustedRelays } = {},
): KeychainParts {
  return {
    loadToken: (relayUrl) => loadOperatorToken(relayUrl, opts.configured ?? null, keychain),
    saveToken: (relayUrl, token) => keychain.set(operatorTokenAccount(relayUrl), token),
    trusted: opts.trusted ?? new TrustedRelays(keychain),
    fetchRelayKeys,
  };
}
