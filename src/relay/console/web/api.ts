/**
 * The console API from the page, typed by the route table (CONSOLE_ROUTES in
 * src/shared/console-api.ts): `consoleApi.login({ body })` sends what that route takes and
 * resolves to what it answers. JSON in and out, the CSRF token of the sign-in on every
 * state-changing call, and refusals as ApiFailure with the relay's own message (which is what
 * the page shows: the relay words its refusals for people).
 */
import {
  CONSOLE_ROUTES,
  consolePath,
  CSRF_HEADER,
  type ConsoleRequest,
  type ConsoleResponse,
  type ConsoleRoute,
  type ConsoleRouteName,
} from '../../../shared/console-api';
import { ApiError, type FieldIssue } from '../../../shared/relay-api';
import { relayResponded } from './reachability';

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** A refused body's invalid fields, each where and why, for a form to show next to it. */
    readonly fields: FieldIssue[] = [],
  ) {
    super(message);
  }
}

let csrfToken: string | null = null;
let accessChanged: ((status: 401 | 403) => void) | null = null;

/**
 * Told when the relay answers a signed-in page that it no longer may (401: signed out, the user
 * removed; 403: the user's role changed, or a second factor is now required), so that the page
 * follows at once instead of showing links that only lead to refusals.
 */
export function onAccessChanged(listener: (status: 401 | 403) => void): void {
  accessChanged = listener;
}

/** Where a 401 or 403 is the answer itself, not news about the user's access. */
const SIGN_IN_ROUTES: readonly ConsoleRouteName[] = ['me', 'login', 'logout', 'setup', 'setupState'];

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** A route's arguments: none where it takes nothing, else its params, query and body. */
type Args<N extends ConsoleRouteName> =
  object extends ConsoleRequest<N> ? [request?: ConsoleRequest<N>] : [request: ConsoleRequest<N>];

interface RawRequest {
  params?: Record<string, string>;
  query?: Record<string, string | number>;
  body?: unknown;
}

/** Calls route `name` of the table. */
export function request<N extends ConsoleRouteName>(name: N, ...args: Args<N>): Promise<ConsoleResponse<N>> {
  return send(name, args[0]) as Promise<ConsoleResponse<N>>;
}

/** `request` per route: `consoleApi.changeRole({ params: { username }, body: { role } })`. */
export const consoleApi = Object.fromEntries(
  Object.keys(CONSOLE_ROUTES).map((name) => [name, (input?: RawRequest) => send(name as ConsoleRouteName, input)]),
) as unknown as { [N in ConsoleRouteName]: (...args: Args<N>) => Promise<ConsoleResponse<N>> };

async function send(name: ConsoleRouteName, input: RawRequest = {}): Promise<unknown> {
  const route: ConsoleRoute = CONSOLE_ROUTES[name];
  const headers: Record<string, string> = {};
  if (input.body !== undefined) headers['content-type'] = 'application/json';
  if (route.method !== 'GET' && csrfToken) headers[CSRF_HEADER] = csrfToken;
  const response = await reach(consolePath(route, input.params, input.query), {
    method: route.method,
    headers,
    credentials: 'same-origin',
    ...(input.body === undefined ? {} : { body: JSON.stringify(input.body) }),
  });
  const json: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const error = ApiError.safeParse(json);
    const code = error.success ? error.data.error.code : 'unknown';
    // 403 second-factor-setup: the administrators now require a second factor this user lacks;
    // password-change: an administrator reset this user's password.
    const lostAccess =
      response.status === 403 && ['forbidden', 'second-factor-setup', 'password-change'].includes(code);
    if ((response.status === 401 || lostAccess) && !SIGN_IN_ROUTES.includes(name)) {
      accessChanged?.(response.status);
    }
    throw new ApiFailure(
      response.status,
      code,
      error.success ? error.data.error.message : `the relay answered ${response.status}`,
      error.success ? (error.data.error.fields ?? []) : [],
    );
  }
  // The relay sends every answer through this route's response schema.
  return json;
}

/** fetch, telling reachability.ts whether the relay answered; no answer is an ApiFailure of status 0. */
async function reach(url: string, init: RequestInit): Promise<Response> {
  try {
    const response = await fetch(url, init);
    relayResponded(response.status);
    return response;
  } catch {
    relayResponded(null);
    throw new ApiFailure(0, 'unreachable', 'the relay cannot be reached');
  }
}

export function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
