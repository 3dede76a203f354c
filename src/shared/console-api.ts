/**
 * The console's HTTP API, served by the relay under /console/api, for the console web page.
 * Sign-in sets an HttpOnly, SameSite=Strict session cookie; every other call needs it, and
 * state-changing calls also carry the X-Flxra-CSRF header the sign-in answer gives.
 * CONSOLE_ROUTES, at the end, is the one route table: the relay's dispatch and the page's client
 * are both derived from it (like the IPC's channels in ipc.ts). No Node imports: pages import this.
 */
import { z } from 'zod';
import { AuditEntry } from './audit.js';
import { ENROLMENT_ROUTES } from './console-enrolment.js';
import {
  ConsoleSecuritySettings,
  SecondFactorCodeRequest,
  SecondFactorEnrolment,
  SecondFactorStatus,
  SignInAlerts,
} from './console-security.js';
import { PasswordChangeRequest, PasswordResetRequest, PasswordResetResponse } from './console-passwords.js';
import {
  ChangedUserResponse,
  ListedConsoleUser,
  LoginRequest,
  LoginResponse,
  NewUserRequest,
  NewUserResponse,
  SetupCheckRequest,
  SetupRequest,
  SetupResponse,
  SetupState,
  UserRoleRequest,
  Username,
} from './console-accounts.js';
import { PolicySettings } from './policy.js';
import { ConsoleAssistanceRequest, ConsoleDevice, ConsoleUserSession, RenameDeviceRequest } from './console-devices.js';
import { ConsoleAssistance, ListedAssistance } from './console-assistances.js';
import { ROLE_ROUTES } from './console-roles.js';
import { DOWNLOAD_ROUTES } from './release-artifacts.js';
import { RECORDING_ROUTES } from './recording.js';
import { AssistanceResponse } from './relay-api.js';
import { AppSignInOffer } from './app-sign-in-link.js';
import { BrowserOperatorTicket } from './browser-operator.js';
import { RelayCounters } from './relay-counters.js';

export const CONSOLE_API = '/console/api';

// The accounts' schemas: console-accounts.ts.
export {
  CSRF_HEADER,
  ChangedUserResponse,
  ConsoleUser,
  ListedConsoleUser,
  LoginRequest,
  LoginResponse,
  NewUserRequest,
  NewUserResponse,
  SetupCheckRequest,
  SetupRequest,
  SetupResponse,
  SetupState,
  UserRoleRequest,
  Username,
} from './console-accounts.js';

// The devices and their user sessions as the console lists them: console-devices.ts.
export { ConsoleAssistanceRequest, ConsoleDevice, ConsoleUserSession, RenameDeviceRequest };

// An assistance as the console shows it: console-assistances.ts.
export {
  AssistanceStatus,
  ConsoleAssistance,
  ListedAssistance,
  MAX_LISTED_ASSISTANCES,
} from './console-assistances.js';

/** GET/PUT /console/api/policy (PUT: admin only): policy.ts's PolicySettings. */
export { PolicySettings } from './policy.js';

/** GET /console/api/audit?format=json|csv[&limit=n], admin only; newest first, every entry without a limit. */
export const AuditPage = z.object({ entries: z.array(AuditEntry) });
export type AuditPage = z.infer<typeof AuditPage>;
/** The most the console's audit table asks for at once; exports take everything. */
export const MAX_AUDIT_PAGE = 10_000;
export const AuditQuery = z.object({
  format: z.enum(['json', 'csv'], { error: 'expected json or csv' }).default('json'),
  limit: z.coerce
    .number({ error: `expected a whole number from 1 to ${MAX_AUDIT_PAGE}` })
    .int(`expected a whole number from 1 to ${MAX_AUDIT_PAGE}`)
    .min(1, `expected a whole number from 1 to ${MAX_AUDIT_PAGE}`)
    .max(MAX_AUDIT_PAGE, `expected a whole number from 1 to ${MAX_AUDIT_PAGE}`)
    .optional(),
});

const Empty = z.object({});
/** Open before anything else is: signing out, who is signed in, and changing one's password. */
const BEFORE_ALL = { beforeSecondFactor: true, beforePasswordChange: true } as const;

/** One console route: what the relay dispatches on and what the page's client is typed by. */
export interface ConsoleRoute {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Under CONSOLE_API; `:name` segments are path parameters, checked by `params`. */
  path: string;
  /** Who may call: anyone, any signed-in user (and the CSRF header unless GET), or admins only. */
  access: 'public' | 'signed-in' | 'admin';
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** How refusals name an invalid body: "invalid <what>: …". */
  what?: string;
  /** The answer's status when it is not 200. */
  status?: 201;
  /**
   * Open to a signed-in user who must set up a second factor first (the administrators require
   * one and they have none); every other signed-in route answers them 403 until they have.
   */
  beforeSecondFactor?: true;
  /** Open to a user whose password was reset, who must change it first (403 `password-change` elsewhere). */
  beforePasswordChange?: true;
  /** A larger body than the API's usual bound (a recording chunk's few seconds of WebM). */
  bodyLimit?: number;
  response: z.ZodType;
}

/** Every console API route, by name. Changing one changes the relay and the page together. */
export const CONSOLE_ROUTES = {
  setupState: { method: 'GET', path: '/setup', access: 'public', response: SetupState },
  setupCheck: {
    method: 'POST',
    path: '/setup/check',
    access: 'public',
    body: SetupCheckRequest,
    what: 'setup link',
    response: z.object({ valid: z.literal(true) }),
  },
  setup: {
    method: 'POST',
    path: '/setup',
    access: 'public',
    body: SetupRequest,
    what: 'setup request',
    status: 201,
    response: SetupResponse,
  },
  login: {
    method: 'POST',
    path: '/login',
    access: 'public',
    body: LoginRequest,
    what: 'sign-in',
    response: LoginResponse,
  },
  logout: { method: 'POST', path: '/logout', access: 'signed-in', ...BEFORE_ALL, response: Empty },
  me: { method: 'GET', path: '/me', access: 'signed-in', ...BEFORE_ALL, response: LoginResponse },
  changePassword: {
    method: 'POST',
    path: '/me/password',
    access: 'signed-in',
    ...BEFORE_ALL,
    body: PasswordChangeRequest,
    what: 'password change',
    response: Empty,
  },
  secondFactor: {
    method: 'GET',
    path: '/me/second-factor',
    access: 'signed-in',
    beforeSecondFactor: true,
    response: SecondFactorStatus,
  },
  /** A new secret, pending until confirmed; refused (409) while one is on. */
  beginSecondFactor: {
    method: 'POST',
    path: '/me/second-factor',
    access: 'signed-in',
    beforeSecondFactor: true,
    status: 201,
    response: SecondFactorEnrolment,
  },
  confirmSecondFactor: {
    method: 'POST',
    path: '/me/second-factor/confirm',
    access: 'signed-in',
    beforeSecondFactor: true,
    body: SecondFactorCodeRequest,
    what: 'code',
    response: SecondFactorStatus,
  },
  /** Refused (409) while the administrators require a second factor. */
  disableSecondFactor: {
    method: 'POST',
    path: '/me/second-factor/disable',
    access: 'signed-in',
    body: SecondFactorCodeRequest,
    what: 'code',
    response: SecondFactorStatus,
  },
  devices: {
    method: 'GET',
    path: '/devices',
    access: 'signed-in',
    response: z.object({ devices: z.array(ConsoleDevice) }),
  },
  sessions: {
    method: 'GET',
    path: '/sessions',
    access: 'signed-in',
    response: z.object({ sessions: z.array(ConsoleUserSession) }),
  },
  requestAssistance: {
    method: 'POST',
    path: '/assistances',
    access: 'signed-in',
    body: ConsoleAssistanceRequest,
    what: 'assistance request',
    status: 201,
    response: AssistanceResponse,
  },
  assistances: {
    method: 'GET',
    path: '/assistances',
    access: 'signed-in',
    response: z.object({ assistances: z.array(ListedAssistance) }),
  },
  /** Ends a live assistance (ended-by-admin: both sides are told); 409 when it is over already. */
  endAssistance: {
    method: 'POST',
    path: '/assistances/:sessionId/end',
    access: 'admin',
    params: z.object({ sessionId: z.string() }),
    response: Empty,
  },
  assistance: {
    method: 'GET',
    path: '/assistances/:sessionId',
    access: 'signed-in',
    // Checked by the handler: a malformed id is answered like someone else's, 404.
    params: z.object({ sessionId: z.string() }),
    response: ConsoleAssistance,
  },
  policy: { method: 'GET', path: '/policy', access: 'signed-in', response: PolicySettings },
  putPolicy: {
    method: 'PUT',
    path: '/policy',
    access: 'admin',
    body: PolicySettings,
    what: 'policy',
    response: PolicySettings,
  },
  /** format=csv answers text/csv instead (downloaded by a link, not through the client). */
  audit: { method: 'GET', path: '/audit', access: 'admin', query: AuditQuery, response: AuditPage },
  /** What the relay counts of its clients' load, at this moment (src/relay/limits/). */
  relayCounters: { method: 'GET', path: '/relay/counters', access: 'admin', response: RelayCounters },
  users: {
    method: 'GET',
    path: '/users',
    access: 'admin',
    response: z.object({ users: z.array(ListedConsoleUser) }),
  },
  createUser: {
    method: 'POST',
    path: '/users',
    access: 'admin',
    body: NewUserRequest,
    what: 'user',
    status: 201,
    response: NewUserResponse,
  },
  changeRole: {
    method: 'PATCH',
    path: '/users/:username',
    access: 'admin',
    params: z.object({ username: Username }),
    body: UserRoleRequest,
    what: 'role change',
    response: ChangedUserResponse,
  },
  /** An enrolled device leaves the relay: its token dies, its connections drop, its assistances end. */
  removeDevice: {
    method: 'DELETE',
    path: '/devices/:deviceId',
    access: 'admin',
    params: z.object({ deviceId: z.string().min(1).max(64) }),
    response: Empty,
  },
  renameDevice: {
    method: 'PATCH',
    path: '/devices/:deviceId',
    access: 'admin',
    params: z.object({ deviceId: z.string().min(1).max(64) }),
    body: RenameDeviceRequest,
    what: 'device name',
    response: z.object({ device: ConsoleDevice }),
  },
  ...ENROLMENT_ROUTES,
  removeUser: {
    method: 'DELETE',
    path: '/users/:username',
    access: 'admin',
    params: z.object({ username: Username }),
    response: Empty,
  },
  /** Another user's forgotten password: a temporary one they must change at their next sign-in. */
  resetPassword: {
    method: 'POST',
    path: '/users/:username/password',
    access: 'admin',
    params: z.object({ username: Username }),
    body: PasswordResetRequest,
    what: 'password reset',
    response: PasswordResetResponse,
  },
  /** Another user's lost authenticator: their second factor is removed (they set up a new one). */
  resetSecondFactor: {
    method: 'DELETE',
    path: '/users/:username/second-factor',
    access: 'admin',
    params: z.object({ username: Username }),
    response: Empty,
  },
  security: { method: 'GET', path: '/security', access: 'admin', response: ConsoleSecuritySettings },
  /** Requiring second factors is refused (409) to an admin without one: set up your own first. */
  putSecurity: {
    method: 'PUT',
    path: '/security',
    access: 'admin',
    body: ConsoleSecuritySettings,
    what: 'security settings',
    response: ConsoleSecuritySettings,
  },
  signInAlerts: { method: 'GET', path: '/sign-in-alerts', access: 'admin', response: SignInAlerts },
  /** "Connect the app": a one-time code, in a `flxra:` link, that signs the operator's app in as this user. */
  appSignInCode: {
    method: 'POST',
    path: '/me/app-sign-in',
    access: 'signed-in',
    status: 201,
    response: AppSignInOffer,
  },
  /** The operator in the browser: a one-time ticket for the viewer page's relay connection (browser-operator.ts). */
  browserOperatorTicket: {
    method: 'POST',
    path: '/me/browser-operator',
    access: 'signed-in',
    status: 201,
    response: BrowserOperatorTicket,
  },
  ...ROLE_ROUTES,
  ...DOWNLOAD_ROUTES,
  ...RECORDING_ROUTES,
} as const satisfies Record<string, ConsoleRoute>;

export type ConsoleRoutes = typeof CONSOLE_ROUTES;
export type ConsoleRouteName = keyof ConsoleRoutes;
type Part<N extends ConsoleRouteName, K extends 'params' | 'query' | 'body'> =
  ConsoleRoutes[N] extends Record<K, infer S extends z.ZodType> ? S : undefined;
type Input<S> = S extends z.ZodType ? z.input<S> : undefined;
type Output<S> = S extends z.ZodType ? z.output<S> : undefined;
/** What a call of route N sends: path parameters, query and body, each only where the route has one. */
export type ConsoleRequest<N extends ConsoleRouteName> = {
  [K in 'params' | 'query' | 'body' as Part<N, K> extends undefined ? never : K]: Input<Part<N, K>>;
};
/** The same, as the relay's handler receives it (validated and defaulted). */
export type ConsoleValidRequest<N extends ConsoleRouteName> = {
  [K in 'params' | 'query' | 'body']: Output<Part<N, K>>;
};
/** What route N answers. */
export type ConsoleResponse<N extends ConsoleRouteName> = z.output<ConsoleRoutes[N]['response']>;

/** The URL path of a call of `route` (under CONSOLE_API), with its parameters escaped and its query. */
export function consolePath(
  route: ConsoleRoute,
  params: Record<string, string> = {},
  query: Record<string, string | number | undefined> = {},
): string {
  const path = route.path.replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(params[name] ?? ''));
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) search.set(key, String(value));
  const text = search.toString();
  return `${CONSOLE_API}${path}${text ? `?${text}` : ''}`;
}
