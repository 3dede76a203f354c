/**
 * What the relay persists, behind an interface so that the registries, the signing key and the
 * assistances do not depend on SQLite. The relay's implementation is sqlite-store.ts; the
 * assistances' table also has an asynchronous interface with a PostgreSQL implementation
 * (pg-assistances.ts), held to the same tests. The data dir holding it is the relay's secret area:
 * it contains the activation signing key. The console's records are in console-records.ts.
 */
import type { Role } from '../../shared/policy.js';
import type { AccessMode, AssistanceMode, EndReason } from '../../shared/protocol.js';
import type { AgentStore } from '../agents/agent-store.js';
import type { LifecycleState } from '../assistances/lifecycle.js';
import type { AuditLog } from '../audit/audit-log.js';
import type {
  ConsoleSessionRecord,
  ConsoleUserRecord,
  OperatorAppTokenStore,
  SecondFactorRecord,
} from './console-records.js';
import type { SaltedHash } from './salted-hash.js';

export type { SaltedHash, ScryptParams } from './salted-hash.js';

/**
 * A machine token as its registry row holds it (src/relay/credentials/machine-tokens.ts): its
 * HMAC-SHA-256 under the relay's token pepper; a row from before the pepper has a salted scrypt
 * hash instead (and no MAC) until its next successful check stores the MAC in its place.
 */
export interface StoredToken {
  tokenMac: Buffer | null;
  legacyHash: SaltedHash | null;
}

/** An operator as stored: the identity plus its token's MAC (or old hash). */
export interface OperatorRecord extends StoredToken {
  id: string;
  name: string;
  organisation: string;
  /** Its environment (tenant): tools reach only devices of the same one. */
  environment: string;
  /** ISO 8601. */
  createdAt: string;
}

/** An enrolled device as stored: its name plus its token's MAC (or old hash). */
export interface DeviceRecord extends StoredToken {
  id: string;
  name: string;
  /** ISO 8601. */
  createdAt: string;
}

/**
 * One of the relay's Ed25519 signing keys (activation files, and the key set it publishes). One
 * is active (signs); a retired one verifies what it signed until that expires and vouches for its
 * successors; a revoked one is refused at once. Times are ms since the epoch.
 */
export interface SigningKeyRecord {
  /** RFC 7638 thumbprint of the public key. */
  kid: string;
  /** The public key as a JSON JWK (kty OKP, crv Ed25519, x). */
  publicJwk: string;
  /** The private key as a JSON JWK; null once it can sign nothing any more (revoked, or past vouching). */
  privateJwk: string | null;
  /** ISO 8601. */
  createdAt: string;
  /** When a newer key replaced it for signing; null while it is the active key. */
  retiredAt: number | null;
  /** When it was revoked; null unless it was. */
  revokedAt: number | null;
}

/** What a revocation did. */
export type RevokeResult = 'revoked' | 'already-revoked' | 'unknown';

/**
 * An assistance: what the relay must still know after a restart (the file's nonce once used,
 * the password failures and lock, the resume token) until its file has expired and it is over.
 * Times are ms on the relay's clock.
 */
export interface AssistanceRecord {
  sessionId: string;
  deviceId: string;
  /** The operator it was issued to, the only one who may open or resume it. */
  operatorId: string;
  mode: AssistanceMode;
  nonce: string;
  /** Unattended only. */
  password: SaltedHash | null;
  createdAt: number;
  /** The activation file's exp. */
  activationExpiresAt: number;
  /** When it expires unless an operator is admitted by then; null while one is. */
  expiresAt: number | null;
  /** The first admission, which consumes the file. */
  nonceUsedAt: number | null;
  /** SHA-256 of the resume token; null before the first admission and once revoked. */
  resumeHash: Buffer | null;
  failures: number;
  lastFailureAt: number | null;
  lockedAt: number | null;
  /** Over for good (expired, superseded, its device gone). */
  endedAt: number | null;
  /** Why it ended, as both sides were told; null while it runs. */
  endReason: EndReason | null;
  /** SHA-256 of the token its host reconnects with after a dropped connection; null before the host is in. */
  hostResumeHash: Buffer | null;
  /** While its host is away (connection dropped): when the grace period ends; null while the host is in. */
  hostAwayUntil: number | null;
  /** The device as its host was named when it came in; null before. */
  deviceName: string | null;
  /** What the user allowed the admitted operator (control or view); null before the first admission. */
  accessMode: AccessMode | null;
  /** Where its life stands, as its one owner (assistances/lifecycles.ts) last wrote it. */
  lifecycle: LifecycleState;
}

/** What the first admission writes (claimActivation). */
export interface ActivationClaim {
  at: number;
  resumeHash: Buffer;
  accessMode: AccessMode;
}

/** An assistance's end as endAssistance writes it: when, why, and the lifecycle state it ends in. */
export interface AssistanceEnd {
  at: number;
  reason: EndReason;
  lifecycle: LifecycleState;
}

/** The one counter after a wrong password: how many, and whether it is now locked. */
export interface PasswordFailure {
  failures: number;
  locked: boolean;
}

/** The fields of an assistance that change over its life. */
export type AssistanceChanges = Partial<
  Pick<
    AssistanceRecord,
    | 'expiresAt'
    | 'nonceUsedAt'
    | 'resumeHash'
    | 'failures'
    | 'lastFailureAt'
    | 'lockedAt'
    | 'endedAt'
    | 'endReason'
    | 'hostResumeHash'
    | 'hostAwayUntil'
    | 'deviceName'
    | 'accessMode'
    | 'lifecycle'
  >
>;

export type * from './console-records.js';

export interface RelayStore extends OperatorAppTokenStore {
  insertOperator(record: OperatorRecord): void;
  getOperator(id: string): OperatorRecord | null;
  /** Oldest first. */
  listOperators(): OperatorRecord[];
  /** False when there was no such operator. Its app tokens go with it. */
  removeOperator(id: string): boolean;
  /** An old row's token checked right: its MAC replaces the scrypt hash. */
  upgradeOperatorToken(id: string, tokenMac: Buffer): void;

  insertDevice(record: DeviceRecord): void;
  getDevice(id: string): DeviceRecord | null;
  /** Oldest first. */
  listDevices(): DeviceRecord[];
  /** False when there was no such device. */
  removeDevice(id: string): boolean;
  /** An old row's token checked right: its MAC replaces the scrypt hash. */
  upgradeDeviceToken(id: string, tokenMac: Buffer): void;
  /** A device enrolled again: its new token's MAC replaces whatever it held. False when there is no such device. */
  replaceDeviceToken(id: string, tokenMac: Buffer): boolean;
  /** The name the relay shows of the device (an administrator's rename). False when there is no such device. */
  renameDevice(id: string, name: string): boolean;

  /** The token pepper's fingerprint (src/relay/credentials/pepper.ts); null before the first start. */
  getTokenPepperFingerprint(): Buffer | null;
  /** Stores it unless one is stored already; returns the one kept. */
  addFirstTokenPepperFingerprint(fingerprint: Buffer): Buffer;

  /** Every signing key, oldest first. */
  listSigningKeys(): SigningKeyRecord[];
  /** The key that signs now: the newest neither retired nor revoked; null on a new store. */
  activeSigningKey(): SigningKeyRecord | null;
  /**
   * Stores the key unless an active one exists already (a relay and the CLI may race); returns the
   * active one kept.
   */
  addFirstSigningKey(record: SigningKeyRecord): SigningKeyRecord;
  /** In one transaction: the active key retired at `at`, `next` the active one. */
  rotateSigningKey(next: SigningKeyRecord, at: number): void;
  /**
   * In one transaction: the key revoked at `at` and its private half forgotten; when it was the
   * active key, `replacement` becomes the active one.
   */
  revokeSigningKey(kid: string, at: number, replacement: SigningKeyRecord): RevokeResult;
  /** Forgets the private half of keys retired before `before` (they sign nothing any more); how many. */
  forgetRetiredPrivateKeys(before: number): number;

  insertAssistance(record: AssistanceRecord): void;
  getAssistance(sessionId: string): AssistanceRecord | null;
  updateAssistance(sessionId: string, changes: AssistanceChanges): void;
  /**
   * The first admission consumes the activation file (and an unattended one's password): true
   * for exactly one caller, in one conditional statement, however many relays race.
   */
  claimActivation(sessionId: string, nonce: string, claim: ActivationClaim): boolean;
  /** One wrong password counted in one statement (and the lock at the limit); null when it was not open to attempts. */
  recordPasswordFailure(sessionId: string, nonce: string, at: number, maxFailures: number): PasswordFailure | null;
  /** Over for good, in one conditional statement: true for exactly one caller. */
  endAssistance(sessionId: string, end: AssistanceEnd): boolean;
  /** Session IDs of assistances not over whose expiresAt is at or before `now`. */
  dueAssistances(now: number): string[];
  /** Running assistances whose host has been away past its grace period at `now`. */
  hostsAwayTooLong(now: number): string[];
  /** Assistances not over yet (at startup: what a restart must carry on); of several nodes, this node's own. */
  runningAssistances(): AssistanceRecord[];
  /** The newest `limit` assistances it still holds, running or over (until purged), newest first. */
  recentAssistances(limit: number): AssistanceRecord[];
  /**
   * The relay says it is running at `at` (the sweep does, every few seconds), so that how long it
   * was down is known after a crash.
   */
  markAlive(at: number): void;
  /** When the relay last said it was running; null on a new store. */
  lastAlive(): number | null;
  /** One of several nodes says it is running at `at` (its own heartbeat row); nothing for one relay. */
  markNodeAlive(at: number): void;
  /** The node that owns a running assistance and when that node last said it was running (null: never). */
  assistanceOwner(sessionId: string): { node: string | null; aliveAt: number | null } | null;
  /**
   * This node takes over a running assistance from `from`, its owner, if that owner's heartbeat
   * is older than `staleBefore` (or it has none): one conditional statement, so that of nodes
   * racing for it exactly one wins (true).
   */
  takeOverAssistance(sessionId: string, from: string | null, staleBefore: number): boolean;
  /** Running assistances of other nodes silent since before `staleBefore` (or never heard of): to take over. */
  orphanedAssistances(staleBefore: number): string[];
  /** Forgets assistances that are over and whose file has expired: nothing can present them any more. */
  purgeAssistances(now: number): number;

  /**
   * False when it was not stored because `onlyIfNoAdmin` was asked and an admin exists. A
   * username taken already throws.
   */
  insertConsoleUser(record: ConsoleUserRecord, opts?: { onlyIfNoAdmin?: boolean }): boolean;
  getConsoleUser(username: string): ConsoleUserRecord | null;
  /** Oldest first. */
  listConsoleUsers(): ConsoleUserRecord[];
  countConsoleAdmins(): number;
  /**
   * False when there was no such user, or when it is the only admin: the check and the delete are
   * one statement, so two removals racing cannot leave the relay without an admin. The user's
   * console sessions and second factor are removed in the same transaction.
   */
  removeConsoleUser(username: string): boolean;
  /**
   * False when there was no such user, or when the change would demote the only admin (checked in
   * the same statement).
   */
  setConsoleUserRole(username: string, role: Role): boolean;
  /** A new password hash, temporary (to be changed at the next sign-in) or not; false when no such user. */
  setConsoleUserPassword(username: string, hash: SaltedHash, mustChange: boolean): boolean;

  insertConsoleSession(record: ConsoleSessionRecord): void;
  getConsoleSession(idHash: Buffer): ConsoleSessionRecord | null;
  /** Records a use of the session (its idle time starts again). */
  touchConsoleSession(idHash: Buffer, lastSeen: number): void;
  /** A session from before the pepper, found by its SHA-256: keyed by its MAC from now on. */
  rekeyConsoleSession(from: Buffer, to: Buffer): void;
  /** Ends one session (sign-out); false when there was none. */
  removeConsoleSession(idHash: Buffer): boolean;
  /** Ends every session of the user but the one `except` names (by its idHash); how many there were. */
  removeConsoleSessionsOf(username: string, except?: Buffer): number;
  /** Forgets the sessions last used before `lastSeenBefore` or made before `createdBefore`; how many. */
  purgeConsoleSessions(cutoffs: { lastSeenBefore: number; createdBefore: number }): number;

  getSecondFactor(username: string): SecondFactorRecord | null;
  /** Usernames whose second factor is on. */
  secondFactorUsers(): string[];
  /** Keeps `sealed` as the user's pending secret (replacing an earlier one); the one in use stays. */
  setPendingSecondFactor(username: string, sealed: Buffer): void;
  /**
   * The pending secret, if it is still `sealed`, becomes the one in use, with `step` spent; false
   * when it was replaced or removed meanwhile.
   */
  enableSecondFactor(username: string, sealed: Buffer, step: number): boolean;
  /** Spends `step`: false when it, or a later one, was spent already (a replayed code). */
  spendSecondFactorStep(username: string, step: number): boolean;
  /** Turns the user's second factor off (and forgets a pending one); false when there was none. */
  removeSecondFactor(username: string): boolean;
  /** Null while they were never set. */
  getConsoleSettings(): { requireSecondFactor: boolean } | null;
  putConsoleSettings(settings: { requireSecondFactor: boolean }): void;

  /** The policy settings as JSON (console-api's PolicySettings), or null while they were never set. */
  getPolicySettings(): string | null;
  putPolicySettings(settings: string): void;

  /** The append-only audit trail. */
  readonly audit: AuditLog;

  /** Device agents: enrolment tokens and the devices they report. */
  readonly agents: AgentStore;

  /** Roles beyond admin and operator, and who has which (sqlite-roles.ts). */
  readonly roles: RoleStore;

  /**
   * Changes whenever another connection to the database (the relay command run beside a running
   * relay: `relay device remove`) committed something since it was last asked: SQLite's data_version.
   */
  externalChanges(): number;

  close(): void;
}

/** A role an administrator defined (admin and operator are built in, never stored). */
export interface RoleRecord {
  name: string;
  description: string;
  createdAt: string;
}
export type RoleSubject = 'console-user' | 'operator';

export interface RoleStore {
  list(): RoleRecord[];
  get(name: string): RoleRecord | null;
  /** False when a role of that name exists. */
  insert(record: RoleRecord): boolean;
  /** Removes a role nobody holds. */
  remove(name: string): 'removed' | 'assigned' | 'missing';
  /** The role assigned to a console user (username) or an operator identity (id); null: none assigned. */
  assignment(kind: RoleSubject, id: string): string | null;
  assign(kind: RoleSubject, id: string, role: string): void;
  unassign(kind: RoleSubject, id: string): void;
  assignments(): Array<{ kind: RoleSubject; id: string; role: string }>;
}

/** The store's signing keys, as the activation keys (activation/keys.ts) use them. */
export type SigningKeyStore = Pick<
  RelayStore,
  | 'listSigningKeys'
  | 'activeSigningKey'
  | 'addFirstSigningKey'
  | 'rotateSigningKey'
  | 'revokeSigningKey'
  | 'forgetRetiredPrivateKeys'
>;
