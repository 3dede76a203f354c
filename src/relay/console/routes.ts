/**
 * The console API's dispatch, derived from the route table (CONSOLE_ROUTES in
 * src/shared/console-api.ts): each route becomes a fastify route with its schemas (zod), its
 * access check (the session cookie, the CSRF header on state-changing calls, the admin role, and
 * a second factor set up where the administrators require one) run before the body is even read,
 * and its handler from `ConsoleHandlers`, whose input and answer types come from the same table.
 * Known paths with other methods answer 405, unknown ones 404.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  CONSOLE_API,
  CONSOLE_ROUTES,
  CSRF_HEADER,
  type ConsoleResponse,
  type ConsoleRoute,
  type ConsoleRouteName,
  type ConsoleUser,
  type ConsoleValidRequest,
} from '../../shared/console-api.js';
import type { ZodApp } from '../http/app.js';
import { ApiFailure, refuseOtherMethods, requireJsonBody, sendJson, type JsonRouteConfig } from '../http/json.js';
import { ConsoleSessions, SESSION_COOKIE, type ConsoleSession } from './console-sessions.js';
import type { SecondFactors } from './second-factor.js';
import type { ConsoleUsers } from './users.js';

/** What the access checks read: the session, its user, and whether they must set up a second factor. */
export interface ConsoleAuth {
  users: ConsoleUsers;
  sessions: ConsoleSessions;
  secondFactors: SecondFactors;
}

export interface SignedIn {
  user: ConsoleUser;
  sessionId: string;
  session: ConsoleSession;
}

/** What a handler gets besides its validated input. */
export interface ConsoleCall {
  request: FastifyRequest;
  /** For what a JSON answer does not carry: cookies, or an answer of its own (then return it). */
  reply: FastifyReply;
  /** The signed-in caller; only routes whose access is not 'public' have one. */
  readonly signedIn: SignedIn;
  /**
   * The caller's address (fastify's request.ip: the client's, through a trusted proxy), for the
   * login throttle, the sign-in alerts and the audit trail.
   */
  address: string;
}

type Answer<N extends ConsoleRouteName> = ConsoleResponse<N> | FastifyReply;
export type ConsoleHandler<N extends ConsoleRouteName> = (
  input: ConsoleValidRequest<N>,
  call: ConsoleCall,
) => Answer<N> | Promise<Answer<N>>;
/** One handler per route of the table: a route added there without its handler does not compile. */
export type ConsoleHandlers = { [N in ConsoleRouteName]: ConsoleHandler<N> };

export function registerConsoleRoutes(app: ZodApp, auth: ConsoleAuth, handlers: ConsoleHandlers): void {
  const callers = new WeakMap<FastifyRequest, SignedIn>();
  const methodsByUrl = new Map<string, string[]>();
  for (const name of Object.keys(CONSOLE_ROUTES) as ConsoleRouteName[]) {
    const route: ConsoleRoute = CONSOLE_ROUTES[name];
    const url = `${CONSOLE_API}${route.path}`;
    methodsByUrl.set(url, [...(methodsByUrl.get(url) ?? []), route.method]);
    // The table ties each name to its types; TS cannot follow that through the loop.
    const handler = handlers[name] as (input: unknown, call: ConsoleCall) => unknown;
    const status = route.status ?? 200;
    app.route({
      method: route.method,
      url,
      schema: {
        ...(route.params ? { params: route.params } : {}),
        ...(route.query ? { querystring: route.query } : {}),
        ...(route.body ? { body: route.body } : {}),
        response: { [status]: route.response },
      },
      config: { what: route.what } satisfies JsonRouteConfig,
      ...(route.bodyLimit ? { bodyLimit: route.bodyLimit } : {}),
      ...(route.access === 'public'
        ? {}
        : {
            onRequest: async (request: FastifyRequest) => void callers.set(request, signedIn(auth, request, route)),
          }),
      ...(route.body ? { preValidation: requireJsonBody } : {}),
      handler: async (request, reply) => {
        const call: ConsoleCall = {
          request,
          reply,
          get signedIn() {
            const caller = callers.get(request);
            if (!caller) throw new Error(`console route ${name} is public: it has no signed-in user`);
            return caller;
          },
          // The client's, past the reverse proxies the relay trusts (RelayLimits.trustedProxies).
          address: request.ip,
        };
        const answer = await handler({ params: request.params, query: request.query, body: request.body }, call);
        return answer === reply ? reply : sendJson(reply, status, answer);
      },
    });
  }
  for (const [url, methods] of methodsByUrl) refuseOtherMethods(app, url, methods);
  const unknown = async (): Promise<never> => {
    throw new ApiFailure(404, 'not-found', 'no such console API path');
  };
  app.all(CONSOLE_API, unknown);
  app.all(`${CONSOLE_API}/*`, unknown);
}

/**
 * The signed-in user of a request, or a 401. For state-changing calls (any but GET) the CSRF
 * header must match the session's token (HEAD is a GET); admin routes need an admin; while the
 * administrators require a second factor the user has not set up, only the routes marked
 * `beforeSecondFactor` are open (403 `second-factor-setup` elsewhere), and while the user's
 * password is a temporary one an administrator set, only those marked `beforePasswordChange`
 * (403 `password-change`). The user is read again on
 * every call, so a changed role, a removal or the new requirement applies at once.
 */
function signedIn(auth: ConsoleAuth, request: FastifyRequest, route: ConsoleRoute): SignedIn {
  const found = auth.sessions.find(request.cookies[SESSION_COOKIE]);
  const user = found && auth.users.get(found.session.username);
  if (!found || !user) throw new ApiFailure(401, 'unauthorized', 'sign in to the console first');
  const safe = request.method === 'GET' || request.method === 'HEAD';
  if (!safe && !ConsoleSessions.csrfMatches(found.session, request.headers[CSRF_HEADER])) {
    throw new ApiFailure(403, 'csrf', `this call needs the ${CSRF_HEADER} header of the signed-in page`);
  }
  if (!route.beforePasswordChange && auth.users.passwordChangeNeeded(user.username)) {
    throw new ApiFailure(
      403,
      'password-change',
      'an administrator reset your password: choose a new one on your security page first',
    );
  }
  if (!route.beforeSecondFactor && auth.secondFactors.setupNeeded(user.username)) {
    throw new ApiFailure(
      403,
      'second-factor-setup',
      'your administrators require a second factor: set one up on your security page first',
    );
  }
  if (route.access === 'admin' && user.role !== 'admin')
    throw new ApiFailure(403, 'forbidden', 'only administrators may do this');
  return { user, sessionId: found.id, session: found.session };
}
