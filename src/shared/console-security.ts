/**
 * The console's sign-in security, as the route table (console-api.ts) uses it: TOTP second
 * factors (RFC 6238, what authenticator apps show: 6 digits every 30 s), the administrators'
 * setting that requires them, and the alerts for repeated failed sign-ins that admins see.
 * No Node imports: pages import this.
 */
import { z } from 'zod';

/** The 6 digits of an authenticator app, with any spaces people type between them. */
export const TotpCode = z
  .string()
  .max(32)
  .transform((text) => text.replace(/\s+/g, ''))
  .pipe(z.string().regex(/^\d{6}$/, 'a code is the 6 digits your authenticator app shows'));

/** GET /console/api/me/second-factor: the signed-in user's own second factor. */
export const SecondFactorStatus = z.object({
  enabled: z.boolean(),
  /** An administrator requires one: it cannot be turned off, and without it only its setup is open. */
  required: z.boolean(),
});
export type SecondFactorStatus = z.infer<typeof SecondFactorStatus>;

/**
 * POST /console/api/me/second-factor: a new secret to add to an authenticator app (the otpauth://
 * URI, or the secret typed in). It is not on until POST …/confirm answers with a code it shows.
 */
export const SecondFactorEnrolment = z.object({ secret: z.string(), uri: z.string() });
export type SecondFactorEnrolment = z.infer<typeof SecondFactorEnrolment>;

/** POST …/confirm and …/disable: a current code of the app. */
export const SecondFactorCodeRequest = z.object({ code: TotpCode });

/** GET/PUT /console/api/security (admin only). */
export const ConsoleSecuritySettings = z.object({
  /** Every console user must have a second factor; those without are sent to set one up. */
  requireSecondFactor: z.boolean(),
});
export type ConsoleSecuritySettings = z.infer<typeof ConsoleSecuritySettings>;

/**
 * GET /console/api/sign-in-alerts (admin only): repeated failed sign-ins from one address, or
 * against one account from any address, in the last hour. `failures` are wrong passwords or
 * codes; `refused` are attempts the relay turned away unchecked while that address waited.
 */
export const SignInAlert = z.object({
  kind: z.enum(['address', 'account']),
  /** The client address (IPv6: its /64), or the username. */
  subject: z.string(),
  failures: z.number().int(),
  refused: z.number().int(),
  /** For an account: from how many addresses. */
  addresses: z.number().int(),
  /** ISO 8601. */
  firstAt: z.string(),
  lastAt: z.string(),
});
export type SignInAlert = z.infer<typeof SignInAlert>;
export const SignInAlerts = z.object({ alerts: z.array(SignInAlert) });
export type SignInAlerts = z.infer<typeof SignInAlerts>;
