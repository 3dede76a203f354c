/**
 * How much any one client may ask of the relay, in one place: the defaults, what `RelayOptions.limits`
 * may change, and the check that a setting makes sense. The parts that apply them are beside this
 * file (rate.ts, connections.ts, log-limiter.ts, client-address.ts); docs/architecture.md
 * ("Limits") says why each default is what it is.
 */

export interface RelayLimits {
  /** Events a socket may send per second, sustained (both namespaces); beyond, they are refused. */
  eventsPerSecond: number;
  /** Events a socket may send at once before the per-second rate applies. */
  eventBurst: number;
  /** The same for the Flexxible Tools' events (tool:request, tool:event), counted apart from the rest. */
  toolEventsPerSecond: number;
  toolEventBurst: number;
  /**
   * Bytes the relay holds for one connection that is not reading what it is sent; past this the
   * connection is dropped. Forwarded signals stop at half of it (their sender is told).
   */
  maxQueuedBytes: number;
  /**
   * Connections from one client address holding no credential: those not yet in a namespace
   * (the oldest is closed when another arrives) and anonymous hosts (more are refused).
   * Authenticated clients are never counted.
   */
  maxUnauthenticatedPerAddress: number;
  /** How long a connection may stay without joining a namespace before it is closed. */
  pendingTimeoutMs: number;
  /**
   * How long an HTTP request's headers may take to arrive (the whole request: three times as long):
   * a client that trickles them (slowloris) holds its connection for seconds, not Node's minutes.
   */
  headersTimeoutMs: number;
  /** Lines of one message the log takes per window; the rest are counted and summarised. */
  logLinesPerWindow: number;
  logWindowMs: number;
  /**
   * Reverse proxies (addresses or CIDR blocks) whose X-Forwarded-For names the client; from any
   * other peer the header is ignored.
   */
  trustedProxies: readonly string[];
}

export const DEFAULT_LIMITS: RelayLimits = {
  // A WebRTC negotiation is an offer, an answer and a few dozen candidates; agents report every 15 s.
  eventsPerSecond: 20,
  eventBurst: 100,
  // Ordinary traffic is a few kB; the largest message is an 80 kB signal.
  // A busy terminal sends a chunk per pty read and its panel credit back: hundreds a second, each a
  // few bytes to 16 KiB; the streams' credit bounds the bytes (at most a window per stream in flight).
  toolEventsPerSecond: 1000,
  toolEventBurst: 2000,
  maxQueuedBytes: 1024 * 1024,
  maxUnauthenticatedPerAddress: 32,
  pendingTimeoutMs: 10_000,
  headersTimeoutMs: 10_000,
  logLinesPerWindow: 200,
  logWindowMs: 10_000,
  trustedProxies: [],
};

/** The defaults with `changes` applied; throws on a setting that cannot work (the CLI shows it). */
export function resolveLimits(changes: Partial<RelayLimits> = {}): RelayLimits {
  const limits = { ...DEFAULT_LIMITS, ...changes };
  for (const key of [
    'eventsPerSecond',
    'eventBurst',
    'toolEventsPerSecond',
    'toolEventBurst',
    'maxQueuedBytes',
    'maxUnauthenticatedPerAddress',
    'pendingTimeoutMs',
    'headersTimeoutMs',
    'logLinesPerWindow',
    'logWindowMs',
  ] as const) {
    const value = limits[key];
    if (!Number.isFinite(value) || value <= 0) throw new Error(`relay limit ${key} must be a positive number`);
  }
  return limits;
}
