/**
 * The console's HTTP API, served by the relay under /console/api, for the console web page.
 * Sign-in sets an HttpOnly, SameSite=Strict session cookie; every other call needs it, and
 * state-changing calls also carry the X-Flxra-CSRF header the sign-in answer gives.
 */
import { z } from 'zod';
import { AuditEntry } from './audit.js';
import { Policy, PolicyOverride, Role, type Availability } from './policy.js';
import { RequestedMode, SessionId } from './protocol.js';
import { UserSession } from './user-sessions.js';

export const CONSOLE_API = '/console/api';

/** Letters, digits, dot, dash, underscore; compared without regard to case. */
export const Username = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,64}$/, 'a username is 1 to 64 letters, digits, dots, dashes or underscores');
export const Password = z.string().min(12, 'a password has at least 12 characters').max(256);

/** GET /console/api/setup: whether the first admin is still to be made (the page then asks for the link). */
export const SetupState = z.object({ needed: z.boolean() });
export type SetupState = z.infer<typeof SetupState>;

/**
 * POST /console/api/setup: the one-time link printed at the relay's first start makes the first
 * admin, and with it the operator identity (name, organisation) the user at a device is shown.
 */
export const SetupRequest = z.object({
  setupToken: z.string().min(1).max(256),
  username: Username,
  name: z.string().trim().min(1).max(200),
  organisation: z.string().trim().min(1).max(200),
  password: Password,
});

/** POST /console/api/login */
export const LoginRequest = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(256) });
export const ConsoleUser = z.object({ username: z.string(), name: z.string(), role: Role, operatorId: z.string() });
export type ConsoleUser = z.infer<typeof ConsoleUser>;
export const LoginResponse = z.object({
  user: ConsoleUser,
  csrfToken: z.string(),
});
export type LoginResponse = z.infer<typeof LoginResponse>;
/** Setup signs the new admin in; the token for the flxra app of its new operator identity is shown once. */
export const SetupResponse = LoginResponse.extend({ operatorToken: z.string() });
export type SetupResponse = z.infer<typeof SetupResponse>;
/** The header carrying the sign-in answer's csrfToken on every state-changing call. */
export const CSRF_HEADER = 'x-flxra-csrf';

/**
 * POST /console/api/users (admin only). With operatorId the user acts as that existing operator
 * (who already has the app's token); without, a new operator identity is made in the creating
 * admin's organisation and its app token is answered once.
 */
export const NewUserRequest = z.object({
  username: Username,
  name: z.string().trim().min(1).max(200),
  role: Role,
  password: Password,
  operatorId: z.string().min(1).max(64).optional(),
});
export const NewUserResponse = z.object({ user: ConsoleUser, operatorToken: z.string().optional() });
export type NewUserResponse = z.infer<typeof NewUserResponse>;

/**
 * PATCH /console/api/users/:username { role } (admin only): answers { user }. DELETE
 * /console/api/users/:username (admin only): answers {} and ends that user's console sessions;
 * their operator identity stays in the operator registry. Refused with 409: the only admin (to
 * remove or make an operator), and an admin's own account ("ask another administrator").
 */
export const UserRoleRequest = z.object({ role: Role });
export const ChangedUserResponse = z.object({ user: ConsoleUser });
export type ChangedUserResponse = z.infer<typeof ChangedUserResponse>;

/** GET /console/api/devices: { devices: ConsoleDevice[] } */
export interface ConsoleDevice {
  deviceId: string;
  hostname: string;
  os: string;
  agentVersion: string;
  reportGroup: string;
  online: boolean;
  lastSeen: string | null;
  userSessions: UserSession[];
  availability: Availability;
}

/** GET /console/api/sessions: { sessions: ConsoleUserSession[] }, one row per user session on a device. */
export interface ConsoleUserSession {
  deviceId: string;
  hostname: string;
  session: UserSession;
  availability: Availability;
}

/** POST /console/api/assistances (answer: relay-api's AssistanceResponse) */
export const ConsoleAssistanceRequest = z.object({
  deviceId: z.string().min(1).max(64),
  mode: RequestedMode,
  userSessionId: z.string().min(1).max(64).optional(),
});

/** GET /console/api/assistances/:sessionId: what the operator's console shows about it. */
export const AssistanceStatus = z.enum([
  'waiting-for-operator',
  'waiting-for-consent',
  'declined',
  'connected',
  'ended',
  'expired',
  'locked',
]);
export type AssistanceStatus = z.infer<typeof AssistanceStatus>;
export interface ConsoleAssistance {
  sessionId: SessionId;
  deviceId: string;
  mode: 'attended' | 'unattended';
  status: z.infer<typeof AssistanceStatus>;
}

/** GET/PUT /console/api/policy (PUT: admin only) */
export const PolicySettings = z.object({ product: Policy, groups: z.record(z.string(), PolicyOverride) });
export type PolicySettings = z.infer<typeof PolicySettings>;

/** GET /console/api/audit?format=json|csv[&limit=n], admin only; newest first, every entry without a limit. */
export const AuditPage = z.object({ entries: z.array(AuditEntry) });
export type AuditPage = z.infer<typeof AuditPage>;
