/**
 * The agent's credential (its agent token) in the OS keychain, through the same keytar store the
 * operator app uses, under a service of its own. One entry per device and relay, so that agents
 * of several relays (or a re-enrolled one) never read each other's token.
 */
import {
  CredentialStoreUnavailable,
  keytarCredentialStore,
  type CredentialStore,
} from '../platform/credentials/credential-store.js';
import type { AgentState } from './state.js';

export const AGENT_KEYCHAIN_SERVICE = 'flxra-agent';

export function agentTokenAccount(state: Pick<AgentState, 'deviceId' | 'relayUrl'>): string {
  return `agent-token:${state.deviceId}@${new URL(state.relayUrl).origin}`;
}

/** Said to whoever runs the agent when there is no keychain: it refuses to keep its secret in a file. */
export const NO_KEYCHAIN_MESSAGE =
  'No keychain (Secret Service) is available to the agent, so it cannot keep its credential safely, and it will not write it to a file. ' +
  "Run the agent where one is available (for example gnome-keyring in the agent's D-Bus session) and try again.";

/** The agent's keychain, checked to answer before anything else is done (an enrolment must not be wasted). */
export async function openAgentKeychain(): Promise<CredentialStore> {
  const store = keytarCredentialStore(AGENT_KEYCHAIN_SERVICE);
  try {
    await store.get('availability-check');
  } catch (err) {
    if (err instanceof CredentialStoreUnavailable) throw new CredentialStoreUnavailable(NO_KEYCHAIN_MESSAGE);
    throw err;
  }
  return store;
}
