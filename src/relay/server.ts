/**
 * The relay server: an http server carrying socket.io, wiring authenticated sockets to the
 * session table and delivering what it answers. Every refusal goes back to its sender as
 * relay:error and into the log; nothing a client sends can throw out of a handler.
 */
import { createServer } from 'node:http';
import { isIPv6, type AddressInfo } from 'node:net';
import { Server, type Socket } from 'socket.io';
import type { ClientToRelayEvents, RelayEventName, RelayToClientEvents } from '../shared/protocol.js';
import { authenticate, type ClientData } from './auth.js';
import { createLogger, type RelayLogger } from './log.js';
import { OperatorRegistry } from './operators.js';
import { SessionTable, type Outgoing, type Sender } from './sessions.js';
import { openSqliteStore } from './store/sqlite-store.js';
import { parseClientEvent, shownEventName } from './validate.js';

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 7443;

/**
 * The largest signal the protocol accepts is 80 kB of JSON; anything far beyond that is refused
 * by socket.io (closing the connection) before the relay spends time parsing it.
 */
const MAX_MESSAGE_BYTES = 256 * 1024;

export interface RelayOptions {
  host?: string;
  /** 0 picks a free port (tests). */
  port?: number;
  /** Where relay.db lives; created if missing. */
  dataDir: string;
  logger?: RelayLogger;
}

export interface RelayHandle {
  /** http://host:port actually listened on (the real port when 0 was asked). */
  url: string;
  port: number;
  operators: OperatorRegistry;
  /** Disconnects every client, stops listening and closes the store. Safe to call twice. */
  close(): Promise<void>;
}

type RelayServer = Server<ClientToRelayEvents, RelayToClientEvents, Record<string, never>, ClientData>;
type RelaySocket = Socket<ClientToRelayEvents, RelayToClientEvents, Record<string, never>, ClientData>;

export async function startRelay(opts: RelayOptions): Promise<RelayHandle> {
  const host = opts.host ?? DEFAULT_HOST;
  const logger = opts.logger ?? createLogger();
  const store = openSqliteStore(opts.dataDir);
  const operators = new OperatorRegistry(store);
  const sessions = new SessionTable();
  const http = createServer();
  const io: RelayServer = new Server(http, { serveClient: false, maxHttpBufferSize: MAX_MESSAGE_BYTES });

  io.use((socket, next) => {
    authenticate(socket.handshake.auth, operators).then(
      (result) => {
        if (result.ok) {
          socket.data = result.data;
          next();
        } else {
          logger.warn('handshake refused', { socket: socket.id, reason: result.reason });
          next(new Error(`unauthorized: ${result.reason}`));
        }
      },
      (err: unknown) => {
        logger.error('handshake failed', { socket: socket.id, error: errorMessage(err) });
        next(new Error('unauthorized: the relay could not check the credentials'));
      },
    );
  });

  function deliver(messages: Outgoing[]): void {
    for (const message of messages) {
      if (message.event === 'relay:error') {
        const { code, event, message: text } = message.payload;
        logger.warn('refused', { socket: message.to, event, code, message: text });
      }
      // A recipient that disconnected meanwhile simply misses the message.
      const socket = io.sockets.sockets.get(message.to);
      if (socket) emitOutgoing(socket, message);
    }
  }

  io.on('connection', (socket: RelaySocket) => {
    const data = socket.data;
    const sender: Sender =
      data.role === 'host' ? { conn: socket.id, role: 'host' } : { conn: socket.id, role: 'operator', operator: data.operator };

    if (data.role === 'host') {
      const sessionId = sessions.openHost(socket.id, data.deviceName);
      logger.info('host connected', { socket: socket.id, session: sessionId });
      socket.emit('host:ready', { sessionId });
    } else {
      logger.info('operator connected', { socket: socket.id, operator: data.operator.id });
      socket.emit('operator:ready', { operator: data.operator });
    }

    // One entry point for every event, so that unknown names are answered too.
    socket.onAny((event: string, payload: unknown) => {
      const shown = shownEventName(event);
      try {
        const parsed = parseClientEvent(event, payload);
        if (!parsed.ok) {
          deliver([{ to: socket.id, event: 'relay:error', payload: { code: parsed.code, event: shown, message: parsed.message } }]);
          return;
        }
        logger.debug('event', { socket: socket.id, event: shown, session: parsed.command.payload.sessionId });
        deliver(sessions.handle(sender, parsed.command));
      } catch (err) {
        logger.error('handler failed', { socket: socket.id, event: shown, error: errorMessage(err) });
      }
    });

    socket.on('disconnect', (reason) => {
      try {
        logger.info(`${data.role} disconnected`, { socket: socket.id, reason });
        deliver(sessions.disconnect(sender));
      } catch (err) {
        logger.error('disconnect handler failed', { socket: socket.id, error: errorMessage(err) });
      }
    });
  });

  try {
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(opts.port ?? DEFAULT_PORT, host, () => {
        http.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    await io.close();
    store.close();
    throw err;
  }

  const port = (http.address() as AddressInfo).port;
  const url = `http://${isIPv6(host) ? `[${host}]` : host}:${port}`;
  logger.info('listening', { url });

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    operators,
    close() {
      closing ??= (async () => {
        // Disconnects every socket, closes engine.io, then waits for the http server to close.
        await io.close();
        store.close();
        logger.info('stopped');
      })();
      return closing;
    },
  };
}

/** Outgoing pairs each event with its payload; TS cannot carry that pairing through socket.io's generic emit. */
function emitOutgoing(socket: RelaySocket, message: Outgoing): void {
  (socket.emit as (event: RelayEventName, payload: unknown) => boolean).call(socket, message.event, message.payload);
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
