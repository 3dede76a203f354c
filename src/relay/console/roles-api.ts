/**
 * The console API's roles and effective policy (console-roles.ts's routes): list the roles and
 * who has which, define and remove roles, assign one to a console user or an operator identity
 * (each audited: role.created, role.removed, role.assigned, refusals as denied), and a device's
 * effective capability matrix with where each value comes from (capabilityDecision's
 * effectiveCapability, the same the relay's tool router decides with).
 */
import { Capability } from '../../shared/capabilities.js';
import { effectiveCapability } from '../../shared/capability-decision.js';
import type { ConsoleUser } from '../../shared/console-api.js';
import type { AuditActor, AuditTrail } from '../audit/audit-trail.js';
import { ApiFailure } from '../http/json.js';
import type { PolicySettingsStore } from '../policy/policy-settings.js';
import type { RoleRefusal, Roles } from '../policy/roles.js';
import type { RelayStore } from '../store/store.js';
import type { DeviceDirectory } from './device-directory.js';
import type { ConsoleHandlers } from './routes.js';
import type { ConsoleUsers } from './users.js';

export interface RolesApiDeps {
  roles: Roles;
  policy: PolicySettingsStore;
  devices: DeviceDirectory;
  users: ConsoleUsers;
  store: Pick<RelayStore, 'getOperator' | 'listOperators'>;
  audit: AuditTrail;
}

type RoleRoutes = 'roles' | 'createRole' | 'removeRole' | 'assignRole' | 'devicePolicy';

const actorOf = (user: ConsoleUser): AuditActor => ({ kind: user.role, id: user.username, name: user.name });

export function roleHandlers(deps: RolesApiDeps): Pick<ConsoleHandlers, RoleRoutes> {
  /** Audited as denied and answered with the field it is about. */
  const refuse = (admin: ConsoleUser, action: 'role.created' | 'role.removed' | 'role.assigned', r: RoleRefusal) => {
    deps.audit.record({
      actor: actorOf(admin),
      action,
      result: 'denied',
      detail: { code: r.code, reason: r.message },
    });
    const status = r.code.startsWith('no-such-') ? 404 : 409;
    return new ApiFailure(status, r.code, r.message, {}, false, [{ path: [r.field], message: r.message }]);
  };
  return {
    roles: () => ({
      roles: deps.roles.list(),
      assignments: [
        ...deps.users.list().map((u) => ({
          kind: 'console-user' as const,
          id: u.username,
          name: u.name,
          role: deps.roles.ofConsoleUser(u),
        })),
        ...deps.store.listOperators().map((o) => ({
          kind: 'operator' as const,
          id: o.id,
          name: o.name,
          role: deps.roles.ofOperator(o.id),
        })),
      ],
    }),

    createRole({ body }, { signedIn: { user } }) {
      const result = deps.roles.create(body);
      if (!result.ok) throw refuse(user, 'role.created', result);
      deps.audit.record({
        actor: actorOf(user),
        action: 'role.created',
        result: 'ok',
        detail: { role: result.role.name, description: result.role.description },
      });
      return { role: result.role };
    },

    removeRole({ params: { name } }, { signedIn: { user } }) {
      const result = deps.roles.remove(name);
      if (!result.ok) throw refuse(user, 'role.removed', result);
      deps.audit.record({ actor: actorOf(user), action: 'role.removed', result: 'ok', detail: { role: name } });
      return {};
    },

    assignRole({ body: { kind, id, role } }, { signedIn: { user } }) {
      const subject =
        kind === 'operator'
          ? { exists: deps.store.getOperator(id) !== null, current: deps.roles.ofOperator(id), base: 'operator' }
          : consoleUserSubject(deps, id.toLowerCase());
      const key = kind === 'operator' ? id : id.toLowerCase();
      const result = deps.roles.assign({ kind, id: key, ...subject }, role);
      if (!result.ok) throw refuse(user, 'role.assigned', result);
      deps.audit.record({
        actor: actorOf(user),
        action: 'role.assigned',
        result: 'ok',
        detail: { kind, id: key, from: result.before, to: role },
      });
      return { kind, id: key, role, before: result.before };
    },

    devicePolicy({ params: { deviceId } }) {
      const device = deps.devices.get(deviceId);
      if (!device) throw new ApiFailure(404, 'not-found', `no device ${deviceId} has reported to this relay`);
      const settings = deps.policy.get();
      const roles = deps.roles.names();
      return {
        deviceId,
        hostname: device.hostname,
        reportGroup: device.reportGroup,
        roles,
        cells: Capability.options.flatMap((capability) =>
          roles.map((role) => ({
            capability,
            role,
            ...effectiveCapability(settings, device.reportGroup, role, capability),
          })),
        ),
      };
    },
  };
}

function consoleUserSubject(deps: RolesApiDeps, username: string) {
  const user = deps.users.get(username);
  return user
    ? { exists: true, current: deps.roles.ofConsoleUser(user), base: user.role }
    : { exists: false, current: '', base: '' };
}
