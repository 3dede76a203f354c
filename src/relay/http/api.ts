/**
 * The relay's operators' HTTP API, as fastify routes (app.ts): the public signing keys, device
 * agents' enrolment, and assistances for operators authenticated by bearer token. Bodies are
 * JSON, size-limited and validated (json.ts); every refusal is ApiError JSON with a 4xx status
 * (503 when an old-style token cannot be checked just now, credentials/scrypt-gate.ts).
 * Nothing here logs a header, a body or a token.
 */
import type { FastifyRequest } from 'fastify';
import type { OperatorIdentity } from '../../shared/protocol.js';
import { API_PREFIX, AssistanceRequest, RELAY_KEYS_PATH, type RelayKeys } from '../../shared/relay-api.js';
import { ENROL_PATH } from '../../shared/agent-protocol.js';
import type { EnrolResult } from '../agents/enrol.js';
import type { Assistances } from '../assistances/service.js';
import type { Outgoing } from '../messages.js';
import type { OperatorRegistry } from '../operators.js';
import type { ZodApp } from './app.js';
import { CredentialCheckBusy } from '../credentials/scrypt-gate.js';
import { ApiFailure, refuseOtherMethods, requireJsonBody, sendJson, type JsonRouteConfig } from './json.js';

export const ASSISTANCES_PATH = `${API_PREFIX}/assistances`;

export interface ApiDeps {
  operators: OperatorRegistry;
  assistances: Assistances;
  /** What RELAY_KEYS_PATH answers (src/relay/activation/key-set.ts). */
  keys: { published(): Promise<RelayKeys> };
  /** Delivers what an API call has to tell connected clients (the device's assistance:prepared). */
  deliver: (out: Outgoing[]) => void;
  /** POST /api/v1/enrol: a device's agent enrols with an enrolment token (src/relay/agents/enrol.ts). */
  enrol: (body: unknown) => Promise<EnrolResult>;
}

export function registerOperatorApi(app: ZodApp, deps: ApiDeps): void {
  app.get(RELAY_KEYS_PATH, async (_request, reply) => sendJson(reply, 200, await deps.keys.published()));
  refuseOtherMethods(app, RELAY_KEYS_PATH, ['GET']);

  // The operator is known before the body is even read: no token, no parsing.
  const callers = new WeakMap<FastifyRequest, OperatorIdentity>();
  app.post(
    ASSISTANCES_PATH,
    {
      schema: { body: AssistanceRequest },
      config: { what: 'assistance request' } satisfies JsonRouteConfig,
      onRequest: async (request) => void callers.set(request, await authenticate(deps.operators, request)),
      preValidation: requireJsonBody,
    },
    async (request, reply) => {
      const result = await deps.assistances.create(callers.get(request)!, request.body);
      if (!result.ok) throw new ApiFailure(result.status, result.code, result.message);
      deps.deliver(result.out);
      return sendJson(reply, 201, result.response);
    },
  );
  refuseOtherMethods(app, ASSISTANCES_PATH, ['POST']);

  // No bearer token: the enrolment token in the body is the credential (enrol checks the body).
  app.post(ENROL_PATH, { preValidation: requireJsonBody }, async (request, reply) => {
    const result = await deps.enrol(request.body);
    if (!result.ok) throw new ApiFailure(result.status, result.code, result.message);
    return sendJson(reply, 201, result.response);
  });
  refuseOtherMethods(app, ENROL_PATH, ['POST']);
}

/** The operator a request's bearer token names (also the recording upload's, recording-api.ts). */
export async function authenticate(operators: OperatorRegistry, request: FastifyRequest): Promise<OperatorIdentity> {
  const challenge = { 'www-authenticate': 'Bearer' };
  const match = /^Bearer +(\S+)$/i.exec(request.headers.authorization ?? '');
  if (!match)
    throw new ApiFailure(
      401,
      'unauthorized',
      'an operator token is required (Authorization: Bearer <token>)',
      challenge,
    );
  const operator = await operators.verify(match[1]!).catch((err: unknown) => {
    // An old-style (scrypt) token while too many of those are being checked: try again shortly.
    if (err instanceof CredentialCheckBusy)
      throw new ApiFailure(503, 'unavailable', 'the relay could not check the token just now; try again', {
        'retry-after': '1',
      });
    throw err;
  });
  // One answer for malformed, unknown and revoked tokens, as in the socket handshake.
  if (!operator) throw new ApiFailure(401, 'unauthorized', 'invalid or revoked operator token', challenge);
  return operator;
}
