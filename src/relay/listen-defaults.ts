/**
 * Where the relay listens unless told otherwise, apart from server.ts so that the relay command
 * can print its usage and manage the registries without loading the server (socket.io, fastify).
 */
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 7443;
