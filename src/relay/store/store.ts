/**
 * What the relay persists, behind an interface so that the registry (and later the nonce,
 * lockout and audit features) do not depend on SQLite. One implementation: sqlite-store.ts.
 */

/** scrypt cost parameters, stored with each hash so they can be raised without breaking old tokens. */
export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/** An operator as stored: the identity plus the salted hash of its token (never the token). */
export interface OperatorRecord {
  id: string;
  name: string;
  organisation: string;
  salt: Buffer;
  hash: Buffer;
  scrypt: ScryptParams;
  /** ISO 8601. */
  createdAt: string;
}

export interface RelayStore {
  insertOperator(record: OperatorRecord): void;
  getOperator(id: string): OperatorRecord | null;
  /** Oldest first. */
  listOperators(): OperatorRecord[];
  /** False when there was no such operator. */
  removeOperator(id: string): boolean;
  close(): void;
}
