/**
 * What the relay counts of the load its clients put on it (src/relay/limits/): for tests, which
 * assert that abuse stays bounded, and for administrators (RelayHandle.counters(), the console's
 * GET /console/api/relay/counters).
 */
import { z } from 'zod';

export const RelayCounters = z.object({
  /** engine.io connections open (a client's sockets of every namespace share one). */
  connections: z.number().int(),
  /** Per client address: connections not yet in a namespace plus anonymous hosts. */
  unauthenticatedByAddress: z.record(z.string(), z.number().int()),
  queuedBytes: z.object({
    /** Bytes waiting to be written to each socket's client (both namespaces). */
    bySocket: z.record(z.string(), z.number().int()),
    total: z.number().int(),
    /** The most any one connection had waiting since the relay started. */
    highest: z.number().int(),
  }),
  /** Connections dropped because their client did not read what it was sent. */
  slowReadersDropped: z.number().int(),
  /** Connections closed while unauthenticated because their address opened too many. */
  unauthenticatedClosed: z.number().int(),
  /** Anonymous hosts refused because their address had too many. */
  anonymousHostsRefused: z.number().int(),
  /** Events refused for going past a socket's rate. */
  eventsRefused: z.number().int(),
  /** Sockets disconnected for going on far past their rate. */
  floodsDropped: z.number().int(),
  /** Signals not forwarded because their recipient was not reading. */
  signalsHeldBack: z.number().int(),
  /** Log lines left out because one message was logged too often. */
  logLinesSuppressed: z.number().int(),
});
export type RelayCounters = z.infer<typeof RelayCounters>;
