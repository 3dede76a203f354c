/**
 * A "443 only through the proxy" network for one side of a test session, as a corporate network
 * gives a device: a network namespace of its own with a veth pair to the root namespace, whose
 * nftables rules drop every UDP packet and every TCP connection except to one address and port
 * (the proxy's, on the root side of the veth pair). Whatever runs inside it (`ip netns exec`,
 * `wrapper()` for a browser playwright launches) reaches the world through that proxy or not at
 * all. `linkDown()`/`linkUp()` take the namespace's link away and back, as a Wi-Fi change does
 * (`cutConnections()` ends the connections that used it). A Node client of the test process
 * reaches the world through the namespace by dev/rig/netns-tunnel.ts.
 * Needs root (as the rig's other namespace tests). Every step is undone by close(), which is
 * idempotent, and the namespace is also removed when the test process exits.
 */
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);

export interface TestNetns {
  name: string;
  /** The root namespace's end of the veth pair (where the proxy listens). */
  outsideIp: string;
  /** The namespace's own address. */
  insideIp: string;
  /** A script that runs its arguments inside the namespace (a browser's executablePath). */
  wrapper(executable: string): Promise<string>;
  /** What the namespace's rules dropped so far: UDP packets, TCP packets to anywhere but the allowed port. */
  dropped(): Promise<{ udp: number; tcp: number }>;
  /** The namespace's end of the veth pair taken down (its connections lose their way), and brought up. */
  linkDown(): Promise<void>;
  linkUp(): Promise<void>;
  /**
   * Ends the namespace's TCP connections at once (ss -K), as the system ends those of a network
   * that went away (otherwise each would wait for its own timeout, minutes for TCP).
   */
  cutConnections(): Promise<void>;
  close(): Promise<void>;
}

const live = new Set<string>();
process.on('exit', () => {
  for (const name of live) {
    try {
      execFileSync('ip', ['netns', 'del', name], { stdio: 'ignore' });
    } catch {
      // gone already
    }
  }
});

const ns = (name: string, ...args: string[]) => exec('ip', ['netns', 'exec', name, ...args]);

/** The rules: all UDP dropped, TCP only to `allow`, counted so that a test can show they were in the way. */
function ruleset(allow: { ip: string; port: number }): string {
  return `table inet flxra {
  chain output {
    type filter hook output priority 0; policy accept;
    meta l4proto udp counter drop comment "udp"
    ip daddr ${allow.ip} tcp dport ${allow.port} accept
    meta l4proto tcp counter drop comment "tcp"
  }
}
`;
}

/**
 * A namespace whose only way out is TCP to `outsideIp:allowPort`. `allowPort` is asked for
 * before the proxy exists (the proxy then listens on `outsideIp`, which exists only once this returns).
 */
export async function createNetns(allowPort: number): Promise<TestNetns> {
  const tag = randomBytes(3).toString('hex');
  const name = `flxra-${tag}`;
  const outsideIf = `fxo${tag}`;
  const insideIf = `fxi${tag}`;
  // A /30 of 10.213.0.0/16 chosen at random, so that concurrent rigs do not collide.
  const n = Math.floor(Math.random() * 16_000);
  const base = `10.213.${Math.floor(n / 64)}.${(n % 64) * 4}`;
  const octets = base.split('.').map(Number);
  const at = (i: number) => [...octets.slice(0, 3), octets[3]! + i].join('.');
  const outsideIp = at(1);
  const insideIp = at(2);
  let dir: string | null = null;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    // Deleting the namespace deletes its end of the veth pair, and with it the other end.
    await exec('ip', ['netns', 'del', name]).catch(() => undefined);
    await exec('ip', ['link', 'del', outsideIf]).catch(() => undefined);
    live.delete(name);
    if (dir) await rm(dir, { recursive: true, force: true });
  };
  try {
    await exec('ip', ['netns', 'add', name]);
    live.add(name);
    await exec('ip', ['link', 'add', outsideIf, 'type', 'veth', 'peer', 'name', insideIf]);
    await exec('ip', ['link', 'set', insideIf, 'netns', name]);
    await exec('ip', ['addr', 'add', `${outsideIp}/30`, 'dev', outsideIf]);
    await exec('ip', ['link', 'set', outsideIf, 'up']);
    await ns(name, 'ip', 'addr', 'add', `${insideIp}/30`, 'dev', insideIf);
    await ns(name, 'ip', 'link', 'set', insideIf, 'up');
    await ns(name, 'ip', 'link', 'set', 'lo', 'up');
    dir = await mkdtemp(path.join(os.tmpdir(), 'flxra-netns-'));
    const rules = path.join(dir, 'rules.nft');
    await writeFile(rules, ruleset({ ip: outsideIp, port: allowPort }));
    await ns(name, 'nft', '-f', rules);
  } catch (err) {
    await close();
    throw err;
  }
  const workDir = dir;
  return {
    name,
    outsideIp,
    insideIp,
    async wrapper(executable) {
      const file = path.join(workDir, `in-${name}-${path.basename(executable)}`);
      // exec: the browser keeps the pipes playwright gave it (fds 3 and 4) and its pid.
      await writeFile(file, `#!/bin/sh\nexec ip netns exec ${name} ${executable} "$@"\n`);
      await chmod(file, 0o755);
      return file;
    },
    async dropped() {
      const { stdout } = await ns(name, 'nft', '-j', 'list', 'table', 'inet', 'flxra');
      const counts = { udp: 0, tcp: 0 };
      const parsed = JSON.parse(stdout) as {
        nftables: Array<{ rule?: { comment?: string; expr: Array<{ counter?: { packets: number } }> } }>;
      };
      for (const { rule } of parsed.nftables) {
        const packets = rule?.expr.find((e) => e.counter)?.counter?.packets ?? 0;
        if (rule?.comment === 'udp') counts.udp += packets;
        if (rule?.comment === 'tcp') counts.tcp += packets;
      }
      return counts;
    },
    linkDown: () => ns(name, 'ip', 'link', 'set', insideIf, 'down').then(() => undefined),
    async linkUp() {
      await ns(name, 'ip', 'link', 'set', insideIf, 'up');
    },
    cutConnections: () => ns(name, 'ss', '-K', '-t', 'dst', outsideIp).then(() => undefined),
    close,
  };
}
