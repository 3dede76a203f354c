/**
 * The relay command: `serve` runs the relay, `operator add|list|remove` manage the registry.
 * Run as `tsx src/relay/cli.ts <command>` (`npm start` serves). What people need goes to stdout,
 * logs go to stderr as JSON lines (level from FLXRA_RELAY_LOG_LEVEL, default info).
 */
import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { createLogger, isLogLevel } from './log.js';
import { OperatorRegistry } from './operators.js';
import { DEFAULT_HOST, DEFAULT_PORT, startRelay } from './server.js';
import { openSqliteStore } from './store/sqlite-store.js';

const DEFAULT_DATA = './.flxra-relay';

const USAGE = `usage:
  relay serve [--host ${DEFAULT_HOST}] [--port ${DEFAULT_PORT}] [--data ${DEFAULT_DATA}]
  relay operator add --name <name> --org <organisation> [--data <dir>]
  relay operator list [--data <dir>]
  relay operator remove <id> [--data <dir>]
(FLXRA_RELAY_HOST, FLXRA_RELAY_PORT and FLXRA_RELAY_DATA set the defaults of --host, --port and --data)`;

/** A mistake in how the command was called: exit code 2 with the usage. */
class UsageError extends Error {}

const dataOption = { data: { type: 'string' } } as const;

function dataDir(value: string | undefined): string {
  return path.resolve(value ?? process.env.FLXRA_RELAY_DATA ?? DEFAULT_DATA);
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65_535) throw new UsageError(`invalid port "${text}" (0-65535)`);
  return port;
}

/** parseArgs throws TypeErrors for unknown or malformed options; they are usage errors. */
function parse<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

async function serve(args: string[]): Promise<void> {
  const { values } = parse({
    args,
    options: { host: { type: 'string' }, port: { type: 'string' }, ...dataOption },
    strict: true,
    allowPositionals: false,
  });
  const level = process.env.FLXRA_RELAY_LOG_LEVEL ?? 'info';
  if (!isLogLevel(level)) throw new UsageError(`invalid FLXRA_RELAY_LOG_LEVEL "${level}" (debug, info, warn, error)`);
  const port = parsePort(values.port ?? process.env.FLXRA_RELAY_PORT ?? String(DEFAULT_PORT));
  const data = dataDir(values.data);
  const relay = await startRelay({
    host: values.host ?? process.env.FLXRA_RELAY_HOST ?? DEFAULT_HOST,
    port,
    dataDir: data,
    logger: createLogger({ level }),
  });
  console.log(`flxra relay listening on ${relay.url} (data: ${data})`);

  const stop = (): void => {
    relay.close().then(
      () => {
        console.log('flxra relay stopped');
        process.exit(0);
      },
      (err: unknown) => {
        console.error('flxra relay: error while stopping:', err instanceof Error ? err.message : err);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

async function operator(args: string[]): Promise<void> {
  const [action, ...rest] = args;
  switch (action) {
    case 'add': {
      const { values } = parse({
        args: rest,
        options: { name: { type: 'string' }, org: { type: 'string' }, ...dataOption },
        strict: true,
        allowPositionals: false,
      });
      if (!values.name?.trim() || !values.org?.trim()) throw new UsageError('operator add needs --name and --org');
      const { identity, token } = await withRegistry(values.data, (registry) =>
        registry.add({ name: values.name!, organisation: values.org! }),
      );
      console.log(`operator added
  id:           ${identity.id}
  name:         ${identity.name}
  organisation: ${identity.organisation}
  token:        ${token}
This token will not be shown again: the relay keeps only a hash of it. Give it to the operator now.`);
      return;
    }
    case 'list': {
      const { values } = parse({ args: rest, options: dataOption, strict: true, allowPositionals: false });
      const operators = await withRegistry(values.data, async (registry) => registry.list());
      if (operators.length === 0) {
        console.log('no operators registered');
        return;
      }
      for (const op of operators) console.log(`${op.id}  ${op.name}  (${op.organisation})  added ${op.createdAt}`);
      return;
    }
    case 'remove': {
      const { values, positionals } = parse({ args: rest, options: dataOption, strict: true, allowPositionals: true });
      const [id, ...extra] = positionals;
      if (!id || extra.length > 0) throw new UsageError('operator remove needs exactly one operator id');
      const removed = await withRegistry(values.data, async (registry) => registry.remove(id));
      if (!removed) {
        console.error(`no operator with id ${id}`);
        process.exitCode = 1;
        return;
      }
      console.log(`operator ${id} removed (connections already open stay up until they disconnect)`);
      return;
    }
    default:
      throw new UsageError(action ? `unknown operator command "${action}"` : 'missing operator command');
  }
}

async function withRegistry<T>(data: string | undefined, use: (registry: OperatorRegistry) => Promise<T>): Promise<T> {
  const store = openSqliteStore(dataDir(data));
  try {
    return await use(new OperatorRegistry(store));
  } finally {
    store.close();
  }
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
      return serve(rest);
    case 'operator':
      return operator(rest);
    default:
      throw new UsageError(command ? `unknown command "${command}"` : 'missing command');
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof UsageError) {
    console.error(`flxra relay: ${err.message}\n${USAGE}`);
    process.exitCode = 2;
  } else {
    console.error('flxra relay:', err instanceof Error ? err.message : err);
    process.exitCode = 1;
  }
});
