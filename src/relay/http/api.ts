/**
 * The relay's HTTP API, served by node:http beside socket.io on the same port: the public
 * signing keys, and assistances for operators authenticated by bearer token. Bodies are JSON,
 * size-limited and validated; every refusal is ApiError JSON with a 4xx status. Nothing here
 * logs a header, a body or a token.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { OperatorIdentity } from '../../shared/protocol.js';
import { API_PREFIX, AssistanceRequest, RELAY_KEYS_PATH, type RelayKeys } from '../../shared/relay-api.js';
import { ENROL_PATH } from '../../shared/agent-protocol.js';
import type { EnrolResult } from '../agents/enrol.js';
import type { Assistances } from '../assistances/service.js';
import type { RelayLogger } from '../log.js';
import type { Outgoing } from '../messages.js';
import type { OperatorRegistry } from '../operators.js';
import { summarizeIssues } from '../validate.js';

/** An assistance request is a few dozen bytes; anything beyond this is not one. */
export const MAX_BODY_BYTES = 16 * 1024;

export const ASSISTANCES_PATH = `${API_PREFIX}/assistances`;

export interface ApiDeps {
  operators: OperatorRegistry;
  assistances: Assistances;
  keys: RelayKeys;
  /** Delivers what an API call has to tell connected clients (the device's assistance:prepared). */
  deliver(out: Outgoing[]): void;
  logger: RelayLogger;
  /** POST /api/v1/enrol: a device's agent enrols with an enrolment token (src/relay/agents/enrol.ts). */
  enrol?: (body: unknown) => Promise<EnrolResult>;
}

/** A refusal, answered as ApiError JSON. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function createApiHandler(deps: ApiDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return jsonHandler(deps.logger, (req, res, path) => route(deps, req, res, path));
}

/** Runs `route` for each request, logs its outcome (never a header or body), and answers its ApiFailures as ApiError JSON. */
export function jsonHandler(
  logger: RelayLogger,
  route: (req: IncomingMessage, res: ServerResponse, path: string) => Promise<number>,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const path = new URL(req.url ?? '/', 'http://relay').pathname;
    route(req, res, path).then(
      (status) => logger.info('api', { method: req.method, path: shownPath(path), status }),
      (err: unknown) => {
        if (err instanceof ApiFailure) {
          logger.warn('api refused', { method: req.method, path: shownPath(path), status: err.status, code: err.code });
          sendJson(res, err.status, { error: { code: err.code, message: err.message } }, err.headers);
          return;
        }
        logger.error('api failed', {
          method: req.method,
          path: shownPath(path),
          error: err instanceof Error ? err.message : String(err),
        });
        if (res.headersSent) res.destroy();
        else sendJson(res, 500, { error: { code: 'internal', message: 'the relay failed to handle this request' } });
      },
    );
  };
}

/** Answers the request and returns the status sent; throws ApiFailure for refusals. */
async function route(deps: ApiDeps, req: IncomingMessage, res: ServerResponse, path: string): Promise<number> {
  if (path === RELAY_KEYS_PATH) {
    allowOnly(req, 'GET');
    return sendJson(res, 200, deps.keys);
  }
  if (path === ASSISTANCES_PATH) {
    allowOnly(req, 'POST');
    const operator = await authenticate(deps.operators, req);
    const parsed = AssistanceRequest.safeParse(await readJson(req));
    if (!parsed.success)
      throw new ApiFailure(400, 'bad-request', `invalid assistance request: ${summarizeIssues(parsed.error)}`);
    const result = await deps.assistances.create(operator, parsed.data);
    if (!result.ok) throw new ApiFailure(result.status, result.code, result.message);
    deps.deliver(result.out);
    return sendJson(res, 201, result.response);
  }
  if (path === ENROL_PATH && deps.enrol) {
    allowOnly(req, 'POST');
    // No bearer token: the enrolment token in the body is the credential.
    const result = await deps.enrol(await readJson(req));
    if (!result.ok) throw new ApiFailure(result.status, result.code, result.message);
    return sendJson(res, 201, result.response);
  }
  throw new ApiFailure(404, 'not-found', 'no such API path');
}

export function allowOnly(req: IncomingMessage, method: string): void {
  if (req.method !== method) throw new ApiFailure(405, 'method-not-allowed', `use ${method} here`, { allow: method });
}

async function authenticate(operators: OperatorRegistry, req: IncomingMessage): Promise<OperatorIdentity> {
  const challenge = { 'www-authenticate': 'Bearer' };
  const match = /^Bearer +(\S+)$/i.exec(req.headers.authorization ?? '');
  if (!match)
    throw new ApiFailure(
      401,
      'unauthorized',
      'an operator token is required (Authorization: Bearer <token>)',
      challenge,
    );
  const operator = await operators.verify(match[1]!);
  // One answer for malformed, unknown and revoked tokens, as in the socket handshake.
  if (!operator) throw new ApiFailure(401, 'unauthorized', 'invalid or revoked operator token', challenge);
  return operator;
}

export async function readJson(req: IncomingMessage): Promise<unknown> {
  if (!/^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? '')) {
    throw new ApiFailure(415, 'unsupported-media-type', 'the body must be application/json');
  }
  // The rest of an oversized body is never read, so the connection cannot be reused.
  const tooLarge = new ApiFailure(413, 'too-large', `the body is limited to ${MAX_BODY_BYTES} bytes`, {
    connection: 'close',
  });
  if (Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES) throw tooLarge;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw tooLarge;
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new ApiFailure(400, 'bad-request', 'the body is not valid JSON');
  }
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): number {
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    // Answers may carry a one-time password: no cache anywhere may keep them.
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...headers,
  });
  res.end(JSON.stringify(body));
  return status;
}

/** Paths come from clients; this is how they appear in logs. */
function shownPath(path: string): string {
  return path.length > 64 ? `${path.slice(0, 64)}…` : path;
}
