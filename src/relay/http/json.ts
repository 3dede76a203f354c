/**
 * The JSON conventions of every relay HTTP API (the operators' one and the console's), in one
 * place: bodies are application/json up to MAX_BODY_BYTES, answers are never cached, and every
 * refusal is `{ error: { code, message } }` (relay-api's ApiError) with its status, worded for
 * people. `installJsonApi` puts these on the fastify app: the body parser and limit, the error
 * and not-found answers, and one log line per request (method, path, status: never a header,
 * body or token).
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import type { ApiError, FieldIssue } from '../../shared/relay-api.js';
import type { RelayLogger } from '../log.js';
import { MAX_NESTING, nestedTooDeep } from '../validate.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** How a refusal names the route's body: "invalid <what>: …". */
    what?: string;
  }
}

/** An assistance request is a few dozen bytes, a policy a few kB; anything beyond this is not one. */
export const MAX_BODY_BYTES = 16 * 1024;

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/** A refusal, answered as ApiError JSON. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
    /**
     * Not logged one line per request: refusals a flood repeats at no cost to itself (throttled
     * sign-ins), whose source logs what matters once instead.
     */
    readonly quiet = false,
    /** A body refused by its schema: each invalid field, for a form to show next to it. */
    readonly fields?: FieldIssue[],
  ) {
    super(message);
  }
}

/** How a refusal travels: the one JSON shape of every error answer. */
export function errorBody(code: string, message: string, fields?: FieldIssue[]): z.infer<typeof ApiError> {
  return { error: { code, message, ...(fields === undefined ? {} : { fields }) } };
}

/** Headers every JSON answer carries: answers may hold a one-time password, so no cache may keep them. */
export const JSON_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
} as const;

/** Answers `body` as JSON with `status`; through the route's response schema when it has one. */
export function sendJson(
  reply: FastifyReply,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): FastifyReply {
  return reply
    .code(status)
    .headers({ ...JSON_HEADERS, ...headers })
    .type('application/json; charset=utf-8')
    .send(body);
}

/** Per-route settings the error answers use (fastify's route `config`). */
export type JsonRouteConfig = { what?: string };

/**
 * A route's preValidation hook when it takes a body: a missing body or one of another type is 415,
 * as for a body fastify has no parser for.
 */
export async function requireJsonBody(request: FastifyRequest): Promise<void> {
  if (!/^application\/json\s*(;|$)/i.test(request.headers['content-type'] ?? '')) {
    throw new ApiFailure(415, 'unsupported-media-type', 'the body must be application/json');
  }
}

/**
 * Answers every method but `allowed` on `url` with 405 and Allow (HEAD comes with GET). Routes
 * are matched by path first, so a known path with the wrong method is not a 404.
 */
export function refuseOtherMethods(
  app: FastifyInstance,
  url: string,
  allowed: readonly string[],
  allow?: string,
): void {
  const others = METHODS.filter((m) => !allowed.includes(m) && !(m === 'HEAD' && allowed.includes('GET')));
  const shown = allow ?? allowed.join(', ');
  app.route({
    method: others,
    url,
    handler: async () => {
      throw new ApiFailure(405, 'method-not-allowed', `use ${allowed.join(' or ')} here`, { allow: shown });
    },
  });
}

/** The body parser and its limit, the error and not-found answers, and the request log. */
export function installJsonApi(app: FastifyInstance, logger: RelayLogger): void {
  // Only JSON is ever parsed (fastify's own parser: size-limited, prototype poisoning refused).
  app.removeContentTypeParser('text/plain');

  // Before any schema walks it: a body nested far deeper than any API's would overflow recursive code.
  app.addHook('preValidation', async (request) => {
    if (nestedTooDeep(request.body))
      throw new ApiFailure(400, 'bad-request', `the body nests objects or arrays more than ${MAX_NESTING} deep`);
  });

  app.setNotFoundHandler(async () => {
    throw new ApiFailure(404, 'not-found', 'no such API path');
  });

  app.setErrorHandler(async (err: FastifyError, request, reply) => {
    const failure = asFailure(err, request);
    const fields = { method: request.method, path: shownPath(request.url) };
    if (failure) {
      if (!failure.quiet) logger.warn('api refused', { ...fields, status: failure.status, code: failure.code });
      return sendJson(reply, failure.status, errorBody(failure.code, failure.message, failure.fields), failure.headers);
    }
    logger.error('api failed', { ...fields, error: err instanceof Error ? err.message : String(err) });
    if (reply.sent) return reply;
    return sendJson(reply, 500, errorBody('internal', 'the relay failed to handle this request'));
  });

  app.addHook('onResponse', async (request, reply) => {
    // Refusals and failures were logged with their code by the error handler.
    if (reply.statusCode < 400)
      logger.info('api', { method: request.method, path: shownPath(request.url), status: reply.statusCode });
  });
}

/** Path segments can be keys the client chose (report group names): shown shortened. */
const MAX_SHOWN_SEGMENT = 40;

type ValidationIssue = { instancePath: string; keyword: string; message?: string; params: object };

/** One validation issue for people: where, and why (a record key's own issues rather than "Invalid key"). */
function issueText(issue: ValidationIssue): string {
  const { path, message } = fieldIssue(issue);
  const at = path
    .map((segment) => (segment.length > MAX_SHOWN_SEGMENT ? `${segment.slice(0, MAX_SHOWN_SEGMENT)}…` : segment))
    .join('.');
  return (at ? `${at}: ` : '') + message;
}

/** The issue as the field it is about (path segments in full: a form matches them) and why. */
function fieldIssue(issue: ValidationIssue): FieldIssue {
  const path = issue.instancePath
    .replace(/^\//, '')
    .split('/')
    .filter(Boolean)
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
  const inner = issue.keyword === 'invalid_key' ? (issue.params as { issues?: Array<{ message: string }> }).issues : [];
  const message = inner?.length ? inner.map((i) => i.message).join('; ') : (issue.message ?? 'invalid');
  return { path, message };
}

/** The refusal an error stands for, or null for a failure of the relay itself (500). */
function asFailure(err: FastifyError, request: FastifyRequest): ApiFailure | null {
  if (err instanceof ApiFailure) return err;
  if (hasZodFastifySchemaValidationErrors(err)) {
    const issues = err.validation.map(issueText).join('; ');
    // Path and query parameters name themselves ("invalid username: …"); bodies are named by the route.
    const what = request.routeOptions.config.what ?? 'request';
    const body = err.validationContext === 'body';
    return new ApiFailure(
      400,
      'bad-request',
      body ? `invalid ${what}: ${issues}` : `invalid ${issues}`,
      {},
      false,
      body ? err.validation.map(fieldIssue) : undefined,
    );
  }
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      // The rest of an oversized body is never read, so the connection cannot be reused.
      return new ApiFailure(413, 'too-large', `the body is limited to ${bodyLimit(request)} bytes`, {
        connection: 'close',
      });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiFailure(415, 'unsupported-media-type', 'the body must be application/json');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new ApiFailure(400, 'bad-request', 'the body is not valid JSON');
  }
  if (err instanceof SyntaxError) return new ApiFailure(400, 'bad-request', 'the body is not valid JSON');
  if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500)
    return new ApiFailure(err.statusCode, 'bad-request', 'the relay cannot handle this request');
  return null;
}

/** The route's own body limit (the recording upload's is larger), else the app's. */
function bodyLimit(request: FastifyRequest): number {
  return request.routeOptions.bodyLimit ?? MAX_BODY_BYTES;
}

/** Paths come from clients; this is how they appear in logs (no query: it may carry anything). */
export function shownPath(url: string): string {
  const path = url.split('?')[0] ?? '';
  return path.length > 64 ? `${path.slice(0, 64)}…` : path;
}
