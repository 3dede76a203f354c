/**
 * A way for a Node client of the test process (the host role's relay connection, which runs in
 * the root namespace with the rest of the rig) to reach a server over a namespace's network, as
 * it would from the device: socat runs inside the namespace (dev/rig/netns.ts) and tunnels each
 * connection through the namespace's proxy with CONNECT and its Basic credentials; the test
 * process reaches socat through a Unix socket in the filesystem (which namespaces share) by a
 * loopback port of its own. So the bytes cross the namespace's link and its nftables rules: when
 * its link goes down and its connections are cut, this connection drops with the browser's.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { TestNetns } from './netns.js';
import { until } from './until.js';

export interface NetnsTunnel {
  /** The loopback port of the test process that leads to the target through the namespace. */
  port: number;
  close(): Promise<void>;
}

export async function tunnelThroughNetns(
  netns: TestNetns,
  target: { host: string; port: number },
  proxy: { port: number; user: string; password: string },
): Promise<NetnsTunnel> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'flxra-tunnel-'));
  const socketPath = path.join(dir, 'tunnel.sock');
  const child: ChildProcess = spawn(
    'ip',
    [
      'netns',
      'exec',
      netns.name,
      'socat',
      `UNIX-LISTEN:${socketPath},fork`,
      `PROXY:${netns.outsideIp}:${target.host}:${target.port},proxyport=${proxy.port},proxyauth=${proxy.user}:${proxy.password}`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const sockets = new Set<net.Socket>();
  const server = net.createServer((inbound) => {
    const outbound = net.connect({ path: socketPath });
    for (const s of [inbound, outbound]) {
      sockets.add(s);
      s.once('close', () => {
        sockets.delete(s);
        inbound.destroy();
        outbound.destroy();
      });
      s.on('error', () => undefined);
    }
    inbound.pipe(outbound).pipe(inbound);
  });
  const close = async () => {
    for (const s of sockets) s.destroy();
    if (server.listening) await new Promise((resolve) => server.close(resolve));
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await until(
      'socat listening in the namespace',
      () => {
        if (child.exitCode !== null) throw new Error(`socat exited: ${stderr}`);
        return existsSync(socketPath);
      },
      { timeoutMs: 5_000 },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  } catch (err) {
    await close();
    throw err;
  }
  return { port: (server.address() as AddressInfo).port, close };
}
