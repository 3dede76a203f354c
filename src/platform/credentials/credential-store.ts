/**
 * Operator secrets on the operator's machine live in the OS keychain (keytar: Windows
 * Credential Manager, macOS Keychain, the Secret Service on Linux), never in a file.
 */

export interface CredentialStore {
  get(account: string): Promise<string | null>;
  set(account: string, secret: string): Promise<void>;
  delete(account: string): Promise<boolean>;
}

export class CredentialStoreUnavailable extends Error {}

/** keytar is loaded lazily: without a keychain the app still starts and says why. */
export function keytarCredentialStore(service = 'flxra'): CredentialStore {
  const load = async () => {
    try {
      const mod = await import('keytar');
      return mod.default ?? mod;
    } catch (err) {
      throw new CredentialStoreUnavailable(`The system keychain cannot be loaded: ${(err as Error).message}`);
    }
  };
  const guard = async <T>(op: () => Promise<T>): Promise<T> => {
    try {
      return await op();
    } catch (err) {
      const message = (err as Error).message ?? String(err);
      if (/D-Bus|dbus|secret/i.test(message)) {
        throw new CredentialStoreUnavailable(
          'No keychain (Secret Service) is running in this desktop session, so flxra cannot keep your operator token safely. Start one (for example gnome-keyring) and try again.',
        );
      }
      throw err;
    }
  };
  return {
    get: async (account) => guard(async () => (await load()).getPassword(service, account)),
    set: async (account, secret) => guard(async () => (await load()).setPassword(service, account, secret)),
    delete: async (account) => guard(async () => (await load()).deletePassword(service, account)),
  };
}

/** The keychain account an operator token is kept under: one per relay origin (scheme, host, port). */
export function operatorTokenAccount(relayUrl: string): string {
  return `operator-token@${new URL(relayUrl).origin}`;
}

/** The environment variable a scripted set-up puts the operator's token in. */
export const OPERATOR_TOKEN_ENV = 'FLXRA_OPERATOR_TOKEN';

/**
 * A token configured for one relay outside the keychain (FLXRA_OPERATOR_TOKEN): it belongs to the
 * relay the app was configured with (--relay, FLXRA_RELAY_URL), and to no other.
 */
export interface ConfiguredOperatorToken {
  /** The origin of the relay it belongs to. */
  relay: string;
  token: string;
}

/**
 * FLXRA_OPERATOR_TOKEN, bound to the configured relay's origin and taken out of `env`, so that
 * nothing this app starts inherits it; null when it is not set.
 */
export function takeConfiguredOperatorToken(
  env: Record<string, string | undefined>,
  relayUrl: string,
): ConfiguredOperatorToken | null {
  const token = env[OPERATOR_TOKEN_ENV];
  delete env[OPERATOR_TOKEN_ENV];
  return token ? { relay: new URL(relayUrl).origin, token } : null;
}

/** What the operator is told when a relay has no token of its own on this machine. */
export function signInToRelayMessage(relayUrl: string): string {
  const origin = new URL(relayUrl).origin;
  return `You are not signed in to the relay at ${origin}. Paste the operator token its administrator gave you; flxra never sends another relay's token to it.`;
}

/**
 * The operator's token for one relay, looked up by that relay's origin only: the configured token
 * when it belongs to this origin, else the keychain's entry for it. A token kept for another
 * relay is never an answer, whichever relay an activation file names. Never throws: without a
 * token the reason is what the operator window shows.
 */
export async function loadOperatorToken(
  relayUrl: string,
  configured: ConfiguredOperatorToken | null,
  store: CredentialStore,
): Promise<{ token: string | null; reason: string }> {
  const origin = new URL(relayUrl).origin;
  if (configured && configured.relay === origin) return { token: configured.token, reason: '' };
  try {
    const token = await store.get(operatorTokenAccount(origin));
    return token ? { token, reason: '' } : { token: null, reason: signInToRelayMessage(origin) };
  } catch (err) {
    return { token: null, reason: (err as Error).message };
  }
}
