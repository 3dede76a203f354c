/**
 * What the relay command's parts share: the data dir option, argument parsing whose mistakes are
 * usage errors (exit code 2 with the usage), and a store opened for one command and closed after.
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
