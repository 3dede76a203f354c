/**
 * The relay command: `serve` runs the relay, `operator add|list|remove` and `device
 * add|list|remove` manage the registries, `keys fingerprint|list|rotate|revoke` the signing keys
 * (cli-keys.ts; `key fingerprint` still works), `turn-config` coturn's configuration (cli-turn.ts).
 * Run as `tsx src/relay/cli.ts <command>` (`npm start` serves). What people need goes to stdout,
 * logs go to stderr as JSON lines (level from FLXRA_RELAY_LOG_LEVEL, default info).
 */
import path from 'node:path';
import { keys } from './cli-keys.js';
import { device, enrolment, operator } from './cli-registries.js';
import { CLUSTER_OPTIONS, DEFAULT_DATA, UsageError, dataDir, dataOption, parse, serveCluster } from './cli-support.js';
import { PEPPER_ENV } from './credentials/pepper.js';
import { LIMIT_OPTIONS, LIMITS_USAGE, serveLimits } from './limits/serve-options.js';
import { serveTlsFiles, TLS_OPTIONS, TLS_USAGE } from './tls-serve-options.js';
import { serveTurn, turnConfig, TURN_OPTIONS, TURN_USAGE } from './cli-turn.js';
import { createLogger, isLogLevel } from './log.js';
import { DEFAULT_HOST, DEFAULT_PORT } from './listen-defaults.js';

const USAGE = `usage:
  relay serve [--host ${DEFAULT_HOST}] [--port ${DEFAULT_PORT}] [--data ${DEFAULT_DATA}]
              [--public-url <url operators reach>] [--env <environment id>] [--name <relay name>]
              [--host-grace <seconds a device has to reconnect into its assistance, 60>]
              [--artifacts <folder of release artifacts the console offers: the portable .exe>]
              [--recording-retention-days <days recorded sessions are kept, 90>]
              [--redis <redis://… : one of several nodes, sharing one --data store (docs/deployment.md)>
               [--node <this node's name, stable across restarts; default <hostname>:<port>>]]
${LIMITS_USAGE}
${TLS_USAGE}
${TURN_USAGE}
  relay operator add --name <name> --org <organisation> [--role operator|admin|<defined role>] [--environment default] [--data <dir>]
  relay operator list [--data <dir>]
  relay operator remove <id> [--data <dir>]
  relay device add --name <name> [--data <dir>]
  relay device list [--data <dir>]
  relay device remove <id> [--data <dir>]
  relay keys fingerprint|list [--data <dir>]
  relay keys rotate [--data <dir>]
  relay keys revoke <key id> [--data <dir>]
  relay enrolment create --group <report group> [--env <environment id>] [--days 7] [--uses 1] [--data <dir>]
  relay enrolment revoke <id> [--data <dir>]
(FLXRA_RELAY_HOST, FLXRA_RELAY_PORT, FLXRA_RELAY_DATA, FLXRA_RELAY_PUBLIC_URL, FLXRA_RELAY_ENV,
FLXRA_RELAY_NAME, FLXRA_RELAY_HOST_GRACE, FLXRA_RELAY_ARTIFACTS, FLXRA_RELAY_RECORDING_RETENTION_DAYS,
FLXRA_RELAY_REDIS and FLXRA_RELAY_NODE set the defaults of --host, --port, --data, --public-url, --env, --name,
--host-grace, --artifacts, --recording-retention-days, --redis and --node; FLXRA_RELAY_TLS_CERT and FLXRA_RELAY_TLS_KEY those of --tls-cert and
--tls-key; FLXRA_RELAY_TRUSTED_PROXIES, FLXRA_RELAY_EVENTS_PER_SECOND, FLXRA_RELAY_MAX_QUEUED_KB and
FLXRA_RELAY_MAX_UNAUTHENTICATED_PER_ADDRESS those of the limits (authenticated clients are never
limited by address; docs/architecture.md, "Limits"); ${PEPPER_ENV}, when set, is the token pepper
instead of the data folder's token-pepper file, for every command alike)`;

function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65_535) throw new UsageError(`invalid port "${text}" (0-65535)`);
  return port;
}

async function serve(args: string[]): Promise<void> {
  const { values } = parse({
    args,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      'public-url': { type: 'string' },
      env: { type: 'string' },
      name: { type: 'string' },
      'host-grace': { type: 'string' },
      artifacts: { type: 'string' },
      'recording-retention-days': { type: 'string' },
      ...CLUSTER_OPTIONS,
      ...LIMIT_OPTIONS,
      ...TLS_OPTIONS,
      ...TURN_OPTIONS,
      ...dataOption,
    },
    strict: true,
    allowPositionals: false,
  });
  const hostGrace = values['host-grace'] ?? process.env.FLXRA_RELAY_HOST_GRACE;
  if (hostGrace !== undefined && !/^\d{1,5}$/.test(hostGrace))
    throw new UsageError(`invalid --host-grace "${hostGrace}": whole seconds, e.g. 60`);
  const retention = values['recording-retention-days'] ?? process.env.FLXRA_RELAY_RECORDING_RETENTION_DAYS;
  if (retention !== undefined && !/^[1-9]\d{0,4}$/.test(retention))
    throw new UsageError(`invalid --recording-retention-days "${retention}": whole days, e.g. 90`);
  const level = process.env.FLXRA_RELAY_LOG_LEVEL ?? 'info';
  if (!isLogLevel(level)) throw new UsageError(`invalid FLXRA_RELAY_LOG_LEVEL "${level}" (debug, info, warn, error)`);
  const port = parsePort(values.port ?? process.env.FLXRA_RELAY_PORT ?? String(DEFAULT_PORT));
  const data = dataDir(values.data);
  const publicUrl = values['public-url'] ?? process.env.FLXRA_RELAY_PUBLIC_URL;
  const environment = values.env ?? process.env.FLXRA_RELAY_ENV;
  const name = values.name ?? process.env.FLXRA_RELAY_NAME;
  const artifacts = values.artifacts ?? process.env.FLXRA_RELAY_ARTIFACTS;
  const cluster = serveCluster(values);
  let limits: ReturnType<typeof serveLimits>;
  let tlsFiles: ReturnType<typeof serveTlsFiles>;
  let turn: ReturnType<typeof serveTurn>;
  try {
    limits = serveLimits(values);
    tlsFiles = serveTlsFiles(values);
    turn = serveTurn(values, data);
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  // Only serving needs the server (socket.io, the HTTP stack): the other commands start faster without.
  const { startRelay } = await import('./server.js');
  const { readTlsFiles, reloadTlsFiles } = await import('./tls.js');
  const relay = await startRelay({
    host: values.host ?? process.env.FLXRA_RELAY_HOST ?? DEFAULT_HOST,
    port,
    dataDir: data,
    logger: createLogger({ level }),
    ...(publicUrl === undefined ? {} : { publicUrl }),
    ...(environment === undefined ? {} : { environment }),
    ...(name === undefined ? {} : { name }),
    ...(hostGrace === undefined ? {} : { hostGraceMs: Number(hostGrace) * 1000 }),
    ...(artifacts === undefined ? {} : { artifactsDir: path.resolve(artifacts) }),
    ...(retention === undefined ? {} : { recordingRetentionMs: Number(retention) * 86_400_000 }),
    ...cluster,
    ...(process.env[PEPPER_ENV] === undefined ? {} : { tokenPepper: process.env[PEPPER_ENV] }),
    limits,
    ...(tlsFiles ? { tls: await readTlsFiles(tlsFiles) } : {}),
    ...(turn ? { turn } : {}),
  });
  console.log(`flxra relay listening on ${relay.url} (data: ${data})`);
  if (turn) console.log(`TURN for admitted peers: ${turn.urls.join(' ')}${turn.relayOnly ? ' (relay only)' : ''}`);
  if (artifacts !== undefined) console.log(`downloads offered from ${path.resolve(artifacts)}`);
  for (const warning of relay.warnings) console.log(`warning: ${warning}`);
  // A renewed certificate (certbot's deploy hook, `systemctl reload`) is taken without a restart.
  if (tlsFiles) process.on('SIGHUP', () => void reloadTlsFiles(tlsFiles, relay));
  console.log(`activation key fingerprint: ${relay.keyFingerprint}`);
  // Printed here only, once per start while no administrator exists; never logged.
  if (relay.setupUrl) console.log(`Set up the first administrator: ${relay.setupUrl}`);

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

/** A name option under the relay's one rule for names (src/shared/names.ts), as it will be kept. */
async function main(argv: string[]): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h') || argv[0] === 'help') {
    console.log(USAGE);
    return;
  }
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
      return serve(rest);
    case 'operator':
      return operator(rest);
    case 'device':
      return device(rest);
    case 'key':
    case 'keys':
      return keys(rest);
    case 'enrolment':
      return enrolment(rest);
    case 'turn-config':
      return turnConfig(rest);
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
