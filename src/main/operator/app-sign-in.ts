/**
 * The operator's app signed in by the console: a `flxra:` sign-in link (src/shared/app-sign-in-link.ts)
 * carries a one-time code and the relay's origin. Any web page can open such a link, so the app
 * accepts it only for a relay it already trusts (the configured one, or one whose signing key the
 * operator trusted), refusing any other with a sentence before anything is sent anywhere; then it
 * asks the operator (the controller's confirm-sign-in state) and only then redeems the code with
 * that relay for an operator token. The caller keeps the token in the keychain, for that relay only.
 */
import { parseAppSignInLink } from '../../shared/app-sign-in-link.js';
import type { OperatorIdentity } from '../../shared/protocol.js';
import { APP_SIGN_IN_PATH, AppSignInToken } from '../../shared/relay-api.js';
import { postToRelay } from './relay-http.js';
import type { RelayRoutes } from '../relay-route.js';

export interface SignInLinkContext {
  /** The relay this app is configured for. */
  configuredRelay: string;
  /** Whether the operator trusts a signing key of this relay (trusted-relays.ts). */
  trustsRelay(origin: string): Promise<boolean>;
}

export type CheckedSignInLink = { ok: true; relay: string; code: string } | { ok: false; message: string };
export type LinkSignIn = { ok: true; relay: string; answer: AppSignInToken } | { ok: false; message: string };

/** Whether a link may be offered to the operator at all: well formed, for a relay this app trusts. Sends nothing. */
export async function checkSignInLink(link: string, ctx: SignInLinkContext): Promise<CheckedSignInLink> {
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
  return { ok: true, relay, code };
}

/** The operator said yes: the code is redeemed with its (checked) relay for an operator token. */
export async function redeemSignInCode(relay: string, code: string, routes?: RelayRoutes): Promise<LinkSignIn> {
  const answer = await postToRelay(relay, APP_SIGN_IN_PATH, { code }, AppSignInToken, routes ? { routes } : {});
  if (!answer.ok) {
    const why = answer.message.replace(/\.?$/, '.');
    return { ok: false, message: `The relay at ${relay} did not sign this app in: ${why}` };
  }
  return { ok: true, relay, answer: answer.body };
}

/** Who the app was signed in as, and where, when a sign-in may replace it. */
export interface SignedInAs {
  operator: OperatorIdentity;
  relay: string;
}

const who = (o: OperatorIdentity) => `${o.name} (${o.organisation})`;

/** What the home screen says after a sign-in replaced another identity; null when it is the same one. */
export function identitySwitchNotice(before: SignedInAs | null, now: SignedInAs): string | null {
  if (!before || (before.operator.id === now.operator.id && before.relay === now.relay)) return null;
  return `The app is now signed in to ${now.relay} as ${who(now.operator)}, no longer as ${who(before.operator)}${
    before.relay === now.relay ? '' : ` on ${before.relay}`
  }.`;
}
