/**
 * The console's contract for roles and the effective policy: the roles (built in and defined by
 * administrators), who has which, and a device's effective capability matrix with where each
 * value comes from. Its routes are spread into console-api.ts's CONSOLE_ROUTES (which checks
 * them against ConsoleRoute). No Node imports: pages import this.
 */
import { z } from 'zod';
import { Capability, RoleInfo, RoleName } from './capabilities.js';

export const RoleSubjectKind = z.enum(['console-user', 'operator']);
export type RoleSubjectKind = z.infer<typeof RoleSubjectKind>;

export const RoleAssignment = z.object({
  kind: RoleSubjectKind,
  /** A console user's username, or an operator identity's id. */
  id: z.string().min(1).max(64),
  role: RoleName,
});
export type RoleAssignment = z.infer<typeof RoleAssignment>;

/** GET /console/api/roles (admin): every role, and each console user's and operator identity's role. */
export const RolesResponse = z.object({
  roles: z.array(RoleInfo),
  assignments: z.array(RoleAssignment.extend({ name: z.string() })),
});
export type RolesResponse = z.infer<typeof RolesResponse>;

/** POST /console/api/roles (admin): a new role, with no capabilities beyond the defaults. */
export const NewRoleRequest = RoleInfo.pick({ name: true, description: true });

/** GET /console/api/devices/:deviceId/policy: what each role may do on this device, and why. */
export const EffectiveDevicePolicy = z.object({
  deviceId: z.string(),
  hostname: z.string(),
  reportGroup: z.string(),
  roles: z.array(z.string()),
  cells: z.array(
    z.object({
      capability: Capability,
      role: z.string(),
      allowed: z.boolean(),
      source: z.enum(['group', 'product', 'default']),
    }),
  ),
});
export type EffectiveDevicePolicy = z.infer<typeof EffectiveDevicePolicy>;

const Empty = z.object({});

export const ROLE_ROUTES = {
  /** Admin only: it lists every console user and operator identity. */
  roles: { method: 'GET', path: '/roles', access: 'admin', response: RolesResponse },
  createRole: {
    method: 'POST',
    path: '/roles',
    access: 'admin',
    body: NewRoleRequest,
    what: 'role',
    status: 201,
    response: z.object({ role: RoleInfo }),
  },
  removeRole: {
    method: 'DELETE',
    path: '/roles/:name',
    access: 'admin',
    params: z.object({ name: RoleName }),
    response: Empty,
  },
  assignRole: {
    method: 'PUT',
    path: '/roles/assignments',
    access: 'admin',
    body: RoleAssignment,
    what: 'role assignment',
    response: RoleAssignment.extend({ before: z.string() }),
  },
  devicePolicy: {
    method: 'GET',
    path: '/devices/:deviceId/policy',
    access: 'signed-in',
    params: z.object({ deviceId: z.string().min(1).max(64) }),
    response: EffectiveDevicePolicy,
  },
} as const;
