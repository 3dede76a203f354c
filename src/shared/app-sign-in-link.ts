/**
 * The `flxra:` link the console hands the operator's app to sign it in: it carries only a
 * one-time code (valid for a minute) and the origin of the relay that issued it, never a token.
 * The console builds it (src/relay/console/app-sign-in.ts); the app reads it here and accepts it
 * only for a relay it already trusts (src/main/operator/app-sign-in.ts).
 *
 *   flxra://sign-in?relay=https%3A%2F%2Frelay.example.org&code=<22+ base64url characters>
 */
import { z } from 'zod';
import { checkRelayUrl } from './relay-url.js';

export const APP_SIGN_IN_SCHEME = 'flxra:';
const HOST = 'sign-in';
/** A link is a few hundred characters; anything much longer is not one. */
const MAX_LINK = 1024;

export function appSignInLink(relayOrigin: string, code: string): string {
  const query = new URLSearchParams({ relay: new URL(relayOrigin).origin, code });
  return `${APP_SIGN_IN_SCHEME}//${HOST}?${query.toString()}`;
}

export type ParsedSignInLink = { ok: true; relay: string; code: string } | { ok: false; message: string };

const NOT_A_LINK: ParsedSignInLink = {
  ok: false,
  message: 'This is not a flxra sign-in link. Use "Connect the app" in your relay\'s console again.',
};

/** Whether a command-line argument looks like a sign-in link at all (then parseAppSignInLink says more). */
export function isAppSignInLink(text: string): boolean {
  return text.toLowerCase().startsWith(`${APP_SIGN_IN_SCHEME}//${HOST}`);
}

export function parseAppSignInLink(text: string): ParsedSignInLink {
  if (text.length > MAX_LINK || !isAppSignInLink(text)) return NOT_A_LINK;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return NOT_A_LINK;
  }
  if (url.protocol !== APP_SIGN_IN_SCHEME || url.host !== HOST) return NOT_A_LINK;
  const relay = url.searchParams.get('relay');
  const code = url.searchParams.get('code');
  if (!relay || !code || !/^[A-Za-z0-9_-]{22,64}$/.test(code)) return NOT_A_LINK;
  const checked = checkRelayUrl(relay);
  if (!checked.ok) return NOT_A_LINK;
  return { ok: true, relay: new URL(checked.url).origin, code };
}

/**
 * POST /console/api/me/app-sign-in: the link that signs the operator's app in (it carries only
 * the one-time code and the relay's origin), until when it works, and the relay's signing-key
 * fingerprints, which the app shows too, to compare.
 */
export const AppSignInOffer = z.object({
  link: z.string(),
  relay: z.string(),
  /** ms since the epoch. */
  expiresAt: z.number().int(),
  fingerprints: z.array(z.string()),
});
export type AppSignInOffer = z.infer<typeof AppSignInOffer>;
