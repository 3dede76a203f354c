/**
 * The one way main-process code connects out to the relay: a typed socket.io client over
 * websocket only (devices never listen on a port; wss on 443 passes proxies and firewalls),
 * and the one way it listens: every payload the relay sends is checked against the contract
 * (src/shared/protocol.ts) before a handler sees it. The relay is trusted for what it says, not
 * for the shape of its messages. Only https/wss relays are reached, plain http only on this
 * computer (src/shared/relay-url.ts); a certificate this computer does not trust fails the
 * connection, and describeConnectionFailure says why in the sessions' messages.
 */
import type { Agent } from 'node:http';
import { io } from 'socket.io-client';
import type { HandshakeAuth } from '../shared/protocol.js';
import type { RelaySocket } from '../shared/relay-socket.js';
import { secureRelayUrl } from '../shared/relay-url.js';

export { onRelayEvent, retryAfterRefusal, type RelaySocket } from '../shared/relay-socket.js';

/**
 * `auth` is read again at each (re)connection when it is a function: a host's credential changes
 * once it is in an assistance (its resume token replaces the one-time token). Throws for a relay
 * address the rule refuses: the sessions check it first, to say so in their state. `agent`: the
 * proxy's tunnel the app's proxy resolution chose (relay-route.ts); absent: direct.
 */
export function connectToRelay(
  relayUrl: string,
  auth: HandshakeAuth | (() => HandshakeAuth),
  opts: { reconnection?: boolean; agent?: Agent } = {},
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
    // engine.io-client types `agent` for its browser build; in Node it is handed to the websocket as is.
    ...(opts.agent ? { agent: opts.agent as unknown as string } : {}),
  });
}
