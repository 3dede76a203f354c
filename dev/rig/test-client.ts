/**
 * A socket.io client for tests, speaking to the relay's default namespace: TestClient records
 * every event from the moment the socket exists, so that `next(name)` returns the oldest event
 * of that name not yet taken, waiting for it if needed, and nothing is missed between an action
 * and the await. connectClient opens one with a handshake; refusal() reads the relay's refusal.
 */
import { io, type Socket } from 'socket.io-client';
import {
  readConnectRefusal,
  type ClientEventName,
  type ClientEventPayload,
  type ClientToRelayEvents,
  type ConnectRefusal,
  type RelayEventName,
  type RelayEventPayload,
  type RelayToClientEvents,
} from '../../src/shared/protocol.js';

/** How long `next()` and connecting wait by default before failing the test. */
export const DEFAULT_TIMEOUT_MS = 2_000;

export type ClientSocket = Socket<RelayToClientEvents, ClientToRelayEvents>;

interface Waiter {
  event: string;
  where: (payload: unknown) => boolean;
  resolve: (payload: unknown) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

/** A connected client plus an inbox of everything the relay sent it. */
export class TestClient {
  private readonly inbox: Array<{ event: string; payload: unknown }> = [];
  private readonly waiters = new Set<Waiter>();

  constructor(readonly socket: ClientSocket) {
    socket.onAny((event: string, payload: unknown) => {
      for (const waiter of this.waiters) {
        if (waiter.event === event && waiter.where(payload)) {
          this.settle(waiter);
          waiter.resolve(payload);
          return;
        }
      }
      this.inbox.push({ event, payload });
    });
  }

  /** Sends a well-typed event. */
  emit<E extends ClientEventName>(event: E, payload: ClientEventPayload<E>): void {
    // The typed emit cannot correlate a generic E with its payload; the signature above does.
    (this.socket.emit as (event: E, payload: ClientEventPayload<E>) => unknown).call(this.socket, event, payload);
  }

  /** Sends anything at all (malformed payloads, unknown events), bypassing the protocol types. */
  emitRaw(event: string, ...args: unknown[]): void {
    (this.socket.emit as (event: string, ...args: unknown[]) => unknown).call(this.socket, event, ...args);
  }

  /**
   * The oldest not-yet-taken event of that name (optionally: whose payload passes `where`),
   * waiting up to timeoutMs for it to arrive; fails naming what arrived instead.
   */
  next<E extends RelayEventName>(
    event: E,
    opts: { timeoutMs?: number; where?: (payload: RelayEventPayload<E>) => boolean } = {},
  ): Promise<RelayEventPayload<E>> {
    const where = (opts.where ?? (() => true)) as (payload: unknown) => boolean;
    const index = this.inbox.findIndex((m) => m.event === event && where(m.payload));
    if (index >= 0) return Promise.resolve(this.inbox.splice(index, 1)[0]!.payload as RelayEventPayload<E>);
    const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        event,
        where,
        resolve: resolve as (payload: unknown) => void,
        reject,
        timer: setTimeout(() => {
          this.settle(waiter);
          const pending = this.inbox.map((m) => m.event).join(', ') || 'nothing';
          reject(new Error(`no "${event}" within ${timeoutMs} ms (received meanwhile, not taken: ${pending})`));
        }, timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  /** Events of that name received and not taken by next(); see flush() before asserting none. */
  received<E extends RelayEventName>(event: E): Array<RelayEventPayload<E>> {
    return this.inbox.filter((m) => m.event === event).map((m) => m.payload as RelayEventPayload<E>);
  }

  /**
   * A round trip through the relay: anything the relay sent this client before handling this
   * call has arrived once it resolves. It uses an unknown event, so the relay answers (and logs)
   * an unknown-event error, which this consumes.
   */
  async flush(): Promise<void> {
    const marker = `fixture:flush:${Math.random().toString(36).slice(2)}`;
    this.emitRaw(marker);
    await this.next('relay:error', { where: (e) => e.event === marker });
  }

  /** Disconnects; pending next() calls fail instead of waiting for their timeout. */
  close(): void {
    for (const waiter of this.waiters) {
      this.settle(waiter);
      waiter.reject(new Error(`client closed while waiting for "${waiter.event}"`));
    }
    this.socket.disconnect();
  }

  private settle(waiter: Waiter): void {
    clearTimeout(waiter.timer);
    this.waiters.delete(waiter);
  }
}

/**
 * Connects to a relay with the given handshake auth. Resolves once connected; rejects with the
 * relay's refusal (e.g. "unauthorized: ...") as the error message. `ca`: the authority an https
 * relay's certificate is checked against (dev/rig/test-ca.ts), instead of the system's.
 */
export function connectClient(
  url: string,
  auth: Record<string, unknown>,
  timeoutMs = DEFAULT_TIMEOUT_MS,
  tls: { ca?: string } = {},
): Promise<TestClient> {
  const socket: ClientSocket = io(url, {
    ...(tls.ca === undefined ? {} : { ca: tls.ca }),
    auth,
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    autoConnect: false,
  });
  const client = new TestClient(socket);
  return new Promise((resolve, reject) => {
    const fail = (err: Error) => {
      clearTimeout(timer);
      socket.off('connect');
      socket.disconnect();
      reject(err);
    };
    const timer = setTimeout(() => fail(new Error(`could not connect to ${url} within ${timeoutMs} ms`)), timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.off('connect_error');
      resolve(client);
    });
    socket.once('connect_error', fail);
    socket.connect();
  });
}

/**
 * The refusal (code and message, from connect_error's data) a relay answers this handshake
 * with; fails if the connection is accepted or the error carries no refusal.
 */
export async function refusal(url: string, auth: Record<string, unknown>): Promise<ConnectRefusal> {
  let client: TestClient;
  try {
    client = await connectClient(url, auth);
  } catch (err) {
    const refused = readConnectRefusal(err);
    if (!refused) throw new Error(`the connection failed without a refusal: ${String(err)}`, { cause: err });
    return refused;
  }
  client.close();
  throw new Error('the relay accepted a handshake it should have refused');
}
