/**
 * The relay's clients on its default namespace (hosts and operators): the handshake that says who
 * each is, one event at a time per socket (an asynchronous one, like a password check, is not
 * overtaken by the socket's next event or its disconnect), every event parsed before it reaches
 * the assistances or the session table, and the delivery of what they answer. Nothing a client
 * sends can throw out of a handler: a refusal goes back as relay:error and into the log.
 */
import type { Server, Socket } from 'socket.io';
import {
  connectRefusalError,
  type ClientToRelayEvents,
  type RelayEventName,
  type RelayToClientEvents,
} from '../shared/protocol.js';
import type { Assistances } from './assistances/service.js';
import { authenticate, type ClientData, type Registries } from './auth.js';
import type { ClientGuard } from './limits/connections.js';
import type { RelayLogger } from './log.js';
import type { Revocations } from './revocation.js';
import type { ToolRelay } from './tools/tool-relay.js';
import type { ViewerRequests } from './viewer-requests.js';
import type { AssistRelay } from './tools/assist-relay.js';
import type { SecureDesktopRelay } from './secure-desktop/secure-desktop-relay.js';
import { relayError, type ConnId, type Outgoing, type Sender } from './messages.js';
import { parseClientEvent, shownEventName, type ClientCommand } from './validate.js';
import { routedSession, type Cluster, type ClusterEvents, type ClusterServer } from './cluster.js';

export type RelayServer = Server<ClientToRelayEvents, RelayToClientEvents, ClusterEvents, ClientData>;
type RelaySocket = Socket<ClientToRelayEvents, RelayToClientEvents, ClusterEvents, ClientData>;

export interface ClientDeps {
  registries: Registries;
  assistances: Assistances;
  /** Carries the operators' tool requests to the devices' agents (never to a host). */
  tools: ToolRelay;
  /** The viewer toolbar's Request control and ticket/notes (viewer-requests.ts). */
  viewer: ViewerRequests;
  /** Clipboard reports and chat (tools/assist-relay.ts): what the relay checks and audits. */
  assist: AssistRelay;
  /** Carries the admitted operator's secure-desktop input to the device's agent (never to a host). */
  secureDesktop: SecureDesktopRelay;
  /** Re-checks, before each event is acted on, that the operator or device behind the socket is still registered. */
  revocations: Pick<Revocations, 'gone'>;
  logger: RelayLogger;
  /** Per-address room for anonymous hosts, the event rate, what waits for slow readers (limits/connections.ts). */
  guard: ClientGuard;
  /** The relay is stopping: connections closing leave nothing to write down (the next run carries on). */
  stopping: () => boolean;
  /** Adds what the answers call for before they go out: the admitted peers' TURN credentials (turn/ice-grants.ts). */
  expand?: (messages: Outgoing[]) => Outgoing[];
  /** One of several nodes (cluster.ts): sessions owned elsewhere are reached through the others. */
  cluster?: Cluster;
  /** A host token's MAC, and whether this node's agents wait for a host with it (agents/hub.ts). */
  hostTokenMac: (token: string) => string;
  holdsHostToken: (mac: string) => boolean;
}

export function serveClients(io: RelayServer, deps: ClientDeps): { deliver(messages: Outgoing[]): void } {
  const { assistances, logger, guard } = deps;
  // Of several nodes: a host token another node issued sends its host on to that node (cluster.ts).
  const { cluster } = deps;
  const hostTokens = deps.registries.hostTokens;
  const registries: Registries = !cluster
    ? deps.registries
    : {
        ...deps.registries,
        hostTokens: {
          redeemHostToken: (token) => hostTokens.redeemHostToken(token),
          heldElsewhere: (token) => cluster.hostTokenElsewhere(clusterIo, deps.hostTokenMac(token)),
        },
      };
  io.use((socket, next) => {
    authenticate(socket.handshake.auth, registries).then(
      (result) => {
        if (result.ok) {
          const { data } = result;
          const anonymous = data.role === 'host' && !data.device && !data.assistance && !data.resumed;
          if (!guard.admit(socket, anonymous ? 'anonymous' : 'credential'))
            return next(
              connectRefusalError('unavailable', 'too many hosts without enrolment at this address just now'),
            );
          socket.data = data;
          next();
        } else {
          logger.warn('handshake refused', { socket: socket.id, reason: result.reason });
          next(connectRefusalError(result.retry ? 'unavailable' : 'unauthorized', result.reason));
        }
      },
      (err: unknown) => {
        logger.error('handshake failed', { socket: socket.id, error: errorMessage(err) });
        next(connectRefusalError('unavailable', 'the relay could not check the credentials'));
      },
    );
  });

  /** Sends what the relay's logic answered; `from`: the socket whose event it answers (told of held-back signals). */
  function deliver(answered: Outgoing[], from?: ConnId): void {
    const messages = deps.expand ? deps.expand(answered) : answered;
    for (const message of messages) {
      if (message.event === 'relay:error') {
        const { code, event, message: text } = message.payload;
        logger.warn('refused', { socket: message.to, event, code, message: text });
      }
      // A recipient that disconnected meanwhile simply misses the message.
      const socket = io.sockets.sockets.get(message.to);
      if (!socket) {
        // …unless it is connected to another node: its own room reaches it there.
        if (deps.cluster) emitOutgoing(io.to(message.to), message);
        continue;
      }
      // A peer not reading its signals gets no more of them: its sender is throttled instead.
      if (message.event === 'session:signal' && !guard.mayForward(socket)) {
        if (from !== undefined)
          deliver([
            relayError(
              from,
              'rate-limited',
              'session:signal',
              'the other side is not keeping up: signal not delivered',
            ),
          ]);
        continue;
      }
      emitOutgoing(socket, message);
    }
  }

  /**
   * An operator's command for a session another node owns is acted on there (cluster.ts); an
   * assistance whose node died is taken over here first (assistances/takeover.ts). `drop`: the
   * operator's connection closes as a network drop would, so that it reconnects and resumes again.
   */
  async function handleOrForward(sender: Sender, command: ClientCommand, drop: () => void): Promise<Outgoing[]> {
    const sessionId = deps.cluster && sender.role === 'operator' ? routedSession(command) : null;
    if (deps.cluster && sessionId !== null && !assistances.sessions.session(sessionId)) {
      const where = assistances.ownership(sessionId);
      if (where !== 'here') {
        if (await deps.cluster.forward(clusterIo, { sender, command })) return [];
        // A live owner (its heartbeat says) that did not answer has just died: ask again shortly.
        if (where === 'elsewhere' && command.event === 'session:resume') {
          logger.info('operator resuming on a node not owning its assistance: dropped to reconnect', {
            session: sessionId,
          });
          drop();
          return [];
        }
      }
    }
    return handle(sender, command);
  }

  const clusterIo: ClusterServer = {
    serverSideEmit: (event, ...args) =>
      (io.serverSideEmit as (event: string, ...a: unknown[]) => boolean).call(io, event, ...args),
    on: (event, listener) => io.on(event as never, listener as never),
    serverCount: () => io.of('/').adapter.serverCount(),
  };
  if (cluster) assistances.createElsewhere((create) => cluster.create(clusterIo, create));
  deps.cluster?.serve(clusterIo, {
    async command({ sender, command }) {
      const sessionId = routedSession(command);
      if (sessionId === null || !assistances.sessions.session(sessionId)) return false;
      deliver(await handle(sender, command), sender.conn);
      return true;
    },
    disconnect(sender, onPurpose) {
      if (sender.role === 'operator' && !deps.stopping()) deliver(assistances.sessions.disconnect(sender, onPurpose));
    },
    // An assistance on a device connected here, asked of another node: created here, its messages delivered here.
    async create({ operator, request, via }) {
      if (!assistances.deviceHere(request.deviceId)) return null;
      const result = await assistances.createHere(operator, request, via);
      if (!result.ok) return result;
      deliver(result.out);
      return { ok: true, response: result.response };
    },
    holdsHostToken: (mac) => deps.holdsHostToken(mac),
  });

  function handle(sender: Sender, command: ClientCommand): Outgoing[] | Promise<Outgoing[]> {
    const sessions = assistances.sessions;
    switch (command.event) {
      case 'assistance:open':
        return assistances.open(sender, command.payload);
      case 'session:resume':
        return assistances.resume(sender, command.payload);
      case 'assistance:decline':
        return assistances.decline(sender, command.payload.sessionId);
      case 'device:user-sessions':
        return assistances.reportUserSessions(sender, command.payload.sessions);
      case 'tool:request':
        return sender.role === 'operator'
          ? deps.tools.fromOperator(sender, command.payload.sessionId, command.payload.request)
          : deps.tools.fromHost(sender, command.payload.sessionId);
      case 'secure-desktop:input':
        return deps.secureDesktop.fromClient(sender, command.payload.sessionId, command.payload.input);
      case 'tool:close-by-user':
        return deps.tools.closeByUser(sender, command.payload.sessionId, command.payload.toolId);
      case 'session:request-control':
        return deps.viewer.requestControl(sender, command.payload.sessionId);
      case 'session:notes':
        return deps.viewer.notes(sender, command.payload.sessionId, command.payload.notes);
      case 'chat:send':
        return deps.assist.chat(sender, command.payload.sessionId, command.payload.text);
      case 'clipboard:report':
        return deps.assist.clipboardReported(sender, command.payload);
      case 'session:feature-used':
        return deps.assist.featureReported(sender, command.payload);
      case 'files:report':
        return deps.assist.filesReported(sender, command.payload);
      default:
        return sessions.handle(sender, command);
    }
  }

  io.on('connection', (socket: RelaySocket) => {
    const data = socket.data;
    const sender: Sender =
      data.role === 'host'
        ? { conn: socket.id, role: 'host', ...(data.device ? { deviceId: data.device.id } : {}) }
        : { conn: socket.id, role: 'operator', operator: data.operator };

    if (data.role === 'host' && data.resumed) {
      const resumed = data.resumed;
      const device = data.device;
      // A host back from a dropped connection, with its resume token: into its assistance again.
      const resume = () => {
        logger.info('host reconnected', { socket: socket.id, session: resumed });
        if (device) assistances.deviceConnected(socket.id, device);
        const { out, close } = assistances.hostResumed(socket.id, resumed);
        deliver(out);
        for (const conn of close) io.sockets.sockets.get(conn)?.disconnect(true);
      };
      // Of several nodes: its assistance is this node's, or taken over from a dead node, or a
      // live node's: then it is dropped as by the network, and reconnects through the proxy (cluster.ts).
      if (!deps.cluster || assistances.ownership(resumed) !== 'elsewhere') resume();
      else {
        logger.info('host back on a node not owning its session: dropped to reconnect', { session: resumed });
        socket.conn.close();
      }
    } else if (data.role === 'host' && data.assistance) {
      // A host a device's agent started: straight into its assistance, no session of its own.
      logger.info('agent-started host connected', { socket: socket.id, session: data.assistance });
      const out = assistances.agentHostArrived(socket.id, data.assistance);
      if (out) deliver(out);
      else socket.disconnect(true);
    } else if (data.role === 'host') {
      const sessionId = assistances.sessions.openHost(socket.id, data.deviceName);
      if (data.device) assistances.deviceConnected(socket.id, data.device);
      logger.info('host connected', { socket: socket.id, session: sessionId, device: data.device?.id });
      socket.emit('host:ready', { sessionId });
    } else {
      logger.info('operator connected', { socket: socket.id, operator: data.operator.id });
      socket.emit('operator:ready', { operator: data.operator });
    }

    // One event at a time per socket: an asynchronous one (assistance:open checks a password)
    // must not be overtaken by the socket's next event or by its disconnect.
    let queue = Promise.resolve();
    const inTurn = (task: () => Outgoing[] | Promise<Outgoing[]>, onError: (err: unknown) => void): void => {
      queue = queue.then(async () => {
        try {
          deliver(await task(), socket.id);
        } catch (err) {
          onError(err);
        }
      });
    };

    // A refusal for going too fast is answered in turn too: after the answers to the events before it.
    const gate = guard.eventGate(socket, (event, message, retryAfterMs, close) =>
      inTurn(
        () => {
          const details = retryAfterMs > 0 ? { retryAfterMs } : {};
          deliver([relayError(socket.id, 'rate-limited', event, message, details)]);
          if (close) socket.disconnect(true);
          return [];
        },
        (err) => logger.error('handler failed', { socket: socket.id, event, error: errorMessage(err) }),
      ),
    );
    const toolGate = guard.eventGate(
      socket,
      (event, message, retryAfterMs, close) => {
        deliver([relayError(socket.id, 'rate-limited', event, message, retryAfterMs > 0 ? { retryAfterMs } : {})]);
        if (close) socket.disconnect(true);
      },
      'tools',
    );
    // One entry point for every event, so that unknown names are answered too.
    socket.onAny((name: unknown, payload: unknown) => {
      // socket.io lets event names be numbers too.
      const event = String(name);
      const shown = shownEventName(event);
      if (!(event === 'tool:request' ? toolGate : gate)(shown)) return;
      inTurn(
        () => {
          // Removed since its handshake: revoked now (the socket is dropped), the event not acted on.
          if (deps.revocations.gone(data)) return [];
          const parsed = parseClientEvent(event, payload);
          if (!parsed.ok)
            return [
              {
                to: socket.id,
                event: 'relay:error',
                payload: { code: parsed.code, event: shown, message: parsed.message },
              },
            ];
          const fields = parsed.command.payload;
          logger.debug('event', {
            socket: socket.id,
            event: shown,
            session: 'sessionId' in fields ? fields.sessionId : undefined,
          });
          return handleOrForward(sender, parsed.command, () => socket.conn.close());
        },
        (err) => logger.error('handler failed', { socket: socket.id, event: shown, error: errorMessage(err) }),
      );
    });

    socket.on('disconnect', (reason) => {
      inTurn(
        () => {
          // Stopping: the store keeps every session as it is, for the next run to carry on.
          if (deps.stopping()) return [];
          logger.info(`${data.role} disconnected`, { socket: socket.id, reason });
          if (data.role === 'host' && data.device) assistances.deviceDisconnected(socket.id, data.device.id);
          // A host that closed its own connection was quit; any other close may be a network drop.
          const onPurpose = reason === 'client namespace disconnect';
          if (sender.role === 'operator') deps.cluster?.disconnected(clusterIo, sender, onPurpose);
          return assistances.sessions.disconnect(sender, onPurpose);
        },
        (err) => logger.error('disconnect handler failed', { socket: socket.id, error: errorMessage(err) }),
      );
    });
  });

  return { deliver };
}

/** Outgoing pairs each event with its payload; TS cannot carry that pairing through socket.io's generic emit. */
function emitOutgoing(socket: { emit: RelaySocket['emit'] | RelayServer['emit'] }, message: Outgoing): void {
  (socket.emit as (event: RelayEventName, payload: unknown) => boolean).call(socket, message.event, message.payload);
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
