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

/** The keychain account an operator token is kept under: one per relay. */
export function operatorTokenAccount(relayUrl: string): string {
  return `operator-token@${new URL(relayUrl).origin}`;
}

/**
 * The operator's token for a relay: FLXRA_OPERATOR_TOKEN (for scripted set-ups), else the
 * keychain. Never throws: without a token the reason is what the operator window shows.
 */
export async function loadOperatorToken(
  relayUrl: string,
  env: NodeJS.ProcessEnv,
  store: CredentialStore,
): Promise<{ token: string | null; reason: string }> {
  if (env.FLXRA_OPERATOR_TOKEN) return { token: env.FLXRA_OPERATOR_TOKEN, reason: '' };
  try {
    const token = await store.get(operatorTokenAccount(relayUrl));
    return token
      ? { token, reason: '' }
      : {
          token: null,
          reason: `No operator token is saved for ${new URL(relayUrl).origin}. Ask your relay administrator for one.`,
        };
  } catch (err) {
    return { token: null, reason: (err as Error).message };
  }
}
