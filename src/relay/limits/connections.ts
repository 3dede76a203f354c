/**
 * The relay's guard over its connections, both socket.io namespaces alike:
 * - per address (client-address.ts), connections holding no credential are bounded: those not yet
 *   in a namespace (a new one closes the oldest, so a client that authenticates at once is never
 *   kept out by others at its address, a whole site behind one NAT included) and anonymous hosts
 *   (more are refused); a credential takes a connection out of the count for good;
 * - per connection, the bytes waiting to be written to a client that is not reading (engine.io's
 *   buffer plus the WebSocket's): past `maxQueuedBytes` the connection is dropped; forwarded
 *   signals stop at half of it, their sender told (mayForward);
 * - per socket, a token bucket on the events it sends (eventGate): the first refusal of each second is
 *   answered, the others only counted, and a socket that keeps going far past its rate is
 *   disconnected with the reason.
 * It keeps the counters the relay reports (RelayHandle.counters()).
 */
import type { Socket } from 'socket.io';
import type { RelayCounters } from '../../shared/relay-counters.js';
import type { Clock } from '../clock.js';
import type { RelayLogger } from '../log.js';
import type { TrustedProxies } from './client-address.js';
import { TokenBucket } from './rate.js';
import type { RelayLimits } from './settings.js';

/** An engine.io connection (one per client, carrying its sockets of every namespace). */
type EngineConn = Socket['conn'];

/** What the guard needs of a namespace's socket, whichever namespace's event types it has. */
export interface GuardedSocket {
  id: string;
  conn: EngineConn;
}

/**
 * How a namespace answers a refused event: its own relay:error, in turn after the answers to the
 * events before it; `close`: then disconnect the socket (it would not stop).
 */
export type RefuseEvent = (event: string, message: string, retryAfterMs: number, close: boolean) => void;

interface Tracked {
  conn: EngineConn;
  address: string;
  state: 'pending' | 'anonymous' | 'authenticated';
  /** Bytes in engine.io's write buffer, not yet handed to the transport. */
  buffered: number;
  dropped: boolean;
  /** Closes it if it is still pending then. */
  pendingTimer: NodeJS.Timeout | null;
}

interface AddressCount {
  /** In arrival order: the first is the oldest. */
  pending: Set<Tracked>;
  anonymous: number;
}

type Counts = Omit<RelayCounters, 'connections' | 'unauthenticatedByAddress' | 'queuedBytes' | 'logLinesSuppressed'>;

const ONE_SECOND = 1000;

export class ClientGuard {
  private readonly tracked = new Map<EngineConn, Tracked>();
  private readonly byAddress = new Map<string, AddressCount>();
  private readonly counts: Counts = {
    slowReadersDropped: 0,
    unauthenticatedClosed: 0,
    anonymousHostsRefused: 0,
    eventsRefused: 0,
    floodsDropped: 0,
    signalsHeldBack: 0,
  };
  private highestQueued = 0;

  constructor(
    private readonly limits: RelayLimits,
    private readonly proxies: TrustedProxies,
    private readonly clock: Clock,
    private readonly logger: RelayLogger,
  ) {}

  /** Watches every connection of the relay's engine from its handshake. */
  attach(engine: { on(event: 'connection', listener: (conn: EngineConn) => void): unknown }): void {
    engine.on('connection', (conn) => this.opened(conn));
  }

  /**
   * In a namespace's handshake, once its credential is checked: a credential is always let in;
   * an anonymous host only while its address has room. False: refuse it.
   */
  admit(socket: GuardedSocket, kind: 'credential' | 'anonymous'): boolean {
    const t = this.tracked.get(socket.conn);
    if (!t || t.state === 'authenticated') return true;
    if (kind === 'credential') {
      this.release(t);
      t.state = 'authenticated';
      return true;
    }
    if (t.state === 'anonymous') return true;
    const count = this.count(t.address);
    if (count.anonymous >= this.limits.maxUnauthenticatedPerAddress) {
      this.counts.anonymousHostsRefused += 1;
      this.logger.warn('anonymous host refused: too many from its address', { address: t.address });
      return false;
    }
    count.pending.delete(t);
    count.anonymous += 1;
    t.state = 'anonymous';
    stopTimer(t);
    return true;
  }

  /**
   * The gate of the events `socket` sends, asked before each is handled (socket.io's onAny runs
   * ahead of its middleware): false means drop it. `refuse` answers the first refused one of each second.
   */
  eventGate(socket: GuardedSocket, refuse: RefuseEvent, rate?: 'tools'): (event: string) => boolean {
    // Tool traffic (a terminal's output and its credit, keystrokes) has its own, larger budget: its
    // bytes are bounded by each stream's credit (src/shared/tool-streams.ts), its events by this.
    const perSecond = rate === 'tools' ? this.limits.toolEventsPerSecond : this.limits.eventsPerSecond;
    const burst = rate === 'tools' ? this.limits.toolEventBurst : this.limits.eventBurst;
    const bucket = new TokenBucket(perSecond, burst, this.clock);
    let refusedInRow = 0;
    let answeredAt = -Infinity;
    return (event) => {
      if (bucket.take()) {
        refusedInRow = 0;
        return true;
      }
      this.counts.eventsRefused += 1;
      refusedInRow += 1;
      if (refusedInRow === burst + 1) {
        this.counts.floodsDropped += 1;
        this.logger.warn('socket dropped: too many events', { socket: socket.id });
        refuse(event, 'too many messages: the relay closed this connection', 0, true);
        return false;
      }
      const now = this.clock.now();
      if (refusedInRow > burst || now - answeredAt < ONE_SECOND) return false;
      answeredAt = now;
      const limit = `${perSecond} a second`;
      refuse(event, `too many messages (at most ${limit}): this one was not handled`, bucket.retryAfterMs(), false);
      return false;
    };
  }

  /** Bytes waiting to be written to this socket's client. */
  queuedBytes(socket: Pick<GuardedSocket, 'conn'>): number {
    const t = this.tracked.get(socket.conn);
    return t ? t.buffered + transportBuffered(t.conn) : 0;
  }

  /** Whether a signal may be forwarded to `recipient`: false once half its queue limit waits (counted). */
  mayForward(recipient: Pick<GuardedSocket, 'conn'>): boolean {
    if (this.queuedBytes(recipient) < this.limits.maxQueuedBytes / 2) return true;
    this.counts.signalsHeldBack += 1;
    return false;
  }

  /** The counters, with the queued bytes of each socket given. */
  counters(sockets: Iterable<GuardedSocket>, logLinesSuppressed: number): RelayCounters {
    const bySocket: Record<string, number> = {};
    let total = 0;
    for (const socket of sockets) {
      const bytes = this.queuedBytes(socket);
      bySocket[socket.id] = bytes;
      total += bytes;
    }
    const unauthenticatedByAddress: Record<string, number> = {};
    for (const [address, count] of this.byAddress)
      unauthenticatedByAddress[address] = count.pending.size + count.anonymous;
    return {
      connections: this.tracked.size,
      unauthenticatedByAddress,
      queuedBytes: { bySocket, total, highest: this.highestQueued },
      ...this.counts,
      logLinesSuppressed,
    };
  }

  /**
   * Closes every connection at once, as a network drop would (clients reconnect by themselves):
   * a graceful close would wait up to 30 s for a client that is not reading.
   */
  closeAll(): void {
    for (const t of [...this.tracked.values()]) abort(t.conn);
  }

  private opened(conn: EngineConn): void {
    const address = this.proxies.clientAddress(
      conn.request.socket.remoteAddress,
      conn.request.headers['x-forwarded-for'],
    );
    const t: Tracked = { conn, address, state: 'pending', buffered: 0, dropped: false, pendingTimer: null };
    // socket.io's own connectTimeout closes gracefully, which a polling client that never polls again holds up.
    t.pendingTimer = setTimeout(() => abort(conn), this.limits.pendingTimeoutMs);
    t.pendingTimer.unref();
    this.tracked.set(conn, t);
    const count = this.count(address);
    count.pending.add(t);
    if (count.pending.size > this.limits.maxUnauthenticatedPerAddress) {
      // The oldest, never this one: a client that authenticates at once is not kept out by others at its address.
      const [oldest] = count.pending;
      this.counts.unauthenticatedClosed += 1;
      this.logger.warn('unauthenticated connection closed: too many from its address', { address });
      oldest?.conn.close(true);
    }
    conn.on('packetCreate', (packet: { data?: unknown }) => this.queue(t, packet.data));
    conn.on('flush', () => (t.buffered = 0));
    conn.once('close', () => {
      this.release(t);
      this.tracked.delete(conn);
    });
  }

  private queue(t: Tracked, data: unknown): void {
    t.buffered += typeof data === 'string' ? data.length : Buffer.isBuffer(data) ? data.length : 1;
    const queued = t.buffered + transportBuffered(t.conn);
    if (queued > this.highestQueued) this.highestQueued = queued;
    if (queued <= this.limits.maxQueuedBytes || t.dropped) return;
    t.dropped = true;
    this.counts.slowReadersDropped += 1;
    this.logger.warn('connection dropped: its client is not reading', { address: t.address, queuedBytes: queued });
    abort(t.conn);
  }

  private count(address: string): AddressCount {
    let count = this.byAddress.get(address);
    if (!count) this.byAddress.set(address, (count = { pending: new Set(), anonymous: 0 }));
    return count;
  }

  /** The connection stops counting against its address (authenticated, or closed). */
  private release(t: Tracked): void {
    stopTimer(t);
    const count = this.byAddress.get(t.address);
    if (!count) return;
    if (t.state === 'pending') count.pending.delete(t);
    if (t.state === 'anonymous') count.anonymous -= 1;
    if (count.pending.size === 0 && count.anonymous === 0) this.byAddress.delete(t.address);
  }
}

function stopTimer(t: Tracked): void {
  if (t.pendingTimer) clearTimeout(t.pendingTimer);
  t.pendingTimer = null;
}

interface WebSocketLike {
  bufferedAmount: number;
  terminate(): void;
}

/** The ws WebSocket under engine.io's websocket transport (engine.io does not type it). */
function webSocketOf(conn: EngineConn): WebSocketLike | null {
  if (conn.transport.name !== 'websocket') return null;
  const socket = (conn.transport as unknown as { socket?: WebSocketLike }).socket;
  return socket && typeof socket.terminate === 'function' ? socket : null;
}

/** Closes the connection at once, its buffers with it: a graceful close would wait for the reader. */
function abort(conn: EngineConn): void {
  const ws = webSocketOf(conn);
  conn.close(true);
  ws?.terminate();
}

/** Bytes the transport holds for the client beyond engine.io's buffer (the WebSocket's and the TCP socket's). */
function transportBuffered(conn: EngineConn): number {
  return webSocketOf(conn)?.bufferedAmount ?? 0;
}
