/**
 * The operator registry: who may join sessions and request assistances. An operator is a name
 * and an organisation plus a bearer token `flxra_op_<id>_<secret>` that is handed out once; the
 * store keeps only a salted scrypt hash of it, so a leaked relay.db does not let anyone sign in.
 */
import { OperatorIdentity } from '../shared/protocol.js';
import { bearerTokenId, issueBearerToken } from './bearer-token.js';
import { DEFAULT_SCRYPT, hashSecret, verifySecret } from './secret-hash.js';
import type { RelayStore, ScryptParams } from './store/store.js';

export interface IssuedOperator {
  identity: OperatorIdentity;
  /** The only time the token exists outside the operator's hands. */
  token: string;
}

export interface ListedOperator extends OperatorIdentity {
  createdAt: string;
}

export class OperatorRegistry {
  /** `scrypt`: the cost of new token hashes (only tests lower it). */
  constructor(
    private readonly store: RelayStore,
    private readonly scrypt: ScryptParams = DEFAULT_SCRYPT,
  ) {}

  /** Registers an operator and returns its token; the token cannot be recovered later. */
  async add(input: { name: string; organisation: string }): Promise<IssuedOperator> {
    const { id, token } = issueBearerToken('op');
    const identity = OperatorIdentity.parse({ id, name: input.name.trim(), organisation: input.organisation.trim() });
    const hashed = await hashSecret(token, this.scrypt);
    this.store.insertOperator({ ...identity, ...hashed, createdAt: new Date().toISOString() });
    return { identity, token };
  }

  list(): ListedOperator[] {
    return this.store
      .listOperators()
      .map(({ id, name, organisation, createdAt }) => ({ id, name, organisation, createdAt }));
  }

  /** False when there was no such operator. Connections already authenticated stay up. */
  remove(id: string): boolean {
    return this.store.removeOperator(id);
  }

  /** The registry's identity for a valid token, or null (malformed, unknown, removed or wrong). */
  async verify(token: string): Promise<OperatorIdentity | null> {
    const id = bearerTokenId('op', token);
    const record = id === null ? null : this.store.getOperator(id);
    if (!record || !(await verifySecret(token, record))) return null;
    return { id: record.id, name: record.name, organisation: record.organisation };
  }
}
