/**
 * The console's "Connect the app" route: a one-time code for the signed-in user (app-sign-in.ts)
 * in a `flxra:` link naming this relay's public origin, with the relay's signing-key fingerprints
 * for the operator to compare with what the app shows.
 */
import { appSignInLink } from '../../shared/app-sign-in-link.js';
import type { RelayKeys } from '../../shared/relay-api.js';
import type { AppSignInCodes } from './app-sign-in.js';
import type { BrowserTickets } from './browser-tickets.js';
import type { ConsoleHandlers } from './routes.js';

export interface AppSignInDeps {
  appSignIn: AppSignInCodes;
  /** What the relay publishes of its keys (the app's key checks read the same). */
  signingKeys: { published(): Promise<RelayKeys> };
  publicUrl: string;
  browserTickets: BrowserTickets;
}

export function appSignInHandlers(
  deps: AppSignInDeps,
): Pick<ConsoleHandlers, 'appSignInCode' | 'browserOperatorTicket'> {
  return {
    // The operator in the browser signs in through this console session (browser-tickets.ts).
    browserOperatorTicket: (_input, { signedIn: { user } }) => deps.browserTickets.issue(user),
    async appSignInCode(_input, { signedIn: { user } }) {
      const relay = new URL(deps.publicUrl).origin;
      const published = await deps.signingKeys.published();
      const { code, expiresAt } = deps.appSignIn.issue(user);
      return {
        link: appSignInLink(relay, code),
        relay,
        expiresAt,
        fingerprints: published.keys.filter((k) => k.status !== 'retired').map((k) => k.fingerprint),
      };
    },
  };
}
