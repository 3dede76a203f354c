/**
 * The operator registry: who may join sessions. An operator is a name and an organisation plus a
 * bearer token `flxra_op_<id>_<secret>` that is handed out once; the store keeps only a salted
 * scrypt hash of it, so a leaked relay.db does not let anyone sign in.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { OperatorIdentity } from '../shared/protocol.js';
import type { RelayStore, ScryptParams } from './store/store.js';

/** Cost for new hashes: ~100 ms per verification, paid once per operator connection. */
const SCRYPT: ScryptParams = { N: 2 ** 15, r: 8, p: 1 };
const KEY_BYTES = 32;
const SALT_BYTES = 16;

/** Hex, so the id never contains the `_` that separates it from the secret. */
const TOKEN_PATTERN = /^flxra_op_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

export interface IssuedOperator {
  identity: OperatorIdentity;
  /** The only time the token exists outside the operator's hands. */
  token: string;
}

export interface ListedOperator extends OperatorIdentity {
  createdAt: string;
}

function hashToken(token: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  // scrypt needs 128·N·r bytes; node's default maxmem (32 MiB) is exactly that for N=2^15, r=8,
  // and the limit is exclusive, so allow twice the requirement.
  const maxmem = 2 * 128 * params.N * params.r * params.p;
  // The callback form runs on libuv's thread pool: verification must not stall the relay.
  return new Promise((resolve, reject) => {
    scrypt(token, salt, KEY_BYTES, { ...params, maxmem }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

export class OperatorRegistry {
  constructor(private readonly store: RelayStore) {}

  /** Registers an operator and returns its token; the token cannot be recovered later. */
  async add(input: { name: string; organisation: string }): Promise<IssuedOperator> {
    const id = randomBytes(6).toString('hex');
    const identity = OperatorIdentity.parse({ id, name: input.name.trim(), organisation: input.organisation.trim() });
    const token = `flxra_op_${id}_${randomBytes(32).toString('base64url')}`;
    const salt = randomBytes(SALT_BYTES);
    const hash = await hashToken(token, salt, SCRYPT);
    this.store.insertOperator({ ...identity, salt, hash, scrypt: SCRYPT, createdAt: new Date().toISOString() });
    return { identity, token };
  }

  list(): ListedOperator[] {
    return this.store.listOperators().map(({ id, name, organisation, createdAt }) => ({ id, name, organisation, createdAt }));
  }

  /** False when there was no such operator. Connections already authenticated stay up. */
  remove(id: string): boolean {
    return this.store.removeOperator(id);
  }

  /** The registry's identity for a valid token, or null (malformed, unknown, removed or wrong). */
  async verify(token: string): Promise<OperatorIdentity | null> {
    const match = TOKEN_PATTERN.exec(token);
    if (!match) return null;
    const record = this.store.getOperator(match[1]!);
    if (!record) return null;
    const hash = await hashToken(token, record.salt, record.scrypt);
    if (hash.length !== record.hash.length || !timingSafeEqual(hash, record.hash)) return null;
    return { id: record.id, name: record.name, organisation: record.organisation };
  }
}
