/**
 * An assistance as the console shows it (part of the console API, src/shared/console-api.ts):
 * its state, read by the relay off the assistance's lifecycle (console/assistance-status.ts),
 * and its row on the Assistances page. No Node imports: pages import this.
 */
import { z } from 'zod';
import { EndReason, SessionId } from './protocol.js';

/** GET /console/api/assistances/:sessionId: what the operator's console shows about it. */
export const AssistanceStatus = z.enum([
  'waiting-for-operator',
  'waiting-for-consent',
  'declined',
  'connected',
  'device-reconnecting',
  'operator-reconnecting',
  'ended',
  'expired',
  'locked',
]);
export type AssistanceStatus = z.infer<typeof AssistanceStatus>;
export const ConsoleAssistance = z.object({
  sessionId: SessionId,
  deviceId: z.string(),
  mode: z.enum(['attended', 'unattended']),
  status: AssistanceStatus,
});
export type ConsoleAssistance = z.infer<typeof ConsoleAssistance>;

/**
 * GET /console/api/assistances: the live and recent assistances, newest first (the relay forgets
 * one that is over once its file has expired); an admin sees all, an operator theirs. `live`:
 * not over yet (an admin may end it: POST /console/api/assistances/:sessionId/end).
 */
export const ListedAssistance = ConsoleAssistance.extend({
  deviceName: z.string(),
  operator: z.object({ id: z.string(), name: z.string() }),
  live: z.boolean(),
  /** Why it ended, once over. */
  endReason: EndReason.nullable(),
  /** ISO 8601. */
  requestedAt: z.string(),
  endedAt: z.string().nullable(),
});
export type ListedAssistance = z.infer<typeof ListedAssistance>;
/** The most assistances the list answers. */
export const MAX_LISTED_ASSISTANCES = 200;
