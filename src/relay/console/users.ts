/**
 * Console users: who may sign in to the console, with which role, acting as which operator
 * identity of the operator registry (so that the audit trail and the activation files name the
 * same operator whether an assistance was requested from the console or from the app). There is
 * no default user and no default password: the first admin comes from the one-time setup link.
 * Every password set here is judged first (password-check.ts: length, and not easy to guess with
 * the account's own words); passwords are kept only as salted scrypt hashes. A password an
 * administrator reset is temporary: the user must change it at the next sign-in.
 */
import { randomInt } from 'node:crypto';
import type { ConsoleUser } from '../../shared/console-api.js';
import { Name } from '../../shared/names.js';
import type { Role } from '../../shared/policy.js';
import type { OperatorIdentity } from '../../shared/protocol.js';
import type { OperatorRegistry } from '../operators.js';
import { hashSecret, verifySecret } from '../secret-hash.js';
import type { PasswordCheck, PasswordVerdict } from './password-check.js';
import type { ConsoleUserRecord, RelayStore, SaltedHash, ScryptParams } from '../store/store.js';

export interface NewUser {
  username: string;
  name: string;
  role: Role;
  password: string;
}

export type CreateUserResult =
  | {
      ok: true;
      user: ConsoleUser;
      /** Set when a new operator identity was made: its app token, shown once. */ operatorToken?: string;
    }
  | { ok: false; code: 'username-taken' | 'unknown-operator' | 'weak-password'; message: string };

export type FirstAdminResult =
  | { ok: true; user: ConsoleUser; operatorToken: string }
  | { ok: false; code: 'setup-done' | 'weak-password'; message: string };

/** A new password stored, or why not. */
export type SetPasswordResult =
  { ok: true; user: ConsoleUser } | { ok: false; code: 'no-such-user' | 'weak-password'; message: string };

const SETUP_DONE = {
  ok: false,
  code: 'setup-done',
  message: 'the first administrator exists already: sign in instead',
} as const;

/** Letters and digits nobody mistakes for one another (no 0/o, 1/l/i). */
const TEMPORARY_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/** A temporary password the relay makes: 16 random characters in groups of four, about 79 bits. */
export function temporaryPassword(): string {
  const groups = Array.from({ length: 4 }, () =>
    Array.from({ length: 4 }, () => TEMPORARY_ALPHABET[randomInt(TEMPORARY_ALPHABET.length)]).join(''),
  );
  return groups.join('-');
}

/** A removal or role change: the user as it was before, or why it was refused. */
export type ChangeUserResult =
  | { ok: true; before: ConsoleUser; after: ConsoleUser | null }
  | { ok: false; code: 'no-such-user' | 'last-admin' | 'own-account'; message: string };

/** The same text, however the browser composed it. */
function normalizePassword(password: string): string {
  return password.normalize('NFC');
}

function shown(record: ConsoleUserRecord): ConsoleUser {
  return { username: record.username, name: record.name, role: record.role, operatorId: record.operatorId };
}

export class ConsoleUsers {
  /** Checked against for unknown usernames, so that they take as long to refuse as wrong passwords. */
  private decoy: Promise<SaltedHash> | null = null;

  constructor(
    private readonly store: RelayStore,
    private readonly operators: OperatorRegistry,
    private readonly scrypt: ScryptParams,
    private readonly passwords: PasswordCheck,
  ) {}

  needsFirstAdmin(): boolean {
    return this.store.countConsoleAdmins() === 0;
  }

  /** The first admin and its new operator identity; refused when an admin exists already or the password is weak. */
  async createFirstAdmin(input: Omit<NewUser, 'role'> & { organisation: string }): Promise<FirstAdminResult> {
    if (!this.needsFirstAdmin()) return SETUP_DONE;
    const verdict = await this.judge(input.password, [input.username, input.name, input.organisation]);
    if (!verdict.ok) return verdict;
    const { identity, token } = await this.operators.add({ name: input.name, organisation: input.organisation });
    const record = await this.record({ ...input, role: 'admin' }, identity.id);
    // Another setup request may have won while the hashes ran: then this operator identity is not needed.
    if (!this.store.insertConsoleUser(record, { onlyIfNoAdmin: true })) {
      this.operators.remove(identity.id);
      return SETUP_DONE;
    }
    // The capability matrix's role of the identity: an admin's is an admin's (roles.ts).
    this.store.roles.assign('operator', identity.id, 'admin');
    return { ok: true, user: shown(record), operatorToken: token };
  }

  /** A user acting as an existing operator, or as a new one in the creating admin's organisation. */
  async create(input: NewUser & { operatorId?: string }, creator: ConsoleUser): Promise<CreateUserResult> {
    const username = input.username.toLowerCase();
    const taken = { ok: false, code: 'username-taken', message: `the username ${username} is taken` } as const;
    if (this.store.getConsoleUser(username)) return taken;
    let operatorId = input.operatorId;
    let operatorToken: string | undefined;
    const existing = operatorId === undefined ? null : this.store.getOperator(operatorId);
    if (operatorId !== undefined && !existing) {
      return { ok: false, code: 'unknown-operator', message: `no operator ${operatorId} is registered on this relay` };
    }
    const organisation = existing?.organisation ?? this.operatorOf(creator)?.organisation ?? input.name;
    const verdict = await this.judge(input.password, [username, input.name, organisation]);
    if (!verdict.ok) return verdict;
    if (operatorId === undefined) {
      const issued = await this.operators.add({ name: input.name, organisation });
      operatorId = issued.identity.id;
      operatorToken = issued.token;
    }
    const record = await this.record(input, operatorId);
    try {
      this.store.insertConsoleUser(record);
    } catch (err) {
      if (operatorToken !== undefined) this.operators.remove(operatorId);
      if (this.store.getConsoleUser(username)) return taken;
      throw err;
    }
    if (operatorToken !== undefined && input.role === 'admin') this.store.roles.assign('operator', operatorId, 'admin');
    return { ok: true, user: shown(record), ...(operatorToken === undefined ? {} : { operatorToken }) };
  }

  /**
   * Removes the user's console account. The caller ends their console sessions and, unless other
   * console users act as the same operator identity, revokes that identity's app token (audit
   * rows keep its id and name as they were).
   */
  remove(username: string, by: ConsoleUser): ChangeUserResult {
    return this.change(username, by, 'remove', (name) => this.store.removeConsoleUser(name));
  }

  /** Makes the user an admin or an operator; the caller's session checks read the role on every call. */
  setRole(username: string, role: Role, by: ConsoleUser): ChangeUserResult {
    return this.change(username, by, role === 'admin' ? 'promote' : 'demote', (name) =>
      this.store.setConsoleUserRole(name, role),
    );
  }

  private change(
    username: string,
    by: ConsoleUser,
    what: 'remove' | 'promote' | 'demote',
    apply: (username: string) => boolean,
  ): ChangeUserResult {
    const name = username.toLowerCase();
    const before = this.get(name);
    if (!before) return { ok: false, code: 'no-such-user', message: `there is no console user ${name}` };
    const lastAdmin = {
      ok: false,
      code: 'last-admin',
      message: `${name} is the only administrator and cannot be ${what === 'remove' ? 'removed' : 'made an operator'}: make another user an administrator first`,
    } as const;
    // Checked before the own-account rule: the only admin is always the one asking, and this says what to do.
    if (what !== 'promote' && before.role === 'admin' && this.store.countConsoleAdmins() <= 1) return lastAdmin;
    if (name === by.username) {
      return {
        ok: false,
        code: 'own-account',
        message: `you cannot ${what === 'remove' ? 'remove' : 'change the role of'} your own account: ask another administrator`,
      };
    }
    if (!apply(name)) {
      // Changed since it was read: gone, or the admins it counted on are.
      return this.get(name)
        ? lastAdmin
        : { ok: false, code: 'no-such-user', message: `there is no console user ${name}` };
    }
    return { ok: true, before, after: this.get(name) };
  }

  /**
   * Stores a new password for the user once it passes the check (with their own words). Temporary:
   * set by an administrator, to be changed at the next sign-in; otherwise that requirement ends.
   * The caller ends the user's console sessions as fits (all, or all but the one asking).
   */
  async setPassword(username: string, password: string, temporary: boolean): Promise<SetPasswordResult> {
    const record = this.store.getConsoleUser(username.toLowerCase());
    const missing = { ok: false, code: 'no-such-user', message: `there is no console user ${username}` } as const;
    if (!record) return missing;
    const user = shown(record);
    const verdict = await this.judge(password, [user.username, user.name, this.operatorOf(user)?.organisation ?? '']);
    if (!verdict.ok) return verdict;
    const hashed = await hashSecret(normalizePassword(password), this.scrypt);
    return this.store.setConsoleUserPassword(user.username, hashed, temporary) ? { ok: true, user } : missing;
  }

  /** An administrator reset the user's password: only its change is open to them until they make it. */
  passwordChangeNeeded(username: string): boolean {
    return this.store.getConsoleUser(username.toLowerCase())?.mustChangePassword ?? false;
  }

  get(username: string): ConsoleUser | null {
    const record = this.store.getConsoleUser(username.toLowerCase());
    return record ? shown(record) : null;
  }

  list(): ConsoleUser[] {
    return this.store.listConsoleUsers().map(shown);
  }

  /** The user for a right username and password, else null (in about the same time either way). */
  async verify(username: string, password: string): Promise<ConsoleUser | null> {
    const record = this.store.getConsoleUser(username.toLowerCase());
    if (!record) {
      this.decoy ??= hashSecret('decoy', this.scrypt);
      await verifySecret(normalizePassword(password), await this.decoy);
      return null;
    }
    return (await verifySecret(normalizePassword(password), record)) ? shown(record) : null;
  }

  /** The operator identity the user acts as; null if it was removed from the registry. */
  operatorOf(user: ConsoleUser): OperatorIdentity | null {
    const record = this.store.getOperator(user.operatorId);
    return record ? { id: record.id, name: record.name, organisation: record.organisation } : null;
  }

  /** The environment of the user's operator identity ('default' unless it was added with another). */
  environmentOf(user: ConsoleUser): string {
    return this.store.getOperator(user.operatorId)?.environment ?? 'default';
  }

  private judge(password: string, accountWords: string[]): Promise<PasswordVerdict> {
    return this.passwords.check(normalizePassword(password), accountWords);
  }

  private async record(input: NewUser, operatorId: string): Promise<ConsoleUserRecord> {
    const hashed = await hashSecret(normalizePassword(input.password), this.scrypt);
    return {
      username: input.username.toLowerCase(),
      name: Name.parse(input.name),
      role: input.role,
      operatorId,
      ...hashed,
      createdAt: new Date().toISOString(),
      mustChangePassword: false,
    };
  }
}
