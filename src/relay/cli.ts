/**
 * The relay command: `serve` runs the relay, `operator add|list|remove` and `device
 * add|list|remove` manage the registries, `keys fingerprint|list|rotate|revoke` the signing keys
 * (cli-keys.ts; `key fingerprint` still works).
 * Run as `tsx src/relay/cli.ts <command>` (`npm start` serves). What people need goes to stdout,
 * logs go to stderr as JSON lines (level from FLXRA_RELAY_LOG_LEVEL, default info).
 */
import { parseName } from '../shared/names.js';
import { keys } from './cli-keys.js';
import { DEFAULT_DATA, UsageError, dataDir, dataOption, parse, withStore } from './cli-support.js';
import { EnrolmentTokens, MAX_ENROLMENT_USES } from './agents/enrolment-tokens.js';
import { systemClock } from './clock.js';
import { MachineTokens } from './credentials/machine-tokens.js';
import { openTokenMac, PEPPER_ENV } from './credentials/pepper.js';
import type { TokenMac } from './credentials/token-mac.js';
import { DeviceRegistry } from './devices.js';
import { LIMIT_OPTIONS, LIMITS_USAGE, serveLimits } from './limits/serve-options.js';
import { serveTlsFiles, TLS_OPTIONS, TLS_USAGE } from './tls-serve-options.js';
import { createLogger, isLogLevel } from './log.js';
import { OperatorRegistry } from './operators.js';
import { Roles } from './policy/roles.js';
import { DEFAULT_HOST, DEFAULT_PORT } from './listen-defaults.js';
import type { RelayStore } from './store/store.js';

const USAGE = `usage:
  relay serve [--host ${DEFAULT_HOST}] [--port ${DEFAULT_PORT}] [--data ${DEFAULT_DATA}]
              [--public-url <url operators reach>] [--env <environment id>] [--name <relay name>]
              [--host-grace <seconds a device has to reconnect into its assistance, 60>]
${LIMITS_USAGE}
${TLS_USAGE}
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
FLXRA_RELAY_NAME and FLXRA_RELAY_HOST_GRACE set the defaults of --host, --port, --data, --public-url,
--env, --name and --host-grace; FLXRA_RELAY_TLS_CERT and FLXRA_RELAY_TLS_KEY those of --tls-cert and
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
      ...LIMIT_OPTIONS,
      ...TLS_OPTIONS,
      ...dataOption,
    },
    strict: true,
    allowPositionals: false,
  });
  const hostGrace = values['host-grace'] ?? process.env.FLXRA_RELAY_HOST_GRACE;
  if (hostGrace !== undefined && !/^\d{1,5}$/.test(hostGrace))
    throw new UsageError(`invalid --host-grace "${hostGrace}": whole seconds, e.g. 60`);
  const level = process.env.FLXRA_RELAY_LOG_LEVEL ?? 'info';
  if (!isLogLevel(level)) throw new UsageError(`invalid FLXRA_RELAY_LOG_LEVEL "${level}" (debug, info, warn, error)`);
  const port = parsePort(values.port ?? process.env.FLXRA_RELAY_PORT ?? String(DEFAULT_PORT));
  const data = dataDir(values.data);
  const publicUrl = values['public-url'] ?? process.env.FLXRA_RELAY_PUBLIC_URL;
  const environment = values.env ?? process.env.FLXRA_RELAY_ENV;
  const name = values.name ?? process.env.FLXRA_RELAY_NAME;
  let limits: ReturnType<typeof serveLimits>;
  let tlsFiles: ReturnType<typeof serveTlsFiles>;
  try {
    limits = serveLimits(values);
    tlsFiles = serveTlsFiles(values);
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
    ...(process.env[PEPPER_ENV] === undefined ? {} : { tokenPepper: process.env[PEPPER_ENV] }),
    limits,
    ...(tlsFiles ? { tls: await readTlsFiles(tlsFiles) } : {}),
  });
  console.log(`flxra relay listening on ${relay.url} (data: ${data})`);
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
function nameOption(value: string | undefined, flag: string, command: string): string {
  if (value === undefined) throw new UsageError(`${command} needs ${flag}`);
  const parsed = parseName(value);
  if (!parsed.ok) throw new UsageError(`invalid ${flag}: ${parsed.message}`);
  return parsed.name;
}

async function operator(args: string[]): Promise<void> {
  const [action, ...rest] = args;
  switch (action) {
    case 'add': {
      const { values } = parse({
        args: rest,
        options: {
          name: { type: 'string' },
          org: { type: 'string' },
          role: { type: 'string' },
          environment: { type: 'string' },
          ...dataOption,
        },
        strict: true,
        allowPositionals: false,
      });
      const name = nameOption(values.name, '--name', 'operator add');
      const organisation = nameOption(values.org, '--org', 'operator add');
      const role = values.role ?? 'operator';
      const environment = nameOption(values.environment ?? 'default', '--environment', 'operator add');
      const { identity, token } = await withStore(values.data, async (store) => {
        // The role of the capability matrix (src/shared/capabilities.ts): built in, or defined in the console.
        if (!new Roles(store, systemClock).exists(role))
          throw new UsageError(
            `invalid --role: there is no role ${role} (admin, operator, or one defined in the console)`,
          );
        const added = await new OperatorRegistry(store, machineTokens(store, values.data)).add({
          name,
          organisation,
          environment,
        });
        if (role !== 'operator') store.roles.assign('operator', added.identity.id, role);
        return added;
      });
      console.log(`operator added
  id:           ${identity.id}
  name:         ${identity.name}
  organisation: ${identity.organisation}
  role:         ${role}
  environment:  ${environment}
  token:        ${token}
This token will not be shown again: the relay keeps only a hash of it. Give it to the operator now.`);
      return;
    }
    case 'list': {
      const { values } = parse({ args: rest, options: dataOption, strict: true, allowPositionals: false });
      const operators = await withStore(values.data, async (store) =>
        new OperatorRegistry(store, machineTokens(store, values.data)).list(),
      );
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
      const removed = await withStore(values.data, async (store) =>
        new OperatorRegistry(store, machineTokens(store, values.data)).remove(id),
      );
      if (!removed) {
        console.error(`no operator with id ${id}`);
        process.exitCode = 1;
        return;
      }
      console.log(
        `operator ${id} removed (a relay running on this data folder drops its connections and ends its assistances)`,
      );
      return;
    }
    default:
      throw new UsageError(action ? `unknown operator command "${action}"` : 'missing operator command');
  }
}

async function device(args: string[]): Promise<void> {
  const [action, ...rest] = args;
  switch (action) {
    case 'add': {
      const { values } = parse({
        args: rest,
        options: { name: { type: 'string' }, ...dataOption },
        strict: true,
        allowPositionals: false,
      });
      const name = nameOption(values.name, '--name', 'device add');
      const { device, token } = await withStore(values.data, (store) =>
        new DeviceRegistry(store, machineTokens(store, values.data)).add({ name }),
      );
      console.log(`device added
  id:    ${device.id}
  name:  ${device.name}
  token: ${token}
This token will not be shown again: the relay keeps only a hash of it. Configure the device's host with it now.`);
      return;
    }
    case 'list': {
      const { values } = parse({ args: rest, options: dataOption, strict: true, allowPositionals: false });
      const devices = await withStore(values.data, async (store) =>
        new DeviceRegistry(store, machineTokens(store, values.data)).list(),
      );
      if (devices.length === 0) {
        console.log('no devices registered');
        return;
      }
      for (const d of devices) console.log(`${d.id}  ${d.name}  added ${d.createdAt}`);
      return;
    }
    case 'remove': {
      const { values, positionals } = parse({ args: rest, options: dataOption, strict: true, allowPositionals: true });
      const [id, ...extra] = positionals;
      if (!id || extra.length > 0) throw new UsageError('device remove needs exactly one device id');
      const removed = await withStore(values.data, async (store) =>
        new DeviceRegistry(store, machineTokens(store, values.data)).remove(id),
      );
      if (!removed) {
        console.error(`no device with id ${id}`);
        process.exitCode = 1;
        return;
      }
      console.log(
        `device ${id} removed (a relay running on this data folder drops its connections and ends its assistances)`,
      );
      return;
    }
    default:
      throw new UsageError(action ? `unknown device command "${action}"` : 'missing device command');
  }
}

/** Enrolment tokens for device agents (src/relay/agents/enrolment-tokens.ts). */
async function enrolment(args: string[]): Promise<void> {
  const [action, ...rest] = args;
  switch (action) {
    case 'create': {
      const { values } = parse({
        args: rest,
        options: {
          group: { type: 'string' },
          env: { type: 'string' },
          days: { type: 'string' },
          uses: { type: 'string' },
          ...dataOption,
        },
        strict: true,
        allowPositionals: false,
      });
      const reportGroup = nameOption(values.group, '--group', 'enrolment create');
      const days = Number(values.days ?? '7');
      if (!Number.isInteger(days) || days < 1 || days > 365)
        throw new UsageError(`invalid --days "${values.days}" (1-365)`);
      const uses = Number(values.uses ?? '1');
      if (!/^\d+$/.test(values.uses ?? '1') || uses < 1 || uses > MAX_ENROLMENT_USES)
        throw new UsageError(
          `invalid --uses "${values.uses}" (1-${MAX_ENROLMENT_USES}: how many devices may enrol with it)`,
        );
      const environmentId = nameOption(
        values.env ?? process.env.FLXRA_RELAY_ENV ?? 'default',
        '--env',
        'enrolment create',
      );
      const issued = await withEnrolmentTokens(values.data, async (tokens) =>
        tokens.create({ environmentId, reportGroup, lifetimeMs: days * 24 * 60 * 60_000, uses }),
      );
      console.log(`enrolment token created
  id:           ${issued.id}
  environment:  ${issued.environmentId}
  report group: ${issued.reportGroup}
  expires:      ${issued.expiresAt}
  uses:         ${issued.uses} ${issued.uses === 1 ? 'enrolment' : 'enrolments'}
  token:        ${issued.token}
Devices enrol with the token in a file (or on standard input, with "-"), never on the command line:
  agent --relay <relay url> --enroll-file <file>
It allows ${issued.uses === 1 ? 'one device' : `${issued.uses} devices`} until it expires or is revoked; it will not be shown again.`);
      return;
    }
    case 'revoke': {
      const { values, positionals } = parse({ args: rest, options: dataOption, strict: true, allowPositionals: true });
      const [id, ...extra] = positionals;
      if (!id || extra.length > 0) throw new UsageError('enrolment revoke needs exactly one token id');
      if (!(await withEnrolmentTokens(values.data, async (tokens) => tokens.revoke(id)))) {
        console.error(`no enrolment token ${id} that is not revoked already`);
        process.exitCode = 1;
        return;
      }
      console.log(`enrolment token ${id} revoked (devices enrolled with it stay enrolled)`);
      return;
    }
    default:
      throw new UsageError(action ? `unknown enrolment command "${action}"` : 'missing enrolment command');
  }
}

/** The token pepper of the data folder (or FLXRA_RELAY_TOKEN_PEPPER), as the relay itself uses it. */
function tokenMac(store: RelayStore, data: string | undefined): TokenMac {
  const fromEnv = process.env[PEPPER_ENV];
  return openTokenMac({ dataDir: dataDir(data), store, ...(fromEnv === undefined ? {} : { fromEnv }) });
}

function machineTokens(store: RelayStore, data: string | undefined): MachineTokens {
  return new MachineTokens(tokenMac(store, data));
}

async function withEnrolmentTokens<T>(
  data: string | undefined,
  use: (tokens: EnrolmentTokens) => Promise<T>,
): Promise<T> {
  return withStore(data, (store) => use(new EnrolmentTokens(store.agents, tokenMac(store, data), systemClock)));
}

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
