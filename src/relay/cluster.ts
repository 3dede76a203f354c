/**
 * Several relay nodes as one relay, on socket.io's Redis Streams adapter (`relay serve --redis`):
 * no home-made cluster, only the adapter's rooms and server-side events.
 *
 * One owner per session: the node where its host is connected keeps it in its session table
 * (sessions.ts) and is the only one that decides anything about it. Messages reach any client
 * on any node through the room socket.io gives every connection (its id): a node delivers to a
 * connection it does not have with `io.to(id).emit`, which the adapter carries to the node that
 * has it. A command from a client on another node (an operator on node B joining or signalling
 * into a session whose host is on node A) is forwarded to every node, and each answers: the
 * owner acts on it as if the client were its own and answers yes, the others no. When no
 * node owns the session, the client's own node answers it (not found, as on one node). A
 * connection's end is told to every node, so the owner lets a remote operator out.
 *
 * Which node owns an assistance is in the store (its owner_node), beside each node's heartbeat:
 * a host (or an operator resuming) back from a dropped connection on a node that does not own
 * its assistance, while a live node does, is dropped again without a word, as a network drop
 * would, so that it reconnects, through the proxy, until it reaches the owner; an assistance
 * whose owner has gone silent is taken over by the first node it comes back to
 * (assistances/takeover.ts).
 *
 * Nodes trust each other's forwarded identities: Redis is the relay's own infrastructure
 * (docs/deployment.md), on a private network, with a password.
 */
import { createAdapter } from '@socket.io/redis-streams-adapter';
import { createClient } from 'redis';
import { randomUUID } from 'node:crypto';
import type { RelayLogger } from './log.js';
import type { Sender } from './messages.js';
import type { ClientCommand } from './validate.js';
import type { AssistanceRequest } from '../shared/relay-api.js';
import type { OperatorIdentity } from '../shared/protocol.js';
import type { CreateResult, RequestChannel } from './assistances/issue.js';

/** What one node forwards to the others. */
export interface Forwarded {
  sender: Sender;
  command: ClientCommand;
}

/**
 * An assistance asked of a node that does not have the device connected (its agent, or its host
 * with a device token): the node that has it creates it (cluster-agents in docs/deployment.md).
 */
export interface ForwardedCreate {
  operator: OperatorIdentity;
  request: AssistanceRequest;
  via: RequestChannel;
}

/** What a creating node answers: CreateResult less the messages, which it delivers itself. */
export type CreatedElsewhere =
  { ok: true; response: Extract<CreateResult, { ok: true }>['response'] } | Exclude<CreateResult, { ok: true }>;

/** A question to the other nodes: `from` is the asking node, `id` pairs it with the answers. */
interface Question {
  id: string;
  from: string;
}

/** The events nodes send each other (socket.io's server-side events, all carried by the stream). */
export interface ClusterEvents {
  'flxra:command': (question: Question & { forwarded: Forwarded }) => void;
  'flxra:create': (question: Question & { create: ForwardedCreate }) => void;
  /** Whether a node holds this host token (its MAC: tokens never travel) for a host its agent starts. */
  'flxra:host-token': (question: Question & { mac: string }) => void;
  'flxra:answer': (answer: { id: string; to: string; yes: boolean; value?: unknown }) => void;
  'flxra:disconnect': (sender: Sender, onPurpose: boolean) => void;
}

/** The part of socket.io's server a cluster needs. */
export interface ClusterServer {
  serverSideEmit<E extends keyof ClusterEvents>(event: E, ...args: Parameters<ClusterEvents[E]>): boolean;
  on<E extends keyof ClusterEvents>(event: E, listener: ClusterEvents[E]): unknown;
  /** How many nodes the adapter knows of, this one included (its heartbeats). */
  serverCount(): Promise<number>;
}

/** How long a node waits for the others to say whether one owns a session. */
const ANSWER_TIMEOUT_MS = 5_000;
/**
 * How long a node waits for another to create an assistance: the creating node answers once the
 * device's agent has its host in (or has given up, after DEFAULT_HOST_START_TIMEOUT_MS, 30 s).
 */
const CREATE_ANSWER_TIMEOUT_MS = 40_000;

export interface Cluster {
  /** The adapter to build socket.io's server with. */
  adapter: ReturnType<typeof createAdapter>;
  /** Whether another node owned the command's session and acted on it. */
  forward(io: ClusterServer, forwarded: Forwarded): Promise<boolean>;
  /** The assistance as the node that has the device created it; null when no other node has the device. */
  create(io: ClusterServer, create: ForwardedCreate): Promise<CreatedElsewhere | null>;
  /** Whether another node issued this host token (by its MAC) to the agent it has: the host should reach that node. */
  hostTokenElsewhere(io: ClusterServer, mac: string): Promise<boolean>;
  /** The connection is gone: the node owning its session (if another) lets it out. */
  disconnected(io: ClusterServer, sender: Sender, onPurpose: boolean): void;
  /** What this node does with what the others forward: true when it owns the session and acted. */
  serve(
    io: ClusterServer,
    handlers: {
      command: (forwarded: Forwarded) => Promise<boolean>;
      disconnect: (sender: Sender, onPurpose: boolean) => void;
      /** Created here when the device is connected here; null otherwise. */
      create: (create: ForwardedCreate) => Promise<CreatedElsewhere | null>;
      holdsHostToken: (mac: string) => boolean;
    },
  ): void;
  close(): Promise<void>;
}

/**
 * The adapter reads and subscribes on duplicates of the client, and disconnects them when the
 * relay closes without awaiting the commands still in flight on them (UNSUBSCRIBE, a blocking
 * XREAD): their rejections would be unhandled and end the process. Each command a duplicate
 * answers with a promise is given a handler that ignores its failure; whoever awaits it still
 * sees it.
 */
function quietDuplicates<C extends { duplicate: () => C }>(client: C): C {
  const duplicate = client.duplicate.bind(client);
  client.duplicate = () =>
    new Proxy(duplicate(), {
      get(target, property, receiver) {
        const value: unknown = Reflect.get(target, property, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          const result: unknown = (value as (...a: unknown[]) => unknown).apply(target, args);
          if (result instanceof Promise) result.catch(() => undefined);
          return result;
        };
      },
    });
  return client;
}

/**
 * Connects to Redis (redis://…) and gives the adapter and the forwarding over it. Questions and
 * answers are plain server-side events, which the adapter carries on its stream: its own
 * acknowledgements travel by Redis PUB/SUB, which, with this adapter and client, no longer
 * reached the asking node after Redis restarted.
 */
export async function joinCluster(redisUrl: string, logger: RelayLogger): Promise<Cluster> {
  const client = quietDuplicates(createClient({ url: redisUrl }));
  // The client reconnects by itself; the adapter's stream reading carries on after.
  client.on('error', (err: unknown) =>
    logger.warn('redis connection failed', { error: err instanceof Error ? err.message : String(err) }),
  );
  await client.connect();
  const uid = randomUUID();
  const waiting = new Map<string, (yes: boolean, value?: unknown) => void>();

  /** The first yes (with its value) as soon as one node answers it; null once all said no, or after the timeout. */
  async function ask(
    io: ClusterServer,
    emit: (question: Question) => void,
    what: string,
    timeoutMs = ANSWER_TIMEOUT_MS,
  ): Promise<{ value: unknown } | null> {
    const others = (await io.serverCount()) - 1;
    if (others <= 0) return null;
    const id = randomUUID();
    return new Promise((resolve) => {
      let noes = 0;
      const done = (yes: { value: unknown } | null) => {
        clearTimeout(timer);
        waiting.delete(id);
        resolve(yes);
      };
      const timer = setTimeout(() => {
        logger.warn('not every node answered in time', { question: what, answered: noes, nodes: others });
        done(null);
      }, timeoutMs);
      waiting.set(id, (yes, value) => (yes ? done({ value }) : ++noes >= others && done(null)));
      emit({ id, from: uid });
    });
  }
  const answer = (io: ClusterServer, question: Question, yes: boolean, value?: unknown) =>
    io.serverSideEmit('flxra:answer', { id: question.id, to: question.from, yes, ...(yes ? { value } : {}) });

  return {
    // A short blocking read, so that a stopping node lets go of Redis within a second.
    adapter: createAdapter(client, { blockTimeInMs: 1_000 }),
    forward: async (io, forwarded) =>
      (await ask(io, (q) => io.serverSideEmit('flxra:command', { ...q, forwarded }), forwarded.command.event)) !== null,
    create: async (io, create) => {
      const question = (q: Question) => io.serverSideEmit('flxra:create', { ...q, create });
      const yes = await ask(io, question, 'create', CREATE_ANSWER_TIMEOUT_MS);
      // A node closing settles its questions with no value: as if nobody had the device.
      return (yes?.value as CreatedElsewhere | undefined) ?? null;
    },
    hostTokenElsewhere: async (io, mac) =>
      (await ask(io, (q) => io.serverSideEmit('flxra:host-token', { ...q, mac }), 'host-token')) !== null,
    disconnected(io, sender, onPurpose) {
      io.serverSideEmit('flxra:disconnect', sender, onPurpose);
    },
    serve(io, handlers) {
      io.on('flxra:command', (question) => {
        handlers.command(question.forwarded).then(
          (yes) => answer(io, question, yes),
          (err: unknown) => {
            logger.error('forwarded command failed', {
              event: question.forwarded.command.event,
              error: err instanceof Error ? err.message : String(err),
            });
            answer(io, question, false);
          },
        );
      });
      io.on('flxra:create', (question) => {
        handlers.create(question.create).then(
          (created) => answer(io, question, created !== null, created),
          (err: unknown) => {
            logger.error('forwarded assistance request failed', {
              error: err instanceof Error ? err.message : String(err),
            });
            answer(io, question, false);
          },
        );
      });
      io.on('flxra:host-token', (question) => answer(io, question, handlers.holdsHostToken(question.mac)));
      io.on('flxra:answer', ({ id, to, yes, value }) => {
        if (to === uid) waiting.get(id)?.(yes, value);
      });
      io.on('flxra:disconnect', (sender, onPurpose) => handlers.disconnect(sender, onPurpose));
    },
    async close() {
      for (const settle of waiting.values()) settle(true);
      await client.quit().catch(() => undefined);
    },
  };
}

/**
 * The session a command is for, to find its owner: the one it names, or the one an activation
 * file names (read without checking the signature: the owner verifies it before acting).
 */
export function routedSession(command: ClientCommand): string | null {
  const payload: object = command.payload;
  if ('sessionId' in payload && typeof payload.sessionId === 'string') return payload.sessionId;
  if (command.event !== 'assistance:open') return null;
  const part = command.payload.activation.split('.')[1];
  if (!part) return null;
  try {
    const claims: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    const sid = typeof claims === 'object' && claims !== null && 'sid' in claims ? claims.sid : null;
    return typeof sid === 'string' ? sid : null;
  } catch {
    return null;
  }
}
