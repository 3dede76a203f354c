/**
 * The host's rules for the verification words (docs/security.md), apart from the session's
 * relay plumbing: which mode a session may start in, and how each step (a connection's words
 * arriving, the user confirming them, the user giving control) changes the active state. Where
 * the device requires the words, the invariant is: mode 'control' only on a connection whose
 * words the user confirmed; control given earlier waits (`controlPending`) with the screen view
 * only. Each step returns the next state and the mode to tell the relay when it changed.
 */
import type { AccessMode } from '../../shared/protocol.js';
import type { HostState, HostVerification } from '../../shared/ipc.js';
import type { SasWords } from '../../shared/sas.js';
import type { VerificationPolicy } from '../../shared/verification-policy.js';

export type ActiveState = Extract<HostState, { status: 'active' }>;
export interface Step {
  next: ActiveState;
  /** Set when the operator must be told of a new mode (session:mode). */
  tellRelay?: AccessMode;
}

/** The mode a session starts in once allowed, and its verification: control held back where words are required. */
export function startVerification(
  policy: VerificationPolicy,
  wanted: AccessMode,
  unattended: boolean,
): { mode: AccessMode; verification: HostVerification } {
  const required = policy.required && !(unattended && policy.unattended === 'control');
  const pending = required && wanted === 'control';
  return {
    mode: pending ? 'view' : wanted,
    verification: { required, words: null, confirmed: false, controlPending: pending },
  };
}

function withVerification(s: ActiveState, change: Partial<HostVerification>): ActiveState {
  return { ...s, verification: { ...s.verification, ...change } };
}

/** Control starts when it was waiting for exactly this: confirmed words. */
function grantIfPending(s: ActiveState): Step {
  if (!s.verification.controlPending || !s.verification.confirmed) return { next: s };
  return { next: { ...withVerification(s, { controlPending: false }), mode: 'control' }, tellRelay: 'control' };
}

/** The page opens a new connection: nothing of it is verified; control waits for its words where they are required. */
export function connectionOpened(s: ActiveState): Step {
  const next = withVerification(s, { words: null, confirmed: false });
  if (!s.verification.required || s.mode !== 'control') return { next };
  return { next: { ...withVerification(next, { controlPending: true }), mode: 'view' }, tellRelay: 'view' };
}

/** The connection's words: confirmed already when the user confirmed this same connection before. */
export function wordsDerived(s: ActiveState, words: SasWords, verifiedBefore: boolean): Step {
  return grantIfPending(withVerification(s, { words, confirmed: verifiedBefore }));
}

/** The user confirmed the words shown; refused when they are not (or no longer) this connection's. */
export function wordsConfirmed(s: ActiveState, words: SasWords): Step {
  const current = s.verification.words;
  if (!current || current.join(' ') !== words.join(' ')) {
    throw new Error('These are not the words of the current connection: compare the words shown now.');
  }
  return grantIfPending(withVerification(s, { confirmed: true }));
}

/** The user's switch: control waits for the words where they are required and not confirmed yet. */
export function modeChosen(s: ActiveState, mode: AccessMode): Step {
  const v = s.verification;
  if (mode === 'control' && v.required && !v.confirmed) return { next: withVerification(s, { controlPending: true }) };
  return { next: { ...withVerification(s, { controlPending: false }), mode }, tellRelay: mode };
}
