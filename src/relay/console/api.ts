/**
 * The console's HTTP API under /console/api (contract: src/shared/console-api.ts). Signed-in
 * calls carry the session cookie; state-changing ones also the CSRF header. Admin-only: the
 * policy's changes, the audit trail and the users (list, add, change role, remove). Bodies are
 * JSON, validated; refusals are ApiError JSON, as on the operators' API. Nothing here logs or
 * audits a password or token.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import {
  CONSOLE_API,
  ConsoleAssistanceRequest,
  CSRF_HEADER,
  LoginRequest,
  NewUserRequest,
  PolicySettings,
  SetupRequest,
  Username,
  UserRoleRequest,
  type ChangedUserResponse,
  type ConsoleAssistance,
  type ConsoleDevice,
  type ConsoleUser,
  type ConsoleUserSession,
  type LoginResponse,
  type NewUserResponse,
  type SetupResponse,
  type SetupState,
} from '../../shared/console-api.js';
import { assistanceAvailability } from '../../shared/policy.js';
import { SessionId } from '../../shared/protocol.js';
import type { Assistances } from '../assistances/service.js';
import type { AuditActor, AuditTrail } from '../audit/audit-trail.js';
import { auditCsv, auditJson } from '../audit/export.js';
import type { LiveState } from '../audit/session-events.js';
import { allowOnly, ApiFailure, readJson, sendJson } from '../http/api.js';
import type { Outgoing } from '../messages.js';
import type { PolicySettingsStore } from '../policy/policy-settings.js';
import type { AssistanceRecord } from '../store/store.js';
import { summarizeIssues } from '../validate.js';
import { assistanceStatus } from './assistance-status.js';
import { ConsoleSessions, type ConsoleSession } from './console-sessions.js';
import type { DeviceDirectory, DirectoryDevice } from './device-directory.js';
import type { LoginThrottle } from './login-throttle.js';
import type { SetupToken } from './setup-token.js';
import type { ConsoleUsers } from './users.js';

export interface ConsoleApiDeps {
  users: ConsoleUsers;
  sessions: ConsoleSessions;
  throttle: LoginThrottle;
  setupToken: SetupToken;
  policy: PolicySettingsStore;
  devices: DeviceDirectory;
  assistances: Assistances;
  /** The stored assistance and its live state, for the status the console shows. */
  assistance(sessionId: string): { record: AssistanceRecord; live: LiveState | null } | null;
  audit: AuditTrail;
  /** Delivers what a request has to tell connected clients (the device's assistance:prepared). */
  deliver(out: Outgoing[]): void;
  /** Revokes an operator identity's app token, ends what was issued to it and drops its live connections. */
  revokeOperator(operatorId: string, by: AuditActor): void;
}

interface SignedIn {
  user: ConsoleUser;
  sessionId: string;
  session: ConsoleSession;
}

/** The most the console's audit table asks for at once; exports take everything. */
const MAX_AUDIT_PAGE = 10_000;
const MAX_GROUPS = 1_000;

/** Answers a request under CONSOLE_API; returns the status sent, throws ApiFailure for refusals. */
export async function routeConsoleApi(
  deps: ConsoleApiDeps,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): Promise<number> {
  const route = path.slice(CONSOLE_API.length);
  switch (route) {
    case '/setup':
      if (req.method === 'GET')
        return sendJson(res, 200, { needed: deps.users.needsFirstAdmin() } satisfies SetupState);
      allowOnly(req, 'POST');
      return setup(deps, req, res);
    case '/login':
      allowOnly(req, 'POST');
      return login(deps, req, res);
    case '/logout': {
      allowOnly(req, 'POST');
      const { sessionId } = signedIn(deps, req);
      return sendJson(res, 200, {}, { 'set-cookie': deps.sessions.end(sessionId) });
    }
    case '/me': {
      allowOnly(req, 'GET');
      const { user, session } = signedIn(deps, req);
      return sendJson(res, 200, { user, csrfToken: session.csrfToken } satisfies LoginResponse);
    }
    case '/devices':
      allowOnly(req, 'GET');
      signedIn(deps, req);
      return sendJson(res, 200, { devices: deps.devices.list().map((d) => consoleDevice(deps, d)) });
    case '/sessions':
      allowOnly(req, 'GET');
      signedIn(deps, req);
      return sendJson(res, 200, { sessions: deps.devices.list().flatMap((d) => userSessionRows(deps, d)) });
    case '/assistances':
      allowOnly(req, 'POST');
      return requestAssistance(deps, req, res);
    case '/policy':
      if (req.method === 'GET') {
        signedIn(deps, req);
        return sendJson(res, 200, deps.policy.get());
      }
      allowOnly(req, 'PUT');
      return putPolicy(deps, req, res);
    case '/audit':
      allowOnly(req, 'GET');
      signedIn(deps, req, { admin: true });
      return sendAudit(deps, req, res);
    case '/users':
      if (req.method === 'GET') {
        signedIn(deps, req, { admin: true });
        return sendJson(res, 200, { users: deps.users.list() });
      }
      allowOnly(req, 'POST');
      return createUser(deps, req, res);
    default:
      if (route.startsWith('/assistances/')) {
        allowOnly(req, 'GET');
        return sendStatus(deps, req, res, route.slice('/assistances/'.length));
      }
      if (route.startsWith('/users/')) {
        const username = route.slice('/users/'.length);
        if (req.method === 'DELETE') return removeUser(deps, req, res, username);
        allowOnly(req, 'PATCH');
        return changeUserRole(deps, req, res, username);
      }
      throw new ApiFailure(404, 'not-found', 'no such console API path');
  }
}

/**
 * The signed-in user of a request, or a 401. `csrf`: for state-changing calls (any but GET), the
 * CSRF header must match the session's token; `admin`: the user must be an admin. The user is
 * read again on every call, so a changed role applies at once.
 */
function signedIn(deps: ConsoleApiDeps, req: IncomingMessage, opts: { admin?: boolean } = {}): SignedIn {
  const found = deps.sessions.find(req.headers.cookie);
  const user = found && deps.users.get(found.session.username);
  if (!found || !user) throw new ApiFailure(401, 'unauthorized', 'sign in to the console first');
  if (req.method !== 'GET' && !ConsoleSessions.csrfMatches(found.session, req.headers[CSRF_HEADER])) {
    throw new ApiFailure(403, 'csrf', `this call needs the ${CSRF_HEADER} header of the signed-in page`);
  }
  if (opts.admin && user.role !== 'admin') throw new ApiFailure(403, 'forbidden', 'only administrators may do this');
  return { user, sessionId: found.id, session: found.session };
}

async function body<S extends z.ZodType>(req: IncomingMessage, schema: S, what: string): Promise<z.output<S>> {
  const parsed = schema.safeParse(await readJson(req));
  if (!parsed.success) throw new ApiFailure(400, 'bad-request', `invalid ${what}: ${summarizeIssues(parsed.error)}`);
  return parsed.data;
}

function clientAddress(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? 'unknown';
}

async function setup(deps: ConsoleApiDeps, req: IncomingMessage, res: ServerResponse): Promise<number> {
  const input = await body(req, SetupRequest, 'setup request');
  if (!deps.users.needsFirstAdmin())
    throw new ApiFailure(410, 'setup-done', 'the first administrator exists already: sign in instead');
  if (!deps.setupToken.matches(input.setupToken)) {
    throw new ApiFailure(
      403,
      'invalid-setup-token',
      'this setup link is not valid: use the one the relay printed at its last start',
    );
  }
  const made = await deps.users.createFirstAdmin(input);
  if (!made) throw new ApiFailure(410, 'setup-done', 'the first administrator exists already: sign in instead');
  deps.setupToken.consume();
  const { session, cookie } = deps.sessions.start(made.user.username);
  signInAudit(deps, req, made.user, 'ok', 'setup');
  return sendJson(
    res,
    201,
    { user: made.user, csrfToken: session.csrfToken, operatorToken: made.operatorToken } satisfies SetupResponse,
    { 'set-cookie': cookie },
  );
}

async function login(deps: ConsoleApiDeps, req: IncomingMessage, res: ServerResponse): Promise<number> {
  const { username, password } = await body(req, LoginRequest, 'sign-in');
  const address = clientAddress(req);
  const wait = deps.throttle.retryAfterMs(username, address);
  if (wait > 0) {
    const minutes = Math.ceil(wait / 60_000);
    throw new ApiFailure(
      429,
      'too-many-attempts',
      `too many failed sign-ins: try again in ${minutes} minute${minutes === 1 ? '' : 's'}`,
      {
        'retry-after': String(Math.ceil(wait / 1000)),
      },
    );
  }
  const user = await deps.users.verify(username, password);
  if (!user) {
    deps.throttle.failed(username, address);
    const known = deps.users.get(username);
    // An unknown username is not recorded as typed: it may be a password typed in the wrong field.
    signInAudit(deps, req, known ?? null, 'failed', 'password');
    throw new ApiFailure(401, 'invalid-credentials', 'wrong username or password');
  }
  deps.throttle.succeeded(username);
  const { session, cookie } = deps.sessions.start(user.username);
  signInAudit(deps, req, user, 'ok', 'password');
  return sendJson(res, 200, { user, csrfToken: session.csrfToken } satisfies LoginResponse, { 'set-cookie': cookie });
}

function signInAudit(
  deps: ConsoleApiDeps,
  req: IncomingMessage,
  user: ConsoleUser | null,
  result: string,
  via: string,
): void {
  deps.audit.record({
    actor: user
      ? { kind: user.role, id: user.username, name: user.name }
      : { kind: 'relay', id: 'console', name: 'unknown username' },
    action: 'user.signed-in',
    result,
    detail: { via, address: clientAddress(req) },
  });
}

function consoleDevice(deps: ConsoleApiDeps, device: DirectoryDevice): ConsoleDevice {
  const policy = deps.policy.forGroup(device.reportGroup);
  return {
    deviceId: device.deviceId,
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

async function requestAssistance(deps: ConsoleApiDeps, req: IncomingMessage, res: ServerResponse): Promise<number> {
  const { user } = signedIn(deps, req);
  const request = await body(req, ConsoleAssistanceRequest, 'assistance request');
  const operator = deps.users.operatorOf(user);
  if (!operator)
    throw new ApiFailure(409, 'no-operator', 'your operator identity was removed from the relay: ask an administrator');
  const result = await deps.assistances.create(operator, request, 'console');
  if (!result.ok) throw new ApiFailure(result.status, result.code, result.message);
  deps.deliver(result.out);
  return sendJson(res, 201, result.response);
}

function sendStatus(deps: ConsoleApiDeps, req: IncomingMessage, res: ServerResponse, sessionId: string): number {
  const { user } = signedIn(deps, req);
  const found = SessionId.safeParse(sessionId).success ? deps.assistance(sessionId) : null;
  // Someone else's assistance answers as no assistance at all.
  if (!found || (found.record.operatorId !== user.operatorId && user.role !== 'admin')) {
    throw new ApiFailure(404, 'not-found', `no assistance ${sessionId} of yours on this relay`);
  }
  const { record, live } = found;
  const status: ConsoleAssistance = {
    sessionId: record.sessionId,
    deviceId: record.deviceId,
    mode: record.mode,
    status: assistanceStatus(record, live),
  };
  return sendJson(res, 200, status);
}

async function putPolicy(deps: ConsoleApiDeps, req: IncomingMessage, res: ServerResponse): Promise<number> {
  const { user } = signedIn(deps, req, { admin: true });
  const settings = await body(req, PolicySettings, 'policy');
  const groups = Object.keys(settings.groups);
  if (groups.length > MAX_GROUPS || groups.some((g) => g.length === 0 || g.length > 200)) {
    throw new ApiFailure(
      400,
      'bad-request',
      `invalid policy: at most ${MAX_GROUPS} report groups, each named in 1 to 200 characters`,
    );
  }
  deps.policy.put(settings);
  deps.audit.record({
    actor: { kind: user.role, id: user.username, name: user.name },
    action: 'policy.changed',
    result: 'ok',
    detail: { settings: JSON.stringify(settings) },
  });
  // Switching remote assistance off is also the way to stop what runs: those end now.
  deps.deliver(deps.assistances.endWherePolicyForbids({ kind: user.role, id: user.username, name: user.name }));
  return sendJson(res, 200, deps.policy.get());
}

function sendAudit(deps: ConsoleApiDeps, req: IncomingMessage, res: ServerResponse): number {
  const query = new URL(req.url ?? '/', 'http://relay').searchParams;
  const format = query.get('format') ?? 'json';
  if (format !== 'json' && format !== 'csv') throw new ApiFailure(400, 'bad-request', 'format is json or csv');
  const limitText = query.get('limit');
  const limit = limitText === null ? undefined : Number(limitText);
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1 && limit <= MAX_AUDIT_PAGE)) {
    throw new ApiFailure(400, 'bad-request', `limit is a whole number from 1 to ${MAX_AUDIT_PAGE}`);
  }
  const entries = deps.audit.query(limit === undefined ? {} : { limit });
  const day = new Date().toISOString().slice(0, 10);
  res.writeHead(200, {
    'content-type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8',
    'content-disposition': `${format === 'csv' ? 'attachment' : 'inline'}; filename="flxra-audit-${day}.${format}"`,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(format === 'csv' ? auditCsv(entries) : auditJson(entries));
  return 200;
}

async function createUser(deps: ConsoleApiDeps, req: IncomingMessage, res: ServerResponse): Promise<number> {
  const { user: admin } = signedIn(deps, req, { admin: true });
  const input = await body(req, NewUserRequest, 'user');
  const result = await deps.users.create(input, admin);
  if (!result.ok) throw new ApiFailure(409, result.code, result.message);
  deps.audit.record({
    actor: { kind: admin.role, id: admin.username, name: admin.name },
    action: 'user.created',
    result: 'ok',
    detail: { username: result.user.username, role: result.user.role, operator: result.user.operatorId },
  });
  const answer: NewUserResponse = {
    user: result.user,
    ...(result.operatorToken === undefined ? {} : { operatorToken: result.operatorToken }),
  };
  return sendJson(res, 201, answer);
}

/** The :username of a users/ path (the raw path segment: a valid username never needs escaping). */
function targetUsername(segment: string): string {
  const parsed = Username.safeParse(segment);
  if (!parsed.success) throw new ApiFailure(400, 'bad-request', `invalid username: ${summarizeIssues(parsed.error)}`);
  return parsed.data.toLowerCase();
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
async function removeUser(
  deps: ConsoleApiDeps,
  req: IncomingMessage,
  res: ServerResponse,
  segment: string,
): Promise<number> {
  const { user: admin } = signedIn(deps, req, { admin: true });
  const username = targetUsername(segment);
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
  return sendJson(res, 200, {});
}

/** PATCH /users/:username { role }. Roles are read on every call: a demoted admin is refused admin routes from the next one. */
async function changeUserRole(
  deps: ConsoleApiDeps,
  req: IncomingMessage,
  res: ServerResponse,
  segment: string,
): Promise<number> {
  const { user: admin } = signedIn(deps, req, { admin: true });
  const username = targetUsername(segment);
  const { role } = await body(req, UserRoleRequest, 'role change');
  const result = deps.users.setRole(username, role, admin);
  if (!result.ok) throw changeRefused(deps, admin, 'user.role-changed', username, result);
  const user = result.after!;
  if (result.before.role !== user.role) {
    deps.audit.record({
      actor: { kind: admin.role, id: admin.username, name: admin.name },
      action: 'user.role-changed',
      result: 'ok',
      detail: { username: user.username, from: result.before.role, to: user.role },
    });
  }
  return sendJson(res, 200, { user } satisfies ChangedUserResponse);
}
