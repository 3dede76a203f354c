/**
 * Whether control needs the verification words confirmed (docs/security.md): the device's own
 * setting, from its agent's configuration file, handed by the agent to each host it starts in the
 * host's environment. It never comes from the relay, which is exactly what the words guard
 * against: a relay could not switch it off.
 *
 * - `required`: the operator gets control only after the user confirmed, on the device, that the
 *   operator read out the same four words; until then the operator sees the screen, view only.
 * - `unattended`: what an unattended assistance (nobody to ask) gets where the words are
 *   required: `view` (the default; someone at the device can still confirm them), or `control`
 *   without them (this device trusts its relay for unattended assistance).
 */
import { z } from 'zod';

export const VerificationPolicy = z
  .object({
    required: z.boolean().default(false),
    unattended: z.enum(['view', 'control']).default('view'),
  })
  .strict();
export type VerificationPolicy = z.infer<typeof VerificationPolicy>;

export const DEFAULT_VERIFICATION: VerificationPolicy = { required: false, unattended: 'view' };

/** The variable the agent sets for the hosts it starts (JSON of a VerificationPolicy). */
export const VERIFICATION_ENV = 'FLXRA_VERIFICATION';

export function verificationEnv(policy: VerificationPolicy): Record<string, string> {
  return { [VERIFICATION_ENV]: JSON.stringify(policy) };
}

/**
 * The policy a host was started with; the default when none was set. A damaged value stops the
 * host rather than run with less checking than the device asked for.
 */
export function readVerificationEnv(env: Record<string, string | undefined>): VerificationPolicy {
  const text = env[VERIFICATION_ENV];
  if (text === undefined || text === '') return DEFAULT_VERIFICATION;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${VERIFICATION_ENV} is not JSON`);
  }
  const parsed = VerificationPolicy.safeParse(json);
  if (!parsed.success)
    throw new Error(`${VERIFICATION_ENV} is not a verification policy: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
