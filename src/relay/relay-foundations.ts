/**
 * What every other part of the relay stands on, opened in order before any of them: the limits,
 * the rate-limited log, the connection guard, the clocks, the http server, the store, the
 * activation keys, the token pepper, the cluster's Redis (with --redis) and the listening socket.
 * Anything that fails on the way closes what was opened (the store, the cluster) and throws, so
 * server.ts builds the parts that talk to clients only on a relay that is up.
 */
import { isIPv6, type AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { ActivationKeys } from './activation/keys.js';
import { checkActivationNames } from './assistances/service.js';
import { monotonicClock, systemClock } from './clock.js';
import { openTokenMac } from './credentials/pepper.js';
import { listen } from './http/listen.js';
import { DEFAULT_HOST, DEFAULT_PORT } from './listen-defaults.js';
import { TrustedProxies } from './limits/client-address.js';
import { ClientGuard } from './limits/connections.js';
import { LogLimiter } from './limits/log-limiter.js';
import { resolveLimits } from './limits/settings.js';
import { createLogger, type RelayLogger } from './log.js';
import type { RelayOptions } from './relay-handle.js';
import { DEFAULT_SCRYPT } from './secret-hash.js';
import { openSqliteStore } from './store/sqlite-store.js';
import { joinCluster, type Cluster } from './cluster.js';
import { createRelayServer } from './tls.js';

const MINUTE = 60_000;

export async function openFoundations(opts: RelayOptions) {
  const host = opts.host ?? DEFAULT_HOST;
  const limits = resolveLimits(opts.limits);
  const proxies = new TrustedProxies(limits.trustedProxies);
  const limitClock = opts.limitClock ?? monotonicClock;
  // Every part logs through the limiter: no client decides how fast the log grows.
  const log = new LogLimiter(opts.logger ?? createLogger(), limitClock, {
    linesPerWindow: limits.logLinesPerWindow,
    windowMs: limits.logWindowMs,
  });
  const logger: RelayLogger = log;
  const guard = new ClientGuard(limits, proxies, limitClock, logger);
  const clock = opts.clock ?? systemClock;
  const scrypt = opts.scrypt ?? DEFAULT_SCRYPT;
  const environment = opts.environment ?? 'default';
  const relayName = opts.name ?? 'flxra relay';
  checkActivationNames({
    ...(opts.publicUrl === undefined ? {} : { publicUrl: opts.publicUrl }),
    environment,
    relayName,
  });
  const http = createRelayServer(opts.tls, limits.headersTimeoutMs);
  const node = opts.redisUrl === undefined ? null : (opts.node ?? `${hostname()}:${opts.port ?? DEFAULT_PORT}`);
  const store = openSqliteStore(opts.dataDir, { node });
  // Alive before anything is carried over: no other node takes this node's assistances meanwhile (takeover.ts).
  store.markNodeAlive(clock.now());
  const activationLifetimeMs = opts.activationLifetimeMs ?? 15 * MINUTE;
  // Read from the store on every use: `relay keys rotate|revoke` on the same data dir apply at once.
  const key = new ActivationKeys(store, clock, { activationLifetimeMs });
  let tokenMac: ReturnType<typeof openTokenMac>;
  let cluster: Cluster | undefined;
  try {
    tokenMac = openTokenMac({
      dataDir: opts.dataDir,
      store,
      ...(opts.tokenPepper === undefined ? {} : { fromEnv: opts.tokenPepper }),
    });
    await key.signing();
    if (opts.redisUrl !== undefined) cluster = await joinCluster(opts.redisUrl, logger);
    await listen(http, opts.port ?? DEFAULT_PORT, host);
  } catch (err) {
    await cluster?.close();
    store.close();
    throw err;
  }
  const port = (http.address() as AddressInfo).port;
  const url = `${opts.tls ? 'https' : 'http'}://${isIPv6(host) ? `[${host}]` : host}:${port}`;
  const publicUrl = opts.publicUrl ?? url;

  return {
    host,
    limits,
    proxies,
    log,
    logger,
    guard,
    clock,
    scrypt,
    environment,
    relayName,
    http,
    store,
    activationLifetimeMs,
    key,
    tokenMac,
    cluster,
    node,
    port,
    url,
    publicUrl,
  };
}

export type RelayFoundations = Awaited<ReturnType<typeof openFoundations>>;
