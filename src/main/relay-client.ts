/**
 * The one way main-process code connects out to the relay: a typed socket.io client over
 * websocket only (devices never listen on a port; wss on 443 passes proxies and firewalls).
 */
import { io, type Socket } from 'socket.io-client';
import type { ClientToRelayEvents, HandshakeAuth, RelayToClientEvents } from '../shared/protocol.js';

export type RelaySocket = Socket<RelayToClientEvents, ClientToRelayEvents>;

/** `reconnection: false` for clients whose credential works once (a host started by the agent). */
export function connectToRelay(
  relayUrl: string,
  auth: HandshakeAuth,
  opts: { reconnection?: boolean } = {},
): RelaySocket {
  return io(relayUrl, {
    auth,
    transports: ['websocket'],
    reconnection: opts.reconnection ?? true,
    reconnectionDelay: 500,
    reconnectionDelayMax: 5_000,
    autoConnect: true,
  });
}
