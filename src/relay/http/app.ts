/**
 * The relay's HTTP layer: one fastify app on the relay's own http server, beside socket.io (which
 * takes its /socket.io/ requests before they reach fastify). Schemas are zod, through
 * fastify-type-provider-zod, so a route's handler is typed by the same schemas the clients use;
 * cookies come from @fastify/cookie; the JSON conventions from json.ts. The server listens before
 * the routes are ready (the relay names its real port in its URLs), so requests that arrive in
 * between wait for them.
 */
import cookie from '@fastify/cookie';
import { fastify, type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import type { RelayLogger } from '../log.js';
import { ApiFailure, errorBody, installJsonApi, MAX_BODY_BYTES, sendJson } from './json.js';

/** The app with zod schemas typing its routes. */
export type ZodApp = ReturnType<typeof typed>;

function typed(app: FastifyInstance<HttpServer, IncomingMessage, ServerResponse>) {
  return app.withTypeProvider<ZodTypeProvider>();
}

export interface RelayHttp {
  app: ZodApp;
  /** Loads every route registered; requests that came earlier are answered from then on. */
  ready(): Promise<void>;
  close(): Promise<void>;
}

/**
 * `trustsProxy`: whether a peer address is a reverse proxy whose X-Forwarded-For names the client
 * (request.ip, the address the console's sign-in throttle counts by; limits/client-address.ts).
 */
export function createRelayHttp(
  server: HttpServer,
  logger: RelayLogger,
  trustsProxy: (address: string) => boolean,
): RelayHttp {
  let handle: ((req: IncomingMessage, res: ServerResponse) => void) | null = null;
  const early: Array<[IncomingMessage, ServerResponse]> = [];
  // Attached now, before socket.io wraps the server's request listeners.
  server.on('request', (req, res) => (handle ? handle(req, res) : early.push([req, res])));
  let fastifyHandler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const app = fastify({
    serverFactory: (handler) => {
      fastifyHandler = handler;
      return server;
    },
    logger: false,
    bodyLimit: MAX_BODY_BYTES,
    trustProxy: (address: string) => trustsProxy(address),
    // Bad URLs and headers are refusals like any other, in the same JSON shape.
    frameworkErrors: (err, _req, reply) => {
      const failure = new ApiFailure(
        400,
        'bad-request',
        err.code === 'FST_ERR_BAD_URL' ? 'malformed path' : err.message,
      );
      void sendJson(reply, failure.status, errorBody(failure.code, failure.message));
    },
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installJsonApi(app, logger);
  void app.register(cookie);
  return {
    app: typed(app),
    async ready() {
      await app.ready();
      handle = fastifyHandler!;
      for (const [req, res] of early.splice(0)) handle(req, res);
    },
    async close() {
      // The http server itself is closed by socket.io's close; fastify only runs its onClose hooks.
      await app.close();
    },
  };
}
