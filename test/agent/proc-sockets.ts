/**
 * What a process listens on and what it started, read from /proc: its socket inodes
 * (/proc/<pid>/fd → socket:[inode]) matched against the kernel's socket tables of its network
 * namespace (/proc/<pid>/net/*); which of its children last, and whether a process runs.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

function socketInodes(pid: number): Set<string> {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {
      // The descriptor was closed between the listing and the readlink.
    }
  }
  return inodes;
}

function table(pid: number, name: string): string[][] {
  return readFileSync(`/proc/${pid}/net/${name}`, 'utf8')
    .split('\n')
    .slice(1)
    .filter((l) => l.trim())
    .map((l) => l.trim().split(/\s+/));
}

/**
 * The sockets of `pid` that can be reached from outside it: TCP in LISTEN (state 0A), any UDP
 * socket (bound, it receives datagrams), unix sockets accepting connections (__SO_ACCEPTCON).
 */
export function listeningSockets(pid: number): string[] {
  const mine = socketInodes(pid);
  const found: string[] = [];
  for (const proto of ['tcp', 'tcp6']) {
    // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
    for (const f of table(pid, proto)) if (f[3] === '0A' && mine.has(f[9]!)) found.push(`${proto} ${f[1]}`);
  }
  for (const proto of ['udp', 'udp6']) {
    for (const f of table(pid, proto)) if (mine.has(f[9]!)) found.push(`${proto} ${f[1]}`);
  }
  // Num RefCount Protocol Flags Type St Inode Path
  for (const f of table(pid, 'unix'))
    if (f[3] === '00010000' && mine.has(f[6]!)) found.push(`unix ${f[7] ?? '(unnamed)'}`);
  return found;
}

/** The pids whose parent is `pid`. */
export function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // pid (comm) state ppid …: comm may hold spaces and parentheses, so read after the last ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) children.push(Number(entry));
    } catch {
      // Exited meanwhile.
    }
  }
  return children;
}

/** The local ports of the established TCP connections `pid` holds to `remotePort` (IPv4 and IPv6). */
export function connectionsTo(pid: number, remotePort: number): number[] {
  const mine = socketInodes(pid);
  const ports: number[] = [];
  for (const proto of ['tcp', 'tcp6']) {
    for (const f of table(pid, proto)) {
      // Addresses are hex ADDRESS:PORT; 01 is ESTABLISHED.
      const local = Number.parseInt(f[1]!.split(':').pop()!, 16);
      const remote = Number.parseInt(f[2]!.split(':').pop()!, 16);
      if (f[3] === '01' && remote === remotePort && mine.has(f[9]!)) ports.push(local);
    }
  }
  return ports;
}

/**
 * Processes the agent started that stay. The session reader's short-lived commands (loginctl,
 * which it tries before utmp) come and go; a host would stay.
 */
export async function lastingChildren(pid: number): Promise<string[]> {
  const seen = childrenOf(pid);
  if (seen.length === 0) return [];
  await new Promise((r) => setTimeout(r, 1_000));
  // The user-session reader's one-shot queries (loginctl) are not something the agent started
  // and left running; under load one can outlive the pause, so they are told apart by name.
  return childrenOf(pid)
    .filter((child) => seen.includes(child))
    .map((child) => {
      try {
        return readFileSync(`/proc/${child}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
      } catch {
        return ''; // gone meanwhile
      }
    })
    .filter((cmdline) => cmdline !== '' && !/^(\S*\/)?loginctl /.test(cmdline));
}

/** Whether the process runs (a zombie nobody reaped has exited). */
export function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}
