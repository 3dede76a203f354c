/**
 * The roles of the capability matrix: the console's two (admin, operator) and those
 * administrators define (name, description), and which one each console user and operator
 * identity has. An operator identity without an assignment is an operator; a console user
 * without one has their console role. Refusals are data naming the field they are about. An
 * assignment that changes a role is told to the listeners (the tools' relay re-checks what is open).
 */
import { BUILT_IN_ROLES, type RoleInfo } from '../../shared/capabilities.js';
import type { ConsoleUser } from '../../shared/console-api.js';
import type { Clock } from '../clock.js';
import type { RelayStore, RoleSubject } from '../store/store.js';

const BUILT_IN_DESCRIPTIONS: Record<(typeof BUILT_IN_ROLES)[number], string> = {
  admin: 'Administrators: the policy, the users and the roles; by default the only ones with the tools.',
  operator: 'Operators: assistances, with clipboard, chat and files; no tools unless the policy gives them.',
};

export type RoleRefusal = {
  ok: false;
  code: 'role-taken' | 'no-such-role' | 'built-in-role' | 'role-assigned' | 'no-such-operator' | 'no-such-user';
  /** The request's field the refusal is about. */
  field: string;
  message: string;
};

export class Roles {
  private readonly listeners: Array<() => void> = [];

  constructor(
    private readonly store: RelayStore,
    private readonly clock: Clock,
  ) {}

  list(): RoleInfo[] {
    return [
      ...BUILT_IN_ROLES.map((name) => ({ name, description: BUILT_IN_DESCRIPTIONS[name], builtIn: true })),
      ...this.store.roles.list().map((r) => ({ name: r.name, description: r.description, builtIn: false })),
    ];
  }

  names(): string[] {
    return this.list().map((r) => r.name);
  }

  exists(name: string): boolean {
    return (BUILT_IN_ROLES as readonly string[]).includes(name) || this.store.roles.get(name) !== null;
  }

  create(input: { name: string; description: string }): { ok: true; role: RoleInfo } | RoleRefusal {
    const taken: RoleRefusal = {
      ok: false,
      code: 'role-taken',
      field: 'name',
      message: `a role named ${input.name} exists already`,
    };
    if (this.exists(input.name)) return taken;
    const createdAt = new Date(this.clock.now()).toISOString();
    if (!this.store.roles.insert({ ...input, createdAt })) return taken;
    return { ok: true, role: { ...input, builtIn: false } };
  }

  /** A defined role nobody holds; the matrix's cells for it stay until the policy is next saved without them. */
  remove(name: string): { ok: true } | RoleRefusal {
    if ((BUILT_IN_ROLES as readonly string[]).includes(name))
      return { ok: false, code: 'built-in-role', field: 'name', message: `${name} is built in and cannot be removed` };
    const result = this.store.roles.remove(name);
    if (result === 'assigned')
      return {
        ok: false,
        code: 'role-assigned',
        field: 'name',
        message: `the role ${name} is assigned: give its holders another role first`,
      };
    if (result === 'missing') return noSuchRole(name);
    return { ok: true };
  }

  /**
   * Gives a console user (username) or an operator identity (id) a role; `exists` says whether
   * that subject does. Answers the role it had before.
   */
  assign(
    subject: { kind: RoleSubject; id: string; exists: boolean; current: string; base: string },
    role: string,
  ): { ok: true; before: string } | RoleRefusal {
    if (!subject.exists) {
      return subject.kind === 'operator'
        ? { ok: false, code: 'no-such-operator', field: 'id', message: `no operator ${subject.id} is registered` }
        : { ok: false, code: 'no-such-user', field: 'id', message: `there is no console user ${subject.id}` };
    }
    if (!this.exists(role)) return noSuchRole(role);
    // The role a subject has without an assignment is not stored as one.
    if (role === subject.base) this.store.roles.unassign(subject.kind, subject.id);
    else this.store.roles.assign(subject.kind, subject.id, role);
    if (role !== subject.current) for (const listener of this.listeners) listener();
    return { ok: true, before: subject.current };
  }

  /** Called after each assignment that changed someone's role. */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  ofOperator(operatorId: string): string {
    return this.store.roles.assignment('operator', operatorId) ?? 'operator';
  }

  ofConsoleUser(user: Pick<ConsoleUser, 'username' | 'role'>): string {
    return this.store.roles.assignment('console-user', user.username) ?? user.role;
  }
}

function noSuchRole(name: string): RoleRefusal {
  return { ok: false, code: 'no-such-role', field: 'role', message: `there is no role ${name}: create it first` };
}
