/**
 * What the store keeps for the console: its users (salted password hashes, never passwords), their
 * sessions, second factors and the operator app's sign-in tokens. Apart from store.ts, which
 * re-exports these beside the relay's other records and the store's interface.
 */
import type { Role } from '../../shared/policy.js';
import type { SaltedHash } from './salted-hash.js';

/** Someone who signs in to the console: a salted hash of the password, never the password. */
export interface ConsoleUserRecord extends SaltedHash {
  /** Lower case; unique. */
  username: string;
  name: string;
  role: Role;
  /** The operator identity (operator registry) assistances requested from the console are issued to. */
  operatorId: string;
  /** ISO 8601. */
  createdAt: string;
  /** The password is a temporary one an administrator set: the user must change it before anything else. */
  mustChangePassword: boolean;
}

/**
 * A signed-in console session as stored: only the MAC of its id (the cookie's value) under the
 * relay's token pepper (sessions from before it: the SHA-256), never the id, so that a copy of
 * the database signs no one in. Times are ms on the relay's clock.
 */
export interface ConsoleSessionRecord {
  idHash: Buffer;
  /** Lower case, as in ConsoleUserRecord. */
  username: string;
  createdAt: number;
  lastSeen: number;
}

/** A console user's TOTP second factor; the secrets are sealed (console/secret-box.ts), never plain. */
export interface SecondFactorRecord {
  /** Lower case, as in ConsoleUserRecord. */
  username: string;
  /** The second factor in use; null while there is none. */
  secret: Buffer | null;
  /** A new secret waiting for its first code; null when none. */
  pending: Buffer | null;
  /** The last TOTP time step whose code was accepted: only later ones are. */
  lastStep: number | null;
}

/** One app signed in from the console for an operator identity: its own token, kept as its MAC. */
export interface OperatorAppTokenRecord {
  /** The id its token names (`flxra_op_<id>_…`), never an operator's id. */
  id: string;
  operatorId: string;
  tokenMac: Buffer;
  createdAt: string;
}

export interface OperatorAppTokenStore {
  insertOperatorAppToken(record: OperatorAppTokenRecord): void;
  getOperatorAppToken(id: string): OperatorAppTokenRecord | null;
  /** An identity's app tokens, oldest first. */
  listOperatorAppTokens(operatorId: string): OperatorAppTokenRecord[];
  /** False when there was no such token. */
  removeOperatorAppToken(id: string): boolean;
}
