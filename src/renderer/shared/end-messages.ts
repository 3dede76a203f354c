/**
 * What each way a session ends means, told to the person on each side. A consent timeout names its
 * duration only where it is known (the host's own wait); the operator is not told it, so its
 * sentence names none rather than a default that may not be the device's.
 */
import { BROWSER_OPERATOR_NEEDS_WORDS } from '../../shared/browser-operator';
import type { EndReason } from '../../shared/protocol';

/** "1 second", "45 seconds", "2 minutes", "1 min 30 s": a wait as the user reads it. */
export function formatWait(ms: number): string {
  const seconds = Math.max(1, Math.round(ms / 1000));
  if (seconds < 60) return seconds === 1 ? '1 second' : `${seconds} seconds`;
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  if (rest) return `${minutes} min ${rest} s`;
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}

export function operatorEndMessage(reason: EndReason): string {
  switch (reason) {
    case 'user-ended':
      return 'The user ended the session.';
    case 'declined':
      return 'The user declined your request.';
    case 'consent-timeout':
      return 'The user did not answer in time, so the request was declined.';
    case 'host-gone':
      return 'The device disconnected; the session is over.';
    case 'operator-left':
      return 'You left the session.';
    case 'operator-gone':
      return 'Your connection to the relay dropped; the session is over.';
    case 'replaced':
      return 'You joined this session from another window; this one was closed.';
    case 'expired':
      return 'This assistance is over: its time ran out. Request a new one.';
    case 'agent-restarted':
      return "The device's agent restarted, so the assistance ended.";
    case 'policy-changed':
      return 'An administrator changed the policy: remote assistance is no longer allowed on this device, so the assistance ended.';
    case 'operator-revoked':
      return 'An administrator removed your access, so the assistance ended.';
    case 'device-removed':
      return 'An administrator removed the device from the relay, so the assistance ended.';
    case 'host-lost':
      return 'The device went offline: it lost its connection to the relay and did not come back in time, so the assistance ended.';
    case 'host-closed':
      return 'flxra was closed on the device, so the assistance ended.';
    case 'host-failed':
      return 'The device could not start the assistance.';
    case 'superseded':
      return 'A new assistance was requested for this device, so this one ended.';
    case 'ended-by-admin':
      return 'An administrator ended this assistance from the console.';
    case 'relay-restarted':
      return 'The relay restarted and the device did not come back in time, so the assistance ended.';
    case 'request-declined':
      return 'The user declined the assistance when they were told of the request, before you connected. Nothing was shared.';
    case 'recording-failed':
      return 'The policy requires this session to be recorded, and the recording stopped reaching the relay for 30 seconds, so the session ended.';
    case 'browser-refused':
      return BROWSER_OPERATOR_NEEDS_WORDS;
  }
}

/** `waitedMs`: how long the consent window waited, where a consent timeout ended it. */
export function hostEndMessage(reason: EndReason, operatorName?: string, waitedMs?: number): string {
  const who = operatorName ?? 'The operator';
  switch (reason) {
    case 'user-ended':
      return 'You ended the session.';
    case 'declined':
      return 'You declined the request.';
    case 'consent-timeout':
      return waitedMs !== undefined
        ? `Nobody answered within ${formatWait(waitedMs)}, so the request was declined.`
        : 'Nobody answered in time, so the request was declined.';
    case 'host-gone':
      return 'The connection to the relay was lost; the session ended.';
    case 'operator-left':
      return `${who} ended the session.`;
    case 'operator-gone':
    case 'replaced':
      return `${who}'s connection dropped; the session ended.`;
    case 'expired':
      return 'The remote assistance is over.';
    case 'agent-restarted':
      return "The device's agent restarted, so the assistance ended.";
    case 'policy-changed':
      return 'Remote assistance was switched off for this device by your organisation, so the session ended.';
    case 'operator-revoked':
      return `${who} no longer has access to remote assistance, so the session ended.`;
    case 'device-removed':
      return 'This computer was removed from remote assistance by your organisation, so the session ended.';
    case 'host-lost':
      return 'This computer lost its connection to the relay for too long, so the session ended.';
    case 'host-closed':
      return 'flxra was closed, so the session ended.';
    case 'host-failed':
      return 'The remote assistance could not start on this computer.';
    case 'superseded':
      return 'A new remote assistance was requested, so this one ended.';
    case 'ended-by-admin':
      return 'An administrator of your organisation ended the remote assistance.';
    case 'relay-restarted':
      return 'The remote assistance service restarted and this computer did not reconnect in time, so the session ended.';
    case 'request-declined':
      return `You declined the remote assistance; ${who} was told.`;
    case 'recording-failed':
      return 'The session had to be recorded and its recording stopped, so it ended.';
    case 'browser-refused':
      return `${who} asked to connect from a browser page. This device requires the verification words, so it refused; nothing was shared.`;
  }
}

/** What the host window says under every end: the user may close it (it closes by itself soon). */
export const NOTHING_SHARED = 'Nothing is shared any more; you can close this window.';
