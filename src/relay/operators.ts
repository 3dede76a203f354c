/**
 * The operator registry: who may join sessions and request assistances. An operator is a name
 * and an organisation plus a bearer token `flxra_op_<id>_<secret>` that is handed out once; the
 * store keeps only its HMAC under the relay's token pepper (credentials/machine-tokens.ts), so a
 * leaked relay.db does not let anyone sign in, nor check a token offline. Each app signed in from
 * the console gets a token of its own for the identity (an app token: same form, its own id, its
 * own row), so that apps sharing an identity never sign each other out; each is revocable, and
 * removing the identity ends them all.
 */
import { OperatorIdentity } from '../shared/protocol.js';
import { bearerTokenId, issueBearerToken } from './bearer-token.js';
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

/** An app token of an identity, as listed (never its secret). */
export interface ListedAppToken {
  id: string;
  createdAt: string;
}

/** A verified operator token: the identity, and the app token it was when it was one. */
export interface VerifiedOperator {
  identity: OperatorIdentity;
  appToken?: string;
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
   * A new app token for an existing operator identity (an app signing in from the console), beside
   * its other tokens, which keep working; null when there is no such operator.
   */
  issueAppToken(operatorId: string): IssuedOperator | null {
    const record = this.store.getOperator(operatorId);
    if (!record) return null;
    const { id, token } = issueBearerToken('op');
    const { tokenMac } = this.tokens.stored(token);
    if (!tokenMac || this.store.getOperator(id)) return null; // an id an operator has: never shared
    this.store.insertOperatorAppToken({ id, operatorId, tokenMac, createdAt: new Date().toISOString() });
    return { identity: { id: operatorId, name: record.name, organisation: record.organisation }, token };
  }

  appTokens(operatorId: string): ListedAppToken[] {
    return this.store.listOperatorAppTokens(operatorId).map(({ id, createdAt }) => ({ id, createdAt }));
  }

  /** Ends one app token (false: none such); its open connections are the relay's to drop (revocation.ts). */
  revokeAppToken(id: string): boolean {
    return this.store.removeOperatorAppToken(id);
  }

  /** Whether an app token is still there (the relay re-checks open connections with it). */
  hasAppToken(id: string): boolean {
    return this.store.getOperatorAppToken(id) !== null;
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
    return (await this.verifyToken(token))?.identity ?? null;
  }

  /** As verify, saying which app token it was when it was one (a connection may be ended by it alone). */
  async verifyToken(token: string): Promise<VerifiedOperator | null> {
    const id = bearerTokenId('op', token);
    const record = id === null ? null : this.store.getOperator(id);
    const app = id === null || record ? null : this.store.getOperatorAppToken(id);
    const owner = app ? this.store.getOperator(app.operatorId) : record;
    const stored = app ? { tokenMac: app.tokenMac, legacyHash: null } : record;
    const right = await this.tokens.matches(token, stored, (mac) => this.store.upgradeOperatorToken(record!.id, mac));
    if (!owner || !right) return null;
    const identity = { id: owner.id, name: owner.name, organisation: owner.organisation };
    return app ? { identity, appToken: app.id } : { identity };
  }
}
