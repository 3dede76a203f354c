/**
 * Where the agent keeps its credential (its agent token): the OS keychain when there is one,
 * through the same keytar store the operator app uses, under a service of its own; on a machine
 * with none (a server with no Secret Service or D-Bus session), an owner-only file in the agent's
 * state folder (src/platform/credentials/owner-only-file-store.ts), which the log says once per
 * start. One entry per device and relay, so that agents of several relays (or a re-enrolled one)
 * never read each other's token.
 *
 * The keychain stays the first choice: an agent that enrolled without one and finds one later
 * moves its credential into it (and out of the file); an agent that enrolled with one and no
 * longer reaches it is told so, not that it is not enrolled. On Windows the agent service runs
 * as LocalSystem and keytar's Credential Manager (DPAPI, under the SYSTEM account) is its
 * keychain; the file store is POSIX only and refuses there.
 */
import {
  CredentialStoreUnavailable,
  keytarCredentialStore,
  type CredentialStore,
} from '../platform/credentials/credential-store.js';
import { ownerOnlyFileStore } from '../platform/credentials/owner-only-file-store.js';
import type { AgentState } from './state.js';

export const AGENT_KEYCHAIN_SERVICE = 'flxra-agent';

export function agentTokenAccount(state: Pick<AgentState, 'deviceId' | 'relayUrl'>): string {
  return `agent-token:${state.deviceId}@${new URL(state.relayUrl).origin}`;
}

/** The agent's credential store, and where it looks, in words, for when the credential is not there. */
export interface AgentCredentials extends CredentialStore {
  readonly lookedIn: string;
}

export interface AgentCredentialDeps {
  stateDir: string;
  log: (line: string) => void;
  keychain?: CredentialStore;
  file?: CredentialStore & { file: string };
}

/** The agent's credential store, chosen before anything else is done (an enrolment must not be wasted). */
export async function openAgentCredentials(deps: AgentCredentialDeps): Promise<AgentCredentials> {
  const keychain = deps.keychain ?? keytarCredentialStore(AGENT_KEYCHAIN_SERVICE);
  const file = deps.file ?? ownerOnlyFileStore(deps.stateDir);
  if (await answers(keychain)) return keychainFirst(keychain, file, deps.log);
  if (process.platform === 'win32') throw new CredentialStoreUnavailable(NO_KEYCHAIN_ON_WINDOWS);
  deps.log(
    `no keychain (Secret Service) is available: the agent keeps its credential in ${file.file}, readable by its user only`,
  );
  return {
    get: (account) => file.get(account),
    set: (account, secret) => file.set(account, secret),
    delete: (account) => file.delete(account),
    lookedIn: `${file.file}, and no keychain is available to the agent now (if the device enrolled where one was, its credential is there: run the agent where that keychain is)`,
  };
}

/** Said on Windows, where Credential Manager is always there for a service: keytar itself is missing or broken. */
export const NO_KEYCHAIN_ON_WINDOWS =
  'The agent cannot reach Windows Credential Manager (keytar), where it keeps its credential; reinstall the agent and try again.';

async function answers(keychain: CredentialStore): Promise<boolean> {
  try {
    await keychain.get('availability-check');
    return true;
  } catch (err) {
    if (err instanceof CredentialStoreUnavailable) return false;
    throw err;
  }
}

function keychainFirst(
  keychain: CredentialStore,
  file: CredentialStore & { file: string },
  log: (line: string) => void,
): AgentCredentials {
  return {
    async get(account) {
      const kept = await keychain.get(account);
      if (kept !== null) return kept;
      // Enrolled while there was no keychain: the credential moves into it, and out of the file.
      const filed = await file.get(account);
      if (filed === null) return null;
      await keychain.set(account, filed);
      await file.delete(account);
      log(`the keychain is available now: the credential moved into it from ${file.file}`);
      return filed;
    },
    set: (account, secret) => keychain.set(account, secret),
    async delete(account) {
      const fromKeychain = await keychain.delete(account);
      const fromFile = await file.delete(account);
      return fromKeychain || fromFile;
    },
    lookedIn: `the keychain, nor in ${file.file}`,
  };
}
