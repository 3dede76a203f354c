/**
 * A client's socket.io connection to the relay as the operator's session uses it, in the app's
 * main process (src/main/relay-client.ts connects it) and in the operator viewer the relay serves
 * to browsers (src/renderer/browser/): its type, the one way to listen to it (every payload
 * checked against the contract before a handler sees it), and the retry after a refusal worth
 * retrying. No Node here: the browser page imports it.
 */
import type { Socket } from 'socket.io-client';
import { onCheckedEvent } from './checked-events.js';
import { relayEvents, type ClientToRelayEvents, type RelayEventName, type RelayEventPayload } from './protocol.js';

/** What arrives from the relay before it is checked: unknown until onRelayEvent has parsed it. */
type UncheckedRelayEvents = { [E in RelayEventName]: (payload: unknown) => void };

export type RelaySocket = Socket<UncheckedRelayEvents, ClientToRelayEvents>;

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
  const timer = setTimeout(() => {
    if (current() === socket && !socket.active) socket.connect();
  }, RETRY_AFTER_REFUSAL_MS) as { unref?: () => void };
  timer.unref?.();
}
