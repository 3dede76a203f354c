/**
 * A real coturn for tests: Debian's turnserver (scripts/install-system-deps.sh), started on
 * 127.0.0.1 (or ::1) with the configuration a deployment gets (src/relay/turn/turnserver-conf.ts), its own
 * free ports, a fresh secret and a temporary folder for its pid, log and database. Its relayed
 * endpoints are opened on 127.0.0.2, which the rig allows as a peer address on purpose (the two
 * peers of a test session reach each other through it); every other loopback address, the
 * relay's 127.0.0.1 included, stays refused as in production. Killed when the test process exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { turnServerConf } from '../../src/relay/turn/turnserver-conf.js';
import { until } from './until.js';

export const TURN_HOST = '127.0.0.1';
/** Where coturn opens the relayed endpoints, and the one loopback peer address the rig allows. */
export const TURN_RELAY_IP = '127.0.0.2';

export interface TestTurnServer {
  port: number;
  /** With `tls`: the TLS port. */
  tlsPort?: number;
  secret: string;
  realm: string;
  /** Where it listens: 127.0.0.1, or ::1 with `ipv6`. */
  host: string;
  /** turn:127.0.0.1:<port>?transport=udp|tcp. */
  url(transport: 'udp' | 'tcp'): string;
  /** What it logged so far. */
  log(): Promise<string>;
  close(): Promise<void>;
}

export interface TestTurnOptions {
  /** TLS too, with this certificate chain and key (PEM files). */
  tls?: { cert: string; key: string };
  /**
   * IPv6: listening and relaying on ::1 (a client over IPv6 gets an IPv6 relayed address), with
   * no loopback peer allowed; `allowedPeerIps` then names what the test lets through on purpose.
   */
  ipv6?: { allowedPeerIps: string[] };
}

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** A TCP port nobody listens on now (coturn takes the same number for UDP). */
async function freePort(host = TURN_HOST): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function startTurnServer(opts: TestTurnOptions = {}): Promise<TestTurnServer> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'flxra-turn-'));
  const host = opts.ipv6 ? '::1' : TURN_HOST;
  const port = await freePort(host);
  const tlsPort = opts.tls ? await freePort(host) : undefined;
  const secret = randomBytes(32).toString('base64url');
  const realm = 'flxra.test';
  // A block of relayed ports of its own, so that tests running one after another do not collide.
  const min = 49_152 + Math.floor(Math.random() * 150) * 100;
  const conf = turnServerConf({
    realm,
    secret,
    port,
    listeningIps: [host],
    relayIps: [opts.ipv6 ? '::1' : TURN_RELAY_IP],
    ...(opts.ipv6 ? { allocationFamily: 'keep' as const } : {}),
    relayPorts: { min, max: min + 99 },
    ...(opts.tls && tlsPort ? { tls: { port: tlsPort, cert: opts.tls.cert, key: opts.tls.key } } : {}),
    allowedPeerIps: opts.ipv6 ? opts.ipv6.allowedPeerIps : [TURN_RELAY_IP],
    logFile: path.join(dir, 'turn.log'),
    pidFile: path.join(dir, 'turn.pid'),
    userDb: path.join(dir, 'turndb'),
  });
  const confFile = path.join(dir, 'turnserver.conf');
  await fs.writeFile(confFile, conf, { mode: 0o600 });
  const child = spawn('turnserver', ['-c', confFile], { stdio: 'ignore' });
  live.add(child);
  child.once('exit', () => live.delete(child));
  const readLog = async () => {
    // simple-log writes the file named; some builds add the date to its name.
    const names = (await fs.readdir(dir)).filter((n) => n.startsWith('turn') && n.endsWith('.log'));
    const texts = await Promise.all(names.map((n) => fs.readFile(path.join(dir, n), 'utf8').catch(() => '')));
    return texts.join('');
  };
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await exited;
    }
    await fs.rm(dir, { recursive: true, force: true });
  };
  try {
    let up = false;
    await until(
      'turnserver accepted connections',
      () => {
        if (child.exitCode !== null) throw new Error(`turnserver exited (${child.exitCode})`);
        void accepts(host, port).then((yes) => (up ||= yes));
        return up;
      },
      { timeoutMs: 10_000 },
    );
  } catch (err) {
    const log = await readLog();
    await close();
    throw new Error(`${(err as Error).message}\n${log.slice(-2000)}`, { cause: err });
  }
  return {
    host,
    port,
    ...(tlsPort ? { tlsPort } : {}),
    secret,
    realm,
    url: (transport) => `turn:${opts.ipv6 ? '[::1]' : TURN_HOST}:${port}?transport=${transport}`,
    log: readLog,
    close,
  };
}
