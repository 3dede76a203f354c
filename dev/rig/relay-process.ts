/**
 * The relay as the process a support desk runs (`relay serve`, through the relay command), for
 * the tests that must stop or kill it outright and start it again on the same data folder and
 * address, as a service manager would. The operator and devices are registered with the same
 * command (`relay operator add`, `relay device add`); assistances are requested over its HTTP
 * API. Its output, stdout and stderr, is kept line by line. With `tls` it serves HTTPS/WSS
 * (`--tls-cert`, `--tls-key`; certificates from dev/rig/test-ca.ts), and its `url` is https.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { API_PREFIX, AssistanceResponse, type AssistanceRequest } from '../../src/shared/relay-api.js';
import { seedRigPolicy, type RigPolicy } from './rig-policy.js';

const CLI = ['--import', 'tsx', 'src/relay/cli.ts'];
const run = promisify(execFile);

export interface RelayProcess {
  url: string;
  port: number;
  dataDir: string;
  operatorToken: string;
  /** Every line the relay wrote, across its runs. */
  lines: string[];
  addDevice(name: string): Promise<{ id: string; token: string }>;
  /** `relay enrolment create --group <group> [--uses n]`: a token device agents enrol with. */
  enrolmentToken(group: string, uses?: number): Promise<string>;
  requestAssistance(request: AssistanceRequest): Promise<AssistanceResponse>;
  /** Signals the running relay and waits for it to exit. */
  kill(signal: NodeJS.Signals): Promise<void>;
  /** Signals the running relay and goes on (SIGHUP: it rereads its certificate). */
  signal(signal: NodeJS.Signals): void;
  /** Starts it again on the same data folder and port; resolves once it listens. */
  start(): Promise<void>;
  /** Stops it (if running) and removes its data folder. */
  close(): Promise<void>;
}

/** A port free now on 127.0.0.1 (the relay listens on it across restarts). */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function command(dataDir: string, ...args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [...CLI, ...args, '--data', dataDir], { encoding: 'utf8' });
  return stdout;
}

function field(output: string, name: string): string {
  const match = new RegExp(`^\\s*${name}:\\s+(\\S+)`, 'm').exec(output);
  if (!match) throw new Error(`no ${name} in the relay command's output:\n${output}`);
  return match[1]!;
}

export interface RelayProcessOptions {
  /** The certificate and key files it serves TLS with. */
  tls?: { cert: string; key: string };
  /** More environment for `relay serve` (FLXRA_RELAY_LOG_LEVEL, say). */
  env?: Record<string, string>;
  /** The policy it starts with: every type (the default), or a new installation's. */
  policy?: RigPolicy;
  /** More arguments for `relay serve` (`--redis`, `--node`). */
  args?: string[];
  /**
   * Another node on the same data folder (and operator) as this running relay: its own port;
   * its close leaves the folder to the relay it shares with.
   */
  shareWith?: RelayProcess;
}

export async function startRelayProcess(opts: RelayProcessOptions = {}): Promise<RelayProcess> {
  const shared = opts.shareWith;
  const dataDir = shared?.dataDir ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'flxra-relay-process-')));
  const port = await freePort();
  const url = `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  const tlsArgs = opts.tls ? ['--tls-cert', opts.tls.cert, '--tls-key', opts.tls.key] : [];
  const operatorToken =
    shared?.operatorToken ??
    field(await command(dataDir, 'operator', 'add', '--name', 'Ada Lovelace', '--org', 'Help Desk'), 'token');
  // Every assistance type allowed, as the rig's relays have it (rig-policy.ts).
  if (!shared) seedRigPolicy(dataDir, opts.policy);
  const lines: string[] = [];
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();

  const start = async (): Promise<void> => {
    const serve = ['serve', '--port', String(port), '--data', dataDir, ...tlsArgs, ...(opts.args ?? [])];
    const started = spawn(process.execPath, [...CLI, ...serve], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...opts.env },
    });
    child = started;
    exited = new Promise((resolve) => started.once('exit', () => resolve()));
    const listening = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the relay did not listen within 15 s:\n${lines.join('\n')}`)),
        15_000,
      );
      for (const stream of [started.stdout, started.stderr]) {
        createInterface({ input: stream }).on('line', (line) => {
          lines.push(line);
          if (line.startsWith(`flxra relay listening on ${url}`)) {
            clearTimeout(timer);
            resolve();
          }
        });
      }
      started.once('exit', (code) =>
        reject(new Error(`the relay exited (${code}) before listening:\n${lines.join('\n')}`)),
      );
    });
    await listening;
  };

  const kill = async (signal: NodeJS.Signals): Promise<void> => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    await exited;
    child = null;
  };

  await start();
  return {
    url,
    port,
    dataDir,
    operatorToken,
    lines,
    async addDevice(name) {
      const output = await command(dataDir, 'device', 'add', '--name', name);
      return { id: field(output, 'id'), token: field(output, 'token') };
    },
    async enrolmentToken(group, uses) {
      const more = uses === undefined ? [] : ['--uses', String(uses)];
      return field(await command(dataDir, 'enrolment', 'create', '--group', group, ...more), 'token');
    },
    async requestAssistance(request) {
      const response = await fetch(`${url}${API_PREFIX}/assistances`, {
        method: 'POST',
        headers: { authorization: `Bearer ${operatorToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(request),
      });
      if (!response.ok)
        throw new Error(`the relay refused the assistance: ${response.status} ${await response.text()}`);
      return AssistanceResponse.parse(await response.json());
    },
    kill,
    signal(signal) {
      child?.kill(signal);
    },
    start,
    async close() {
      await kill('SIGTERM');
      if (!shared) await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}
