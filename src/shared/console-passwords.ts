/**
 * Console passwords, as the route table (console-api.ts) uses them: what a new password must be
 * (the relay checks its length and how guessable it is: src/relay/console/password-check.ts), a
 * user changing their own, and an administrator resetting someone else's to a temporary one
 * that must be changed at the next sign-in. No Node imports: pages import this.
 */
import { z } from 'zod';

/** The fewest characters a console password has (the relay also refuses guessable longer ones). */
export const MIN_PASSWORD_LENGTH = 12;
/** The most a password field takes; the relay scores only the start of a long one. */
export const MAX_PASSWORD_LENGTH = 256;

/**
 * A new password as a request carries it. Its length and strength are the relay's to judge, so
 * that a refusal says why in one sentence (400 `weak-password`) and the page shows it by the field.
 */
export const Password = z.string().min(1, 'enter a password').max(MAX_PASSWORD_LENGTH);

/** The code of a password refused for its length or for being easy to guess. */
export const WEAK_PASSWORD = 'weak-password';

/**
 * POST /console/api/me/password: the signed-in user's new password, with their current one. The
 * user's other console sign-ins end; this one stays.
 */
export const PasswordChangeRequest = z.object({
  currentPassword: z.string().min(1, 'enter your current password').max(MAX_PASSWORD_LENGTH),
  newPassword: Password,
});

/**
 * POST /console/api/users/:username/password (admin only): a temporary password, typed by the
 * admin or (without `password`) made by the relay and answered once. The user's console
 * sign-ins end, and at the next one they must choose a new password before anything else.
 */
export const PasswordResetRequest = z.object({ password: Password.optional() });
export const PasswordResetResponse = z.object({
  /** The relay's generated temporary password: shown once, never stored in plain text. */
  password: z.string().optional(),
});
export type PasswordResetResponse = z.infer<typeof PasswordResetResponse>;
