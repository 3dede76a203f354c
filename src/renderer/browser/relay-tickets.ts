/**
 * The browser operator's relay connection, signed in through the console session: before each
 * (re)connection the page asks the console (its session cookie, and the CSRF token GET /me gives)
 * for a one-time ticket and presents it in the handshake (role `browser-operator`). A console
 * session that ended gets no ticket, and the relay then refuses the connection ('unauthorized').
 */
import { io } from 'socket.io-client';
import { BrowserOperatorTicket } from '../../shared/browser-operator';
import { CONSOLE_ROUTES } from '../../shared/console-api';
import type { RelaySocket } from '../../shared/relay-socket';
import { consolePost } from './console-calls';

/** Presented when no ticket could be had: the relay refuses it as it refuses a used one. */
const NO_TICKET = 'no-ticket-no-ticket';

async function ticket(): Promise<string> {
  const answer = await consolePost(CONSOLE_ROUTES.browserOperatorTicket.path);
  if (!answer.ok) return NO_TICKET;
  return BrowserOperatorTicket.parse(answer.body).ticket;
}

export function connectWithTickets(origin: string): RelaySocket {
  return io(origin, {
    auth: (cb: (data: object) => void) => {
      ticket().then(
        (t) => cb({ role: 'browser-operator', ticket: t }),
        () => cb({ role: 'browser-operator', ticket: NO_TICKET }),
      );
    },
    transports: ['websocket'],
    reconnectionDelay: 500,
    reconnectionDelayMax: 5_000,
  });
}
