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
 * as LocalSystem and Credential Manager (DPAPI, under the SYSTEM account; reached through koffi,
 * src/platform/credentials/windows-credential-manager.ts) is its keychain; the file store is
 * POSIX only and refuses there, so on Windows the keychain is the agent's only store (a lookup
 * or a re-enrolment's clean-up never reaches the file store's refusal).
 */
import { CredentialStoreUnavailable, type CredentialStore } from '../platform/credentials/credential-store.js';
import { systemCredentialStore } from '../platform/credentials/system-credential-store.js';
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
  platform?: NodeJS.Platform;
}

/** The agent's credential store, chosen before anything else is done (an enrolment must not be wasted). */
export async function openAgentCredentials(deps: AgentCredentialDeps): Promise<AgentCredentials> {
  const platform = deps.platform ?? process.platform;
  const keychain = deps.keychain ?? systemCredentialStore(AGENT_KEYCHAIN_SERVICE, platform);
  const unavailable = await unanswered(keychain);
  // Windows has no credential file to fall back on or to move from (the file store refuses there).
  if (platform === 'win32') {
    if (unavailable) throw new CredentialStoreUnavailable(`${NO_KEYCHAIN_ON_WINDOWS} (${unavailable.message})`);
    return {
      get: (account) => keychain.get(account),
      set: (account, secret) => keychain.set(account, secret),
      delete: (account) => keychain.delete(account),
      lookedIn: 'Windows Credential Manager',
    };
  }
  const file = deps.file ?? ownerOnlyFileStore(deps.stateDir);
  if (unavailable === null) return keychainFirst(keychain, file, deps.log);
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

/** Said on Windows, where Credential Manager is always there for a service: koffi, which reaches it, is broken. */
export const NO_KEYCHAIN_ON_WINDOWS =
  'The agent cannot reach Windows Credential Manager, where it keeps its credential; reinstall the agent and try again.';

/** Why the keychain cannot be used, or null when it answers. */
async function unanswered(keychain: CredentialStore): Promise<CredentialStoreUnavailable | null> {
  try {
    await keychain.get('availability-check');
    return null;
  } catch (err) {
    if (err instanceof CredentialStoreUnavailable) return err;
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
