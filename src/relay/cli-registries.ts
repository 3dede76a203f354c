/**
 * The relay command's registry commands (cli.ts hands them their arguments): `operator
 * add|list|remove`, `device add|list|remove` and `enrolment create|list|revoke`, each on the data
 * folder's store with the token pepper, so that a token made here is checked by the running relay.
 */
import { parseName } from '../shared/names.js';
import { UsageError, dataDir, dataOption, parse, withStore } from './cli-support.js';
import { EnrolmentTokens, MAX_ENROLMENT_USES } from './agents/enrolment-tokens.js';
import { systemClock } from './clock.js';
import { MachineTokens } from './credentials/machine-tokens.js';
import { openTokenMac, PEPPER_ENV } from './credentials/pepper.js';
import type { TokenMac } from './credentials/token-mac.js';
import { DeviceRegistry } from './devices.js';
import { OperatorRegistry } from './operators.js';
import { Roles } from './policy/roles.js';
import type { RelayStore } from './store/store.js';

function nameOption(value: string | undefined, flag: string, command: string): string {
  if (value === undefined) throw new UsageError(`${command} needs ${flag}`);
  const parsed = parseName(value);
  if (!parsed.ok) throw new UsageError(`invalid ${flag}: ${parsed.message}`);
  return parsed.name;
}

export async function operator(args: string[]): Promise<void> {
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

export async function device(args: string[]): Promise<void> {
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
export async function enrolment(args: string[]): Promise<void> {
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
