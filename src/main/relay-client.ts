/**
 * The one way main-process code connects out to the relay: a typed socket.io client over
 * websocket only (devices never listen on a port; wss on 443 passes proxies and firewalls),
 * and the one way it listens: every payload the relay sends is checked against the contract
 * (src/shared/protocol.ts) before a handler sees it. The relay is trusted for what it says, not
 * for the shape of its messages. Only https/wss relays are reached, plain http only on this
 * computer (src/shared/relay-url.ts); a certificate this computer does not trust fails the
 * connection, and describeConnectionFailure says why in the sessions' messages.
 */
import { io, type Socket } from 'socket.io-client';
import { onCheckedEvent } from '../shared/checked-events.js';
import {
  relayEvents,
  type ClientToRelayEvents,
  type HandshakeAuth,
  type RelayEventName,
  type RelayEventPayload,
} from '../shared/protocol.js';
import { secureRelayUrl } from '../shared/relay-url.js';

/** What arrives from the relay before it is checked: unknown until onRelayEvent has parsed it. */
type UncheckedRelayEvents = { [E in RelayEventName]: (payload: unknown) => void };

export type RelaySocket = Socket<UncheckedRelayEvents, ClientToRelayEvents>;

/**
 * `auth` is read again at each (re)connection when it is a function: a host's credential changes
 * once it is in an assistance (its resume token replaces the one-time token). Throws for a relay
 * address the rule refuses: the sessions check it first, to say so in their state.
 */
export function connectToRelay(
  relayUrl: string,
  auth: HandshakeAuth | (() => HandshakeAuth),
  opts: { reconnection?: boolean } = {},
): RelaySocket {
  const checked = secureRelayUrl(relayUrl);
  if (!checked.ok) throw new Error(checked.message);
  return io(checked.url, {
    auth: typeof auth === 'function' ? (cb: (data: object) => void) => cb(auth()) : auth,
    transports: ['websocket'],
    reconnection: opts.reconnection ?? true,
    reconnectionDelay: 500,
    reconnectionDelayMax: 5_000,
    autoConnect: true,
  });
}

/**
 * Handles a relay event once its payload matches the event's schema. A malformed one is dropped
 * with a log line naming the event, never its payload (it may carry tokens or SDP); a handler
 * that throws is logged too, so that nothing the relay sends can crash the process.
 */
export function onRelayEvent<E extends RelayEventName>(
  socket: RelaySocket,
  event: E,
  log: (line: string) => void,
  handler: (payload: RelayEventPayload<E>) => void,
): void {
  onCheckedEvent(socket, relayEvents, event, log, (payload) => handler(payload as RelayEventPayload<E>));
}

/**
 * How long after a refusal worth retrying ("unavailable") a client connects again: socket.io
 * itself gives up after any refusal of the relay's handshake.
 */
const RETRY_AFTER_REFUSAL_MS = 2_000;

/** Connects again later, unless it is connecting already or `current()` says it was stopped meanwhile. */
export function retryAfterRefusal(socket: RelaySocket, current: () => RelaySocket | null): void {
  if (socket.active) return;
  setTimeout(() => {
    if (current() === socket && !socket.active) socket.connect();
  }, RETRY_AFTER_REFUSAL_MS).unref?.();
}
