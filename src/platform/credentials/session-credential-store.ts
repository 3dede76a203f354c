/**
 * A credential store that keeps what it is given for this process only: the operator's portable
 * .exe (src/main/portable/portable-start.ts) must leave nothing behind on a computer it merely
 * visits, not even after a crash, so it never writes to the OS keychain at all. What it is told to
 * keep (an operator token, the relays' keys the operator trusted, a proxy password) lives in this
 * process's memory until it exits; what it did not write is read from the keychain underneath
 * (a proxy password or a trusted key the user already has there), which is never changed.
 */
import type { CredentialStore } from './credential-store.js';

export function sessionCredentialStore(underneath?: CredentialStore): CredentialStore {
  /** This session's own entries; null: deleted in this session (the keychain's is not read again). */
  const own = new Map<string, string | null>();
  return {
    async get(account) {
      if (own.has(account)) return own.get(account) ?? null;
      return underneath ? underneath.get(account) : null;
    },
    async set(account, secret) {
      own.set(account, secret);
    },
    async delete(account) {
      const had = (await this.get(account)) !== null;
      own.set(account, null);
      return had;
    },
  };
}
