/**
 * The console API from the page: JSON in and out, the CSRF token of the sign-in on every
 * state-changing call, and refusals as ApiFailure with the relay's own message (which is what
 * the page shows: the relay words its refusals for people).
 */
import { CONSOLE_API, CSRF_HEADER } from '../../../shared/console-api';
import { ApiError } from '../../../shared/relay-api';

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

let csrfToken: string | null = null;
let accessChanged: ((status: 401 | 403) => void) | null = null;

/**
 * Told when the relay answers a signed-in page that it no longer may (401: signed out, the user
 * removed; 403: the user's role changed), so that the page follows at once instead of showing
 * links that only lead to refusals.
 */
export function onAccessChanged(listener: (status: 401 | 403) => void): void {
  accessChanged = listener;
}

/** Where a 401 or 403 is the answer itself, not news about the user's access. */
const SIGN_IN_PATHS = ['/me', '/login', '/logout', '/setup'];

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export async function call<T>(
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<T> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers[CSRF_HEADER] = csrfToken;
  const response = await fetch(`${CONSOLE_API}${path}`, {
    method,
    headers,
    credentials: 'same-origin',
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const error = ApiError.safeParse(json);
    const code = error.success ? error.data.error.code : 'unknown';
    if (
      (response.status === 401 || (response.status === 403 && code === 'forbidden')) &&
      !SIGN_IN_PATHS.includes(path)
    ) {
      accessChanged?.(response.status);
    }
    throw new ApiFailure(
      response.status,
      error.success ? error.data.error.code : 'unknown',
      error.success ? error.data.error.message : `the relay answered ${response.status}`,
    );
  }
  return json as T;
}

export function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
