/**
 * The browser operator's calls to the console's API, as the console session it was opened from: the
 * session's cookie (scoped to /console, which this page is under) and, on every state-changing call,
 * the CSRF token GET /me gives (asked once, asked again when the relay says it no longer matches).
 * Used for the relay connection's tickets (relay-tickets.ts) and the recording's chunks
 * (browser-recording.ts). Refusals come back as the relay's code and sentence.
 */
import { CONSOLE_API, CONSOLE_ROUTES, CSRF_HEADER, LoginResponse } from '../../shared/console-api';
import { ApiError } from '../../shared/relay-api';

export type ConsoleAnswer = { ok: true; body: unknown } | { ok: false; status: number; code: string; message: string };

const UNREACHABLE = 'the relay could not be reached';

let csrf: Promise<string | null> | null = null;

function csrfToken(): Promise<string | null> {
  csrf ??= fetch(`${CONSOLE_API}${CONSOLE_ROUTES.me.path}`, { credentials: 'same-origin' })
    .then(async (me) => (me.ok ? LoginResponse.parse(await me.json()).csrfToken : null))
    .catch(() => null);
  return csrf;
}

/** POST under /console/api with the session's CSRF token; once more with a fresh token if it was stale. */
export async function consolePost(path: string, body?: unknown): Promise<ConsoleAnswer> {
  for (let attempt = 0; ; attempt++) {
    const token = await csrfToken();
    if (token === null) {
      csrf = null; // not kept: the next call asks again (the user may have signed in since)
      return { ok: false, status: 401, code: 'unauthorized', message: 'sign in to the console first' };
    }
    const answer = await fetch(`${CONSOLE_API}${path}`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { [CSRF_HEADER]: token, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }).catch(() => null);
    if (!answer) return { ok: false, status: 0, code: 'unreachable', message: UNREACHABLE };
    const json: unknown = await answer.json().catch(() => null);
    if (answer.ok) return { ok: true, body: json };
    const error = ApiError.safeParse(json);
    const refusal = error.success
      ? { ok: false as const, status: answer.status, code: error.data.error.code, message: error.data.error.message }
      : { ok: false as const, status: answer.status, code: 'failed', message: `the relay answered ${answer.status}` };
    // A new console session (signed in again in another tab) has a new token: ask for it, once.
    if (attempt > 0 || (refusal.code !== 'csrf' && refusal.code !== 'unauthorized')) return refusal;
    csrf = null;
  }
}
