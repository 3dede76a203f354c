/**
 * The recording upload on the operators' API: POST /api/v1/recordings/:sessionId/chunks, one chunk of
 * a recorded session from its admitted operator's app (bearer token, as every operator call), larger
 * than other bodies (a few seconds of WebM, base64) but still bounded; the relay's recordings
 * (src/relay/recordings/) decide whether it is taken. Nothing here logs the body.
 */
import { z } from 'zod';
import type { FastifyRequest } from 'fastify';
import type { OperatorIdentity } from '../../shared/protocol.js';
import { SessionId } from '../../shared/protocol.js';
import { RECORDING_BODY_MAX_BYTES, RecordingChunkUpload } from '../../shared/recording.js';
import { API_PREFIX } from '../../shared/relay-api.js';
import type { OperatorRegistry } from '../operators.js';
import type { Recordings } from '../recordings/recordings.js';
import { authenticate } from './api.js';
import type { ZodApp } from './app.js';
import { ApiFailure, refuseOtherMethods, requireJsonBody, sendJson, type JsonRouteConfig } from './json.js';

const PATH = `${API_PREFIX}/recordings/:sessionId/chunks`;

export function registerRecordingApi(app: ZodApp, deps: { operators: OperatorRegistry; recordings: Recordings }): void {
  const callers = new WeakMap<FastifyRequest, OperatorIdentity>();
  app.post(
    PATH,
    {
      bodyLimit: RECORDING_BODY_MAX_BYTES,
      schema: { params: z.object({ sessionId: SessionId }), body: RecordingChunkUpload },
      config: { what: 'recording chunk' } satisfies JsonRouteConfig,
      onRequest: async (request) => void callers.set(request, await authenticate(deps.operators, request)),
      preValidation: requireJsonBody,
    },
    async (request, reply) => {
      const result = deps.recordings.chunk(callers.get(request)!, request.params.sessionId, request.body);
      if (!result.ok) throw new ApiFailure(result.status, result.code, result.message);
      return sendJson(reply, 201, { sha256: result.sha256, next: result.next });
    },
  );
  refuseOtherMethods(app, PATH, ['POST']);
}
