/**
 * What the relay command's parts share: the data dir option, argument parsing whose mistakes are
 * usage errors (exit code 2 with the usage), a store opened for one command and closed after,
 * and serve's options for running as one of several nodes.
 */
import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { openSqliteStore } from './store/sqlite-store.js';
import type { RelayStore } from './store/store.js';

export const DEFAULT_DATA = './.flxra-relay';

/** A mistake in how the command was called: exit code 2 with the usage. */
export class UsageError extends Error {}

export const dataOption = { data: { type: 'string' } } as const;

export function dataDir(value: string | undefined): string {
  return path.resolve(value ?? process.env.FLXRA_RELAY_DATA ?? DEFAULT_DATA);
}

/** parseArgs throws TypeErrors for unknown or malformed options; they are usage errors. */
export function parse<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

export async function withStore<T>(data: string | undefined, use: (store: RelayStore) => Promise<T>): Promise<T> {
  const store = openSqliteStore(dataDir(data));
  try {
    return await use(store);
  } finally {
    store.close();
  }
}

/** `relay serve` as one of several nodes (src/relay/cluster.ts, docs/deployment.md). */
export const CLUSTER_OPTIONS = {
  redis: { type: 'string' },
  node: { type: 'string' },
  database: { type: 'string' },
} as const;

/**
 * The Redis URL serve was given (--redis or FLXRA_RELAY_REDIS), checked, and the node's name
 * (--node or FLXRA_RELAY_NODE); --database is refused until it exists.
 */
export function serveCluster(values: { redis?: string; node?: string; database?: string }): {
  redisUrl?: string;
  node?: string;
} {
  const node = values.node ?? process.env.FLXRA_RELAY_NODE;
  const url = values.redis ?? process.env.FLXRA_RELAY_REDIS;
  if (url !== undefined && !/^rediss?:\/\//.test(url))
    throw new UsageError(`invalid --redis "${url}": redis://[:password@]host:port or rediss://…`);
  if (values.database !== undefined)
    throw new UsageError(
      '--database postgres://… is not available yet: only the assistances have a PostgreSQL store so far ' +
        '(src/relay/store/pg-assistances.ts); the nodes of one relay share one --data folder meanwhile (docs/deployment.md)',
    );
  if (node !== undefined && url === undefined)
    throw new UsageError('--node names one of several nodes: it needs --redis');
  return { ...(url === undefined ? {} : { redisUrl: url }), ...(node === undefined ? {} : { node }) };
}
