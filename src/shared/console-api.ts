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

/** POST /console/api/setup: the one-time link printed at the relay's first start makes the first admin. */
export const SetupRequest = z.object({
  setupToken: z.string().min(1).max(256),
  username: z.string().min(1).max(64),
  name: z.string().min(1).max(200),
  password: z.string().min(12, 'a password has at least 12 characters').max(256),
});

/** POST /console/api/login */
export const LoginRequest = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(256) });
export const LoginResponse = z.object({
  user: z.object({ username: z.string(), name: z.string(), role: Role }),
  csrfToken: z.string(),
});

/** GET /console/api/devices */
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

/** GET /console/api/sessions: one row per user session on a device. */
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
export const AssistanceStatus = z.enum(['waiting-for-operator', 'waiting-for-consent', 'declined', 'connected', 'ended', 'expired', 'locked']);
export interface ConsoleAssistance {
  sessionId: SessionId;
  deviceId: string;
  mode: 'attended' | 'unattended';
  status: z.infer<typeof AssistanceStatus>;
}

/** GET/PUT /console/api/policy (PUT: admin only) */
export const PolicySettings = z.object({ product: Policy, groups: z.record(z.string(), PolicyOverride) });
export type PolicySettings = z.infer<typeof PolicySettings>;

/** GET /console/api/audit?format=json|csv */
export const AuditPage = z.object({ entries: z.array(AuditEntry) });
