/**
 * The check of operator and device (agent) bearer tokens against their registry rows: one HMAC
 * under the relay's pepper (token-mac.ts) and one constant-time comparison, with the row's MAC or,
 * for an unknown id, a dummy, so a reconnect storm of ten thousand agents costs milliseconds and an
 * unknown id is refused exactly like a known one with a wrong secret.
 *
 * Rows from before the pepper hold a salted scrypt hash instead. Those are migrated lazily: the
 * next check of such a row runs scrypt through the ScryptGate (one at a time, bounded queue) and,
 * when the token is right, replaces the hash with its HMAC, so each old token pays scrypt once.
 */
import type { StoredToken } from '../store/store.js';
import { ScryptGate, type ScryptGateCounts } from './scrypt-gate.js';
import type { TokenMac, TokenMacCounts } from './token-mac.js';

export interface CredentialCheckStats extends TokenMacCounts {
  /** The checks of rows still stored as scrypt hashes. */
  legacyScrypt: ScryptGateCounts;
}

export class MachineTokens {
  constructor(
    readonly mac: TokenMac,
    private readonly legacy: ScryptGate = new ScryptGate(),
  ) {}

  /** What a registry row stores for a new token. */
  stored(token: string): StoredToken {
    return { tokenMac: this.mac.of(token), legacyHash: null };
  }

  /**
   * Whether `token` is the one `record` holds (null: no such id, compared with the dummy all the
   * same). A right token on an old scrypt row is stored again as its MAC through `upgrade`.
   */
  async matches(token: string, record: StoredToken | null, upgrade: (tokenMac: Buffer) => void): Promise<boolean> {
    const mac = this.mac.of(token);
    if (record?.tokenMac === null && record.legacyHash !== null) {
      const right = await this.legacy.verify(token, record.legacyHash);
      if (right) upgrade(mac);
      return right;
    }
    return this.mac.equal(mac, record?.tokenMac ?? null);
  }

  stats(): CredentialCheckStats {
    return { ...this.mac.stats(), legacyScrypt: this.legacy.stats() };
  }
}
