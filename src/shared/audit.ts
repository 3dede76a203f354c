/**
 * The audit trail: every request, consent decision, connection start and end and tool use,
 * recorded by the relay, append-only, shown in the console and exported as CSV or JSON.
 */
import { z } from 'zod';

export const AuditAction = z.enum([
  'assistance.requested',
  'assistance.refused', // by policy, version gating or the device being offline
  'consent.decided',
  'connection.started',
  'connection.ended',
  'password.failed',
  'assistance.locked',
  'assistance.expired',
  'assistance.ended', // ended before its time: by an administrator (the console's End, policy, access revoked), its device or the relay
  'tool.used',
  'tool.opened', // a Flexxible Tool (terminal, registry editor, task manager) opened on the device
  'tool.closed', // by the operator, the user, the policy, its shell's end or the assistance's; a terminal's with its transcript
  'tool.refused', // at the relay: the policy, the assistance, the environment, or a host process asking
  'tool.registry-changed', // a registry key or value changed, with its old and new value
  'tool.process-ended', // a process (or tree) ended from the task manager, with its PID and name
  'policy.changed',
  'user.signed-in',
  'user.created',
  'user.removed', // a console user; their operator identity stays in the registry
  'user.role-changed',
  'device.enrolled',
  'device.re-enrolled', // the same machine enrolled again: its record kept, its old credential dead
  'device.renamed', // by an administrator in the console
  'enrolment-token.created', // in the console (never the token itself)
  'enrolment-token.revoked', // in the console: devices enrolled with it stay
  'device.removed', // by an administrator in the console: its connections dropped, its assistances ended
  'user.second-factor-changed', // turned on or off by the user, or reset by an administrator
  'user.password-changed', // changed by the user, or reset to a temporary one by an administrator
  'console.security-changed', // an administrator required second factors, or stopped requiring them
  'sign-in.alert', // repeated failed sign-ins from one address or against one account
  'role.created', // an administrator defined a role for the capability matrix
  'role.removed',
  'role.assigned', // to a console user or an operator identity (detail.kind, id, from, to)
  'relay.started', // the relay process started: its first start, or a restart (detail.restart) on the same data
  'app.sign-in-code', // a console user asked for a one-time code to sign the operator's app in
  'app.signed-in', // the operator's app redeemed such a code (or tried to, with a wrong or used one)
]);
export type AuditAction = z.infer<typeof AuditAction>;

export const AuditEntry = z.object({
  id: z.number().int(),
  /** ISO 8601, UTC. */
  at: z.string(),
  actor: z.object({ kind: z.enum(['operator', 'user', 'admin', 'device', 'relay']), id: z.string(), name: z.string() }),
  action: AuditAction,
  deviceId: z.string().nullable(),
  sessionId: z.string().nullable(),
  /** ok, denied, failed, declined, timeout … */
  result: z.string(),
  /** What else matters for this action (mode, reason, tool …); never a secret. */
  detail: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

export const AUDIT_CSV_COLUMNS = [
  'id',
  'at',
  'actor_kind',
  'actor_id',
  'actor_name',
  'action',
  'device_id',
  'session_id',
  'result',
  'detail',
] as const;
