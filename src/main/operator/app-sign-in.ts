/**
 * The operator's app signed in by the console: a `flxra:` sign-in link (src/shared/app-sign-in-link.ts)
 * carries a one-time code and the relay's origin. The app accepts it only for a relay it already
 * trusts (the configured one, or one whose signing key the operator trusted), and refuses any
 * other with a sentence, before anything is sent anywhere; then it redeems the code with that
 * relay for an operator token. The caller keeps the token in the keychain, for that relay only.
 */
import { parseAppSignInLink } from '../../shared/app-sign-in-link.js';
import { APP_SIGN_IN_PATH, AppSignInToken } from '../../shared/relay-api.js';
import { postToRelay } from './relay-http.js';

export interface SignInLinkContext {
  /** The relay this app is configured for. */
  configuredRelay: string;
  /** Whether the operator trusts a signing key of this relay (trusted-relays.ts). */
  trustsRelay(origin: string): Promise<boolean>;
}

export type LinkSignIn = { ok: true; relay: string; answer: AppSignInToken } | { ok: false; message: string };

export async function redeemSignInLink(link: string, ctx: SignInLinkContext): Promise<LinkSignIn> {
  const parsed = parseAppSignInLink(link);
  if (!parsed.ok) return parsed;
  const { relay, code } = parsed;
  const configured = new URL(ctx.configuredRelay).origin;
  if (relay !== configured && !(await ctx.trustsRelay(relay))) {
    return {
      ok: false,
      message: `This sign-in link names the relay at ${relay}, which this app does not trust, so it was not used. Sign in from the console of your own relay (${configured}).`,
    };
  }
  const answer = await postToRelay(relay, APP_SIGN_IN_PATH, { code }, AppSignInToken);
  if (!answer.ok) {
    const why = answer.message.replace(/\.?$/, '.');
    return { ok: false, message: `The relay at ${relay} did not sign this app in: ${why}` };
  }
  return { ok: true, relay, answer: answer.body };
}
