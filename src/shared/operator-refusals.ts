/**
 * What the relay's refusals mean to the operator, in words: the sentence for a refused join or
 * activation file, and the password screen again after a wrong password or a try too soon.
 * Pure, for OperatorSession (operator-session.ts, the app's and the browser's), which owns the state they go into.
 */
import { activationProblemMessage } from './activation-file.js';
import type { OperatorState } from './ipc.js';
import type { RelayEventPayload } from './protocol.js';

export type RelayError = RelayEventPayload<'relay:error'>;

/** What the relay's refusals mean to the operator. */
export function refusalMessage(error: RelayError, sessionId: string): string {
  switch (error.code) {
    case 'no-such-session':
      return `No device is waiting with session ID ${sessionId}. Check the number with the user.`;
    case 'session-busy':
      return 'Another operator is already in this session.';
    case 'activation-used':
      return activationProblemMessage({ kind: 'used' });
    case 'activation-invalid':
      return 'The relay did not accept this activation file as one it signed. Request a new assistance.';
    case 'activation-revoked':
      return 'This activation file was signed with a key its relay has revoked. Do not use it; request a new assistance.';
    case 'activation-expired':
      return 'This activation file has expired. Request a new assistance.';
    case 'not-your-activation':
      return 'This activation file was issued to another operator; it only works for them.';
    case 'locked':
      return 'Too many wrong passwords: this assistance is locked. Request a new one.';
    case 'session-expired':
      return 'This assistance is over: its time ran out. Request a new one.';
    case 'device-away':
      return 'The device is reconnecting to the relay. Try again in a moment.';
    default:
      return error.message;
  }
}

/**
 * A wrong password or one tried too soon, while the operator is asked for it: the password screen again, saying how
 * many attempts are left or how long to wait; null for any other refusal.
 */
export function passwordAgain(
  error: RelayError,
  current: Extract<OperatorState, { status: 'password' }>,
  sessionId: string,
  now: number,
): OperatorState | null {
  const deviceName = current.deviceName;
  const device = deviceName ? { deviceName } : {};
  if (error.code === 'wrong-password') {
    const left = error.attemptsLeft ?? 0;
    return {
      status: 'password',
      sessionId,
      ...device,
      attemptsLeft: left,
      message: `Wrong password. ${left} attempt${left === 1 ? '' : 's'} left before this assistance is locked.`,
    };
  }
  if (error.code === 'retry-later') {
    const wait = error.retryAfterMs ?? 1000;
    return {
      status: 'password',
      sessionId,
      ...device,
      retryAt: now + wait,
      message: `Too many tries: wait ${Math.ceil(wait / 1000)} s before the next one.`,
    };
  }
  return null;
}
