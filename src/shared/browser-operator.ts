/**
 * The operator in the browser's contract between the console page, the viewer page the relay
 * serves and the relay: where the page lives, the ticket its console session gets for the
 * socket.io handshake (src/relay/console/browser-tickets.ts), and how the console hands the page
 * the assistance to open: in the address's fragment, which no request carries (the pages send no
 * Referer either) and which the viewer clears from its address as it reads it. The activation
 * token in it is the file's: the relay checks it as it checks a file (single use, the password
 * for unattended, issued to this operator only). In the browser the relay is trusted by
 * construction, since it serves the page, so the page does not verify the file's signature.
 */
import { z } from 'zod';
import { ActivationClaims, parseActivationEnvelope } from './activation-file.js';
import { AssistanceMode, SessionId } from './protocol.js';
import type { AssistanceResponse } from './relay-api.js';

/** The viewer page, under the console (its cookie's path) so the page can ask for tickets. */
export const BROWSER_OPERATOR_PATH = '/console/operator/';

/** What POST /console/api/me/browser-operator answers: a one-time handshake ticket. */
export const BrowserOperatorTicket = z.object({ ticket: z.string(), expiresAt: z.number() });
export type BrowserOperatorTicket = z.infer<typeof BrowserOperatorTicket>;

/** The assistance the console hands the viewer page. */
export const BrowserAssistance = z.object({
  activation: z.string().min(1).max(16_384),
  sessionId: SessionId,
  mode: AssistanceMode,
  deviceName: z.string().max(255).optional(),
  /** When the file stops being accepted (ms since the epoch). */
  expiresAt: z.number(),
});
export type BrowserAssistance = z.infer<typeof BrowserAssistance>;

/**
 * What the console hands the viewer of an assistance it was answered: the file's token and what
 * the page shows before the relay answers (the device's name, read from the token's claims
 * without checking them: the relay checks the token itself). Null for a file that is no file.
 */
export function browserAssistanceOf(response: AssistanceResponse): BrowserAssistance | null {
  const envelope = parseActivationEnvelope(response.activation.content);
  if (!envelope.ok) return null;
  let deviceName: string | undefined;
  try {
    const part = envelope.token.split('.')[1] ?? '';
    const json = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
    deviceName = ActivationClaims.safeParse(JSON.parse(json)).data?.device?.name;
  } catch {
    deviceName = undefined;
  }
  return {
    activation: envelope.token,
    sessionId: response.sessionId,
    mode: response.mode,
    expiresAt: Date.parse(response.expiresAt),
    ...(deviceName ? { deviceName } : {}),
  };
}

export function browserOperatorUrl(assistance: BrowserAssistance): string {
  return `${BROWSER_OPERATOR_PATH}#${encodeURIComponent(JSON.stringify(assistance))}`;
}

/** The assistance in a viewer page's fragment (`location.hash`), or null when there is none or it is malformed. */
export function readBrowserAssistance(hash: string): BrowserAssistance | null {
  try {
    const parsed = BrowserAssistance.safeParse(JSON.parse(decodeURIComponent(hash.replace(/^#/, ''))));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** What the device's consent window says of an operator in the browser. */
export const BROWSER_OPERATOR_NOTICE =
  "This operator is connected through a browser page served by the help desk's relay.";

/** Why a device that requires the verification words refuses an operator in the browser. */
export const BROWSER_OPERATOR_NEEDS_WORDS =
  'This device requires the verification words, which cannot protect a connection made through a browser page served by the relay: it refuses operators in the browser. Use the flxra app.';
