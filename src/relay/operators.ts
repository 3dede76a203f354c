/**
 * The operator registry: who may join sessions and request assistances. An operator is a name
 * and an organisation plus a bearer token `flxra_op_<id>_<secret>` that is handed out once; the
 * store keeps only its HMAC under the relay's token pepper (credentials/machine-tokens.ts), so a
 * leaked relay.db does not let anyone sign in, nor check a token offline.
 */
import { OperatorIdentity } from '../shared/protocol.js';
import { bearerTokenId, issueBearerToken, reissueBearerToken } from './bearer-token.js';
import type { MachineTokens } from './credentials/machine-tokens.js';
import type { RelayStore } from './store/store.js';

export interface IssuedOperator {
  identity: OperatorIdentity;
  /** The only time the token exists outside the operator's hands. */
  token: string;
}

export interface ListedOperator extends OperatorIdentity {
  createdAt: string;
}

export class OperatorRegistry {
  constructor(
    private readonly store: RelayStore,
    private readonly tokens: MachineTokens,
  ) {}

  /** Registers an operator and returns its token; the token cannot be recovered later. */
  async add(input: { name: string; organisation: string; environment?: string }): Promise<IssuedOperator> {
    const { id, token } = issueBearerToken('op');
    const identity = OperatorIdentity.parse({ id, name: input.name.trim(), organisation: input.organisation.trim() });
    const environment = input.environment ?? 'default';
    const stored = this.tokens.stored(token);
    this.store.insertOperator({ ...identity, environment, ...stored, createdAt: new Date().toISOString() });
    return { identity, token };
  }

  /**
   * A new token for an existing operator identity, replacing its old one (which stops working for
   * new connections); null when there is no such operator. The app signing in from the console.
   */
  reissue(id: string): IssuedOperator | null {
    const record = this.store.getOperator(id);
    if (!record) return null;
    const { token } = reissueBearerToken('op', id);
    const { tokenMac } = this.tokens.stored(token);
    if (!tokenMac || !this.store.replaceOperatorToken(id, tokenMac)) return null;
    return { identity: { id, name: record.name, organisation: record.organisation }, token };
  }

  list(): ListedOperator[] {
    return this.store
      .listOperators()
      .map(({ id, name, organisation, createdAt }) => ({ id, name, organisation, createdAt }));
  }

  /** False when there was no such operator. Its open connections are the relay's to drop (revocation.ts). */
  remove(id: string): boolean {
    return this.store.removeOperator(id);
  }

  /** The operator's environment ('default' unless set when it was added); null when there is no such operator. */
  environment(id: string): string | null {
    return this.store.getOperator(id)?.environment ?? null;
  }

  /** Whether the operator is still registered (the relay re-checks open connections with it). */
  has(id: string): boolean {
    return this.store.getOperator(id) !== null;
  }

  /**
   * The registry's identity for a valid token, or null (malformed, unknown, removed or wrong: the
   * same work for each, see MachineTokens). Rejects with CredentialCheckBusy when an old scrypt
   * row cannot be checked now.
   */
  async verify(token: string): Promise<OperatorIdentity | null> {
    const id = bearerTokenId('op', token);
    const record = id === null ? null : this.store.getOperator(id);
    const right = await this.tokens.matches(token, record, (mac) => this.store.upgradeOperatorToken(record!.id, mac));
    if (!record || !right) return null;
    return { id: record.id, name: record.name, organisation: record.organisation };
  }
}
