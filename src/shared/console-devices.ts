/**
 * The console API's devices: each enrolled device and each user session on one as the Devices
 * page lists them, with what each assistance type is for it (and why not), renaming a device, and
 * asking for an assistance on it. Re-exported by console-api.ts, which keeps the route table.
 */
import { z } from 'zod';
import { Name } from './names.js';
import { RequestedMode } from './protocol.js';
import { UserSession } from './user-sessions.js';

/** What each assistance type is for a device or a user session, and why not (policy.ts's Availability). */
const Availability = z.record(RequestedMode, z.object({ enabled: z.boolean(), reason: z.string().optional() }));

/** GET /console/api/devices: { devices: ConsoleDevice[] } */
export const ConsoleDevice = z.object({
  deviceId: z.string(),
  /** What the relay shows of the device, to operators and its user: its host name at enrolment, or a rename. */
  name: z.string(),
  hostname: z.string(),
  os: z.string(),
  agentVersion: z.string(),
  reportGroup: z.string(),
  online: z.boolean(),
  lastSeen: z.string().nullable(),
  userSessions: z.array(UserSession),
  availability: Availability,
});
export type ConsoleDevice = z.infer<typeof ConsoleDevice>;

/** GET /console/api/sessions: { sessions: ConsoleUserSession[] }, one row per user session on a device. */
export const ConsoleUserSession = z.object({
  deviceId: z.string(),
  hostname: z.string(),
  session: UserSession,
  availability: Availability,
});
export type ConsoleUserSession = z.infer<typeof ConsoleUserSession>;

/** PATCH /console/api/devices/:deviceId (admin only): the name the relay shows of it. */
export const RenameDeviceRequest = z.object({ name: Name });

/** POST /console/api/assistances (answer: relay-api's AssistanceResponse) */
export const ConsoleAssistanceRequest = z.object({
  deviceId: z.string().min(1).max(64),
  mode: RequestedMode,
  userSessionId: z.string().min(1).max(64).optional(),
});
