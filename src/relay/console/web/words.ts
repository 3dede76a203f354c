/**
 * The console's words for what the relay sends as codes: an assistance's state (its lifecycle's,
 * as assistance-status.ts reads it), why it ended, the audit trail's actions, their results and
 * who did them.
 * Records over the shared enums, so that a code added there without its words does not compile.
 */
import type { AuditAction, AuditEntry } from '../../../shared/audit';
import type { AssistanceStatus } from '../../../shared/console-api';
import type { EndReason } from '../../../shared/protocol';

export const STATUS_WORDS: Record<AssistanceStatus, string> = {
  'waiting-for-operator': 'Waiting for the operator to open the file',
  'waiting-for-consent': 'Waiting for the user’s consent',
  declined: 'Declined by the user',
  connected: 'Connected',
  'device-reconnecting': 'The device is reconnecting…',
  'operator-reconnecting': 'The operator’s app is reconnecting…',
  ended: 'Ended',
  expired: 'Expired',
  locked: 'Locked: too many wrong passwords',
};

/** Why an assistance ended, as an administrator reads it in a list. */
export const END_WORDS: Record<EndReason, string> = {
  'user-ended': 'the user ended it',
  'operator-left': 'the operator ended it',
  declined: 'the user declined',
  'consent-timeout': 'nobody answered the consent request',
  'host-gone': 'the device disconnected',
  'operator-gone': 'the operator’s app disconnected',
  replaced: 'the operator joined from another window',
  expired: 'its time ran out',
  'agent-restarted': 'the device’s agent restarted',
  'policy-changed': 'the policy no longer allows it',
  'operator-revoked': 'the operator’s access was removed',
  'device-removed': 'the device was removed',
  'host-lost': 'the device lost its connection for too long',
  'host-closed': 'flxra was closed on the device',
  'host-failed': 'the device could not start it',
  superseded: 'a new assistance was requested for the device',
  'ended-by-admin': 'an administrator ended it',
  'relay-restarted': 'the relay restarted and the device did not come back',
  'request-declined': 'the user declined it when told of the request',
  'recording-failed': 'its recording stopped reaching the relay (required by the policy)',
  'browser-refused': 'the device requires the verification words and refuses operators in the browser',
};

export const ACTION_WORDS: Record<AuditAction, string> = {
  'assistance.requested': 'Assistance requested',
  'assistance.refused': 'Assistance refused',
  'consent.decided': 'User answered the consent request',
  'connection.started': 'Operator connected',
  'connection.ended': 'Operator disconnected',
  'password.failed': 'Wrong one-time password',
  'assistance.locked': 'Assistance locked',
  'assistance.expired': 'Assistance expired',
  'assistance.ended': 'Assistance ended',
  'chat.message': 'Chat message',
  'chat.refused': 'Chat message refused',
  'clipboard.transferred': 'Clipboard text copied',
  'secure-desktop.sas': 'Ctrl+Alt+Del (Secure Attention Sequence)',
  'special-key.sent': 'Special key sent',
  'display.shown': 'Display switched',
  'file.started': 'File transfer started',
  'file.transferred': 'File transferred',
  'file.stopped': 'File transfer stopped',
  'tool.used': 'Admin tool used',
  'control.requested': 'Operator asked for control',
  'assistance.taken-over': 'Assistance taken over by another relay node',
  'assistance.notes': 'Ticket and notes attached',
  'tool.opened': 'Admin tool opened',
  'tool.closed': 'Admin tool closed',
  'tool.refused': 'Admin tool refused',
  'tool.registry-changed': 'Registry changed',
  'tool.process-ended': 'Process ended',
  'policy.changed': 'Policy changed',
  'user.signed-in': 'Signed in to the console',
  'user.created': 'Console user added',
  'user.removed': 'Console user removed',
  'user.role-changed': 'Console user’s role changed',
  'device.enrolled': 'Device enrolled',
  'device.re-enrolled': 'Device enrolled again',
  'device.renamed': 'Device renamed',
  'enrolment-token.created': 'Enrolment token made',
  'enrolment-token.revoked': 'Enrolment token revoked',
  'device.removed': 'Device removed',
  'user.second-factor-changed': 'Second factor changed',
  'user.password-changed': 'Password changed or reset',
  'console.security-changed': 'Console security changed',
  'sign-in.alert': 'Repeated failed sign-ins',
  'role.created': 'Role created',
  'role.removed': 'Role removed',
  'role.assigned': 'Role assigned',
  'relay.started': 'Relay started',
  'app.sign-in-code': 'App sign-in link made',
  'app.signed-in': 'App signed in from the console',
  'recording.started': 'Recording started',
  'recording.chunk': 'Recording chunk stored',
  'recording.expired': 'Recording chunks expired',
  'recording.refused': 'Recording chunk refused',
};

/** "Relay restarted" for a restart, else the action's words. */
export function actionWords(entry: Pick<AuditEntry, 'action' | 'detail'>): string {
  if (entry.action === 'relay.started' && entry.detail.restart === true) return 'Relay restarted';
  return ACTION_WORDS[entry.action];
}

/**
 * Who did it, in words: "Alice Admin, admin", "Ada Lovelace, operator", a device by its host
 * name, "the relay". `hostname` names devices the console knows.
 */
export function actorWords(actor: AuditEntry['actor'], hostname: (deviceId: string) => string | undefined): string {
  switch (actor.kind) {
    case 'relay':
      return 'the relay';
    case 'device':
      return `${hostname(actor.id) ?? actor.name}, device`;
    case 'user':
      // The person at a device: the relay knows where they are, not who.
      return actor.name;
    case 'admin':
    case 'operator':
      return `${actor.name}, ${actor.kind}`;
  }
}

/** The audit's results as the relay records them (audit.ts keeps them as text): in words. */
export const RESULT_WORDS: Record<string, string> = {
  ok: 'Done',
  denied: 'Refused',
  failed: 'Failed',
  locked: 'Failed, account locked',
  alert: 'Alert',
  'allowed-control': 'Allowed with control',
  'allowed-view': 'Allowed to view only',
  declined: 'Declined by the user',
  timeout: 'Not answered in time',
};

/** A result's words; a code without words yet is shown as it is rather than hidden. */
export function resultWords(result: string): string {
  return Object.hasOwn(RESULT_WORDS, result) ? RESULT_WORDS[result]! : result;
}
