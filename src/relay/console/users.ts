/**
 * Console users: who may sign in to the console, with which role, acting as which operator
 * identity of the operator registry (so that the audit trail and the activation files name the
 * same operator whether an assistance was requested from the console or from the app). There is
 * no default user and no default password: the first admin comes from the one-time setup link.
 * Passwords are kept only as salted scrypt hashes.
 */
import type { ConsoleUser } from '../../shared/console-api.js';
import { Name } from '../../shared/names.js';
import type { Role } from '../../shared/policy.js';
import type { OperatorIdentity } from '../../shared/protocol.js';
import type { OperatorRegistry } from '../operators.js';
import { hashSecret, verifySecret } from '../secret-hash.js';
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
  | { ok: false; code: 'username-taken' | 'unknown-operator'; message: string };

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
  ) {}

  needsFirstAdmin(): boolean {
    return this.store.countConsoleAdmins() === 0;
  }

  /** The first admin and its new operator identity; null when an admin exists already. */
  async createFirstAdmin(
    input: Omit<NewUser, 'role'> & { organisation: string },
  ): Promise<{ user: ConsoleUser; operatorToken: string } | null> {
    if (!this.needsFirstAdmin()) return null;
    const { identity, token } = await this.operators.add({ name: input.name, organisation: input.organisation });
    const record = await this.record({ ...input, role: 'admin' }, identity.id);
    // Another setup request may have won while the hashes ran: then this operator identity is not needed.
    if (!this.store.insertConsoleUser(record, { onlyIfNoAdmin: true })) {
      this.operators.remove(identity.id);
      return null;
    }
    return { user: shown(record), operatorToken: token };
  }

  /** A user acting as an existing operator, or as a new one in the creating admin's organisation. */
  async create(input: NewUser & { operatorId?: string }, creator: ConsoleUser): Promise<CreateUserResult> {
    const username = input.username.toLowerCase();
    const taken = { ok: false, code: 'username-taken', message: `the username ${username} is taken` } as const;
    if (this.store.getConsoleUser(username)) return taken;
    let operatorId = input.operatorId;
    let operatorToken: string | undefined;
    if (operatorId !== undefined) {
      if (!this.store.getOperator(operatorId))
        return {
          ok: false,
          code: 'unknown-operator',
          message: `no operator ${operatorId} is registered on this relay`,
        };
    } else {
      const organisation = this.operatorOf(creator)?.organisation ?? input.name;
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

  private async record(input: NewUser, operatorId: string): Promise<ConsoleUserRecord> {
    const hashed = await hashSecret(normalizePassword(input.password), this.scrypt);
    return {
      username: input.username.toLowerCase(),
      name: Name.parse(input.name),
      role: input.role,
      operatorId,
      ...hashed,
      createdAt: new Date().toISOString(),
    };
  }
}
