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
  'control.requested', // the operator asked the user for control from the viewer toolbar
  'assistance.taken-over', // one relay node carried on an assistance whose node died (detail.from, detail.to)
  'assistance.notes', // the operator's ticket number and notes (detail.ticket, detail.notes)
  'tool.opened', // a Flexxible Tool (terminal, registry editor, task manager) opened on the device
  'tool.closed', // by the operator, the user, the policy, its shell's end or the assistance's; a terminal's with its transcript
  'tool.refused', // at the relay: the policy, the assistance, the environment, or a host process asking
  'tool.registry-changed', // a registry key or value changed, with its old and new value
  'tool.process-ended', // a process (or tree) ended from the task manager, with its PID and name
  'chat.message', // a chat message between operator and user, its text kept
  'chat.refused', // a chat message the relay did not deliver (policy, not active, size, rate)
  'clipboard.transferred', // text copied to or from the device (direction and size, never the text)
  'secure-desktop.sas', // Ctrl+Alt+Del asked of the device's secure-desktop helper: forwarded, or refused by the relay or the device
  'special-key.sent', // a special key (Windows key, Alt+Tab, Print Screen, Ctrl+Alt+Del) sent, or refused, on the device
  'display.shown', // the operator switched to another display of the device, or all (refused where the policy says no)
  'file.started', // a file transfer began (or resumed: detail.resumedAt): name, size, direction, SHA-256
  'file.transferred', // …arrived whole, its SHA-256 checked, saved (detail.message says under which name)
  'file.stopped', // …cancelled by either side, failed (full disk, vanished file, damaged) or refused (policy, name)
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
  'recording.started', // the policy required recording: a part of it began (detail.part)
  'recording.chunk', // one chunk stored: its SHA-256 (video, events) and its link in the recording's chain
  'recording.expired', // chunks removed by the retention setting (detail.part, fromSeq, toSeq)
  'recording.refused', // a chunk the relay did not take (not recording, out of order, too large)
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
