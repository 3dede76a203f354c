/**
 * The console's HTTP API under /console/api: one handler per route of the table in
 * src/shared/console-api.ts, dispatched by routes.ts (which checks the session cookie, the CSRF
 * header, the admin role and a required second factor before a handler runs, and validates
 * bodies and parameters). Sign-in and its security are sign-in-api.ts's; here the devices,
 * sessions and assistances, and admin-only: the policy's changes, the audit trail and the users
 * (list, add, change role, reset a password, remove). Refusals are ApiError JSON, as on the operators' API.
 * Nothing here logs or audits a password or token.
 */
import {
  type ConsoleAssistance,
  type ConsoleDevice,
  type ConsoleUser,
  type ConsoleUserSession,
} from '../../shared/console-api.js';
import { assistanceAvailability } from '../../shared/policy.js';
import { SessionId } from '../../shared/protocol.js';
import type { Assistances } from '../assistances/service.js';
import type { AuditActor } from '../audit/audit-trail.js';
import { auditCsv, auditJson } from '../audit/export.js';
import type { ZodApp } from '../http/app.js';
import { ApiFailure, JSON_HEADERS } from '../http/json.js';
import type { Outgoing } from '../messages.js';
import type { PolicySettingsStore } from '../policy/policy-settings.js';
import type { AssistanceRecord } from '../store/store.js';
import { endAssistance, listAssistances, type AssistanceListDeps } from './assistance-list.js';
import { assistanceStatus } from './assistance-status.js';
import type { DeviceDirectory, DirectoryDevice } from './device-directory.js';
import type { RelayCounters } from '../../shared/relay-counters.js';
import { enrolmentHandlers, type EnrolmentApiDeps } from './enrolment-api.js';
import { registerConsoleRoutes, type ConsoleHandlers } from './routes.js';
import { passwordAudit, signInHandlers, type SignInDeps } from './sign-in-api.js';
import { appSignInHandlers, type AppSignInDeps } from './app-sign-in-api.js';
import { temporaryPassword, type ConsoleUsers } from './users.js';
import { roleHandlers, type RolesApiDeps } from './roles-api.js';
import { downloadHandlers, type DownloadsApiDeps } from './downloads-api.js';
import { recordingHandlers, type RecordingsApiDeps } from './recordings-api.js';

export interface ConsoleApiDeps
  extends
    SignInDeps,
    AssistanceListDeps,
    AppSignInDeps,
    EnrolmentApiDeps,
    RolesApiDeps,
    DownloadsApiDeps,
    RecordingsApiDeps {
  policy: PolicySettingsStore;
  /** Told of every save, so that what it switched off stops at once (the tool router listens). */
  devices: DeviceDirectory;
  assistances: Assistances;
  /** The stored assistance, with its lifecycle state, for the status the console shows. */
  assistance(sessionId: string): AssistanceRecord | null;
  /** Delivers what a request has to tell connected clients (the device's assistance:prepared). */
  deliver(out: Outgoing[]): void;
  /** Revokes an operator identity's app token, ends what was issued to it and drops its live connections. */
  revokeOperator(operatorId: string, by: AuditActor): void;
  /** Removes an enrolled device the same way (revocation.ts); false when there is no such device. */
  removeDevice(deviceId: string, by: AuditActor): boolean;
  /** The relay's counters of its clients' load (RelayHandle.counters()). */
  counters(): RelayCounters;
  /** Renames an enrolled device (the registry's name, which operators and its user see); false when there is none. */
  renameDevice(deviceId: string, name: string): boolean;
}

const MAX_GROUPS = 1_000;

export function registerConsoleApi(app: ZodApp, deps: ConsoleApiDeps): void {
  registerConsoleRoutes(app, deps, consoleHandlers(deps));
}

function consoleHandlers(deps: ConsoleApiDeps): ConsoleHandlers {
  const actor = (user: ConsoleUser): AuditActor => ({ kind: user.role, id: user.username, name: user.name });
  return {
    ...signInHandlers(deps),
    ...appSignInHandlers(deps),
    ...enrolmentHandlers(deps),
    ...roleHandlers(deps),
    ...downloadHandlers(deps),
    ...recordingHandlers(deps),
    devices: (_, { signedIn: { user } }) => ({ devices: ownDevices(deps, user).map((d) => consoleDevice(deps, d)) }),
    sessions: (_, { signedIn: { user } }) => ({
      sessions: ownDevices(deps, user).flatMap((d) => userSessionRows(deps, d)),
    }),

    async requestAssistance({ body }, { signedIn: { user } }) {
      const operator = deps.users.operatorOf(user);
      if (!operator)
        throw new ApiFailure(
          409,
          'no-operator',
          'your operator identity was removed from the relay: ask an administrator',
        );
      const result = await deps.assistances.create(operator, body, 'console');
      if (!result.ok) throw new ApiFailure(result.status, result.code, result.message);
      deps.deliver(result.out);
      return result.response;
    },

    assistances: (_, { signedIn: { user } }) => ({ assistances: listAssistances(deps, user) }),

    endAssistance({ params: { sessionId } }, { signedIn: { user } }) {
      deps.deliver(endAssistance(deps.assistances, sessionId, actor(user)));
      return {};
    },

    assistance({ params: { sessionId } }, { signedIn: { user } }) {
      const record = SessionId.safeParse(sessionId).success ? deps.assistance(sessionId) : null;
      // Someone else's assistance answers as no assistance at all.
      if (!record || (record.operatorId !== user.operatorId && user.role !== 'admin')) {
        throw new ApiFailure(404, 'not-found', `no assistance ${sessionId} of yours on this relay`);
      }
      return {
        sessionId: record.sessionId,
        deviceId: record.deviceId,
        mode: record.mode,
        status: assistanceStatus(record),
      } satisfies ConsoleAssistance;
    },

    policy: () => deps.policy.get(),

    putPolicy({ body: settings }, { signedIn: { user } }) {
      // Each group's name is checked by the schema (src/shared/names.ts); their number here.
      if (Object.keys(settings.groups).length > MAX_GROUPS) {
        throw new ApiFailure(400, 'bad-request', `invalid policy: at most ${MAX_GROUPS} report groups`);
      }
      deps.policy.put(settings);
      deps.audit.record({
        actor: actor(user),
        action: 'policy.changed',
        result: 'ok',
        detail: { settings: JSON.stringify(settings) },
      });
      // Switching remote assistance off is also the way to stop what runs: those end now.
      deps.deliver(deps.assistances.endWherePolicyForbids(actor(user)));
      return deps.policy.get();
    },

    relayCounters: () => deps.counters(),

    audit({ query: { format, limit } }, { reply }) {
      const entries = deps.audit.query(limit === undefined ? {} : { limit });
      const day = new Date().toISOString().slice(0, 10);
      // Answered as exported (CSV, or the export's JSON), not through the JSON answer's schema.
      return reply
        .code(200)
        .headers({
          ...JSON_HEADERS,
          'content-type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8',
          'content-disposition': `${format === 'csv' ? 'attachment' : 'inline'}; filename="flxra-audit-${day}.${format}"`,
        })
        .send(format === 'csv' ? auditCsv(entries) : auditJson(entries));
    },

    users() {
      const withSecondFactor = deps.secondFactors.enabledUsers();
      return {
        users: deps.users.list().map((u) => ({
          ...u,
          secondFactor: withSecondFactor.has(u.username),
          passwordChangeNeeded: deps.users.passwordChangeNeeded(u.username),
        })),
      };
    },

    async createUser({ body }, { signedIn: { user: admin } }) {
      const result = await deps.users.create(body, admin);
      if (!result.ok) throw new ApiFailure(result.code === 'weak-password' ? 400 : 409, result.code, result.message);
      deps.audit.record({
        actor: actor(admin),
        action: 'user.created',
        result: 'ok',
        detail: { username: result.user.username, role: result.user.role, operator: result.user.operatorId },
      });
      return {
        user: result.user,
        ...(result.operatorToken === undefined ? {} : { operatorToken: result.operatorToken }),
      };
    },

    changeRole({ params, body: { role } }, { signedIn: { user: admin } }) {
      const username = params.username.toLowerCase();
      const result = deps.users.setRole(username, role, admin);
      if (!result.ok) throw changeRefused(deps, admin, 'user.role-changed', username, result);
      // Roles are read on every call: a demoted admin is refused admin routes from the next one.
      const user = result.after!;
      if (result.before.role !== user.role) {
        deps.audit.record({
          actor: actor(admin),
          action: 'user.role-changed',
          result: 'ok',
          detail: { username: user.username, from: result.before.role, to: user.role },
        });
      }
      return { user };
    },

    async resetPassword({ params, body }, { signedIn: { user: admin } }) {
      const username = params.username.toLowerCase();
      if (username === admin.username) {
        throw new ApiFailure(409, 'own-account', 'change your own password on your security page');
      }
      const password = body.password ?? temporaryPassword();
      const result = await deps.users.setPassword(username, password, true);
      if (!result.ok) throw new ApiFailure(result.code === 'no-such-user' ? 404 : 400, result.code, result.message);
      // Whoever is signed in as them (perhaps whoever made the reset necessary) is out at once.
      const ended = deps.sessions.endAllOf(username);
      passwordAudit(deps, admin, username, 'reset', 'ok', ended);
      return body.password === undefined ? { password } : {};
    },

    removeUser({ params }, { signedIn: { user: admin } }) {
      return removeUser(deps, admin, params.username.toLowerCase());
    },

    removeDevice({ params: { deviceId } }, { signedIn: { user: admin } }) {
      const actor: AuditActor = { kind: admin.role, id: admin.username, name: admin.name };
      if (!deps.removeDevice(deviceId, actor))
        throw new ApiFailure(404, 'not-found', `no device ${deviceId} is enrolled on this relay`);
      deps.audit.record({ actor, action: 'device.removed', deviceId, result: 'ok' });
      return {};
    },

    renameDevice({ params: { deviceId }, body: { name } }, { signedIn: { user: admin } }) {
      const before = deps.devices.get(deviceId);
      if (!before || !deps.renameDevice(deviceId, name))
        throw new ApiFailure(404, 'not-found', `no device ${deviceId} is enrolled on this relay`);
      const device = deps.devices.get(deviceId)!;
      if (before.name !== device.name)
        deps.audit.record({
          actor: actor(admin),
          action: 'device.renamed',
          deviceId,
          result: 'ok',
          detail: { from: before.name, to: device.name },
        });
      return { device: consoleDevice(deps, device) };
    },
  };
}

/** The devices of the user's environment: a relay serving several lists each only its own. */
function ownDevices(deps: ConsoleApiDeps, user: ConsoleUser): DirectoryDevice[] {
  const environment = deps.users.environmentOf(user);
  return deps.devices.list().filter((d) => d.environmentId === environment);
}

function consoleDevice(deps: ConsoleApiDeps, device: DirectoryDevice): ConsoleDevice {
  const policy = deps.policy.forGroup(device.reportGroup);
  return {
    deviceId: device.deviceId,
    name: device.name,
    hostname: device.hostname,
    os: device.os,
    agentVersion: device.agentVersion,
    reportGroup: device.reportGroup,
    online: device.online,
    lastSeen: device.lastSeen,
    userSessions: device.userSessions,
    availability: assistanceAvailability(policy, device, 'device'),
  };
}

function userSessionRows(deps: ConsoleApiDeps, device: DirectoryDevice): ConsoleUserSession[] {
  const availability = assistanceAvailability(deps.policy.forGroup(device.reportGroup), device, 'session');
  return device.userSessions.map((session) => ({
    deviceId: device.deviceId,
    hostname: device.hostname,
    session,
    availability,
  }));
}

/** A refused change to a user: audited as denied (an admin trying matters too), answered 404 or 409. */
function changeRefused(
  deps: ConsoleApiDeps,
  admin: ConsoleUser,
  action: 'user.removed' | 'user.role-changed',
  username: string,
  result: Extract<ReturnType<ConsoleUsers['remove']>, { ok: false }>,
): ApiFailure {
  deps.audit.record({
    actor: { kind: admin.role, id: admin.username, name: admin.name },
    action,
    result: 'denied',
    detail: { username: username.toLowerCase(), code: result.code, reason: result.message },
  });
  return new ApiFailure(result.code === 'no-such-user' ? 404 : 409, result.code, result.message);
}

/**
 * DELETE /users/:username. The user's console sessions end at once (their cookie answers 401 on
 * the next call, and stays dead if the username is made again), and so does their app, unless
 * other console users act as the same operator identity.
 */
function removeUser(deps: ConsoleApiDeps, admin: ConsoleUser, username: string): Record<string, never> {
  const result = deps.users.remove(username, admin);
  if (!result.ok) throw changeRefused(deps, admin, 'user.removed', username, result);
  deps.sessions.endAllOf(result.before.username);
  // Someone leaving the desk must lose the app too: their operator identity's token is revoked,
  // unless other console users still act as that identity.
  const { operatorId } = result.before;
  const sharing = deps.users.list().filter((u) => u.operatorId === operatorId).length;
  if (sharing === 0) deps.revokeOperator(operatorId, { kind: admin.role, id: admin.username, name: admin.name });
  deps.audit.record({
    actor: { kind: admin.role, id: admin.username, name: admin.name },
    action: 'user.removed',
    result: 'ok',
    detail: {
      username: result.before.username,
      role: result.before.role,
      operator: operatorId,
      appToken: sharing === 0 ? 'revoked' : `kept: ${sharing} other console user(s) act as this operator`,
    },
  });
  return {};
}
