/**
 * Ends a Linux process and everything it started, for "end process tree" and for closing a terminal: its
 * descendants by parent PID and, for a terminal, every process still in the shell's session (a job that was put in
 * its own process group, or whose parent already exited and left it to init, is still in the session). Killing a
 * parent first would let a child fork away unseen, so the whole tree is first frozen (SIGSTOP), looked at again
 * until nothing new appears, and only then killed (SIGKILL); then the caller waits until each is gone.
 */
import { isGone, readAllStats, type ProcStat } from './linux-proc.js';

export interface TreeOptions {
  procRoot?: string;
  /** Also every process whose session is the root's (the root is a session leader: a terminal's shell). */
  session?: boolean;
  /**
   * The root already exited (a terminal's shell): only what is left of its session is ended, never the PID itself,
   * which may belong to another process by now. (The session's ID cannot be reused while a member holds it.)
   */
  rootExited?: boolean;
  /** Sends a signal; injected only to see what would be sent. */
  signal?: (pid: number, signal: NodeJS.Signals) => void;
}

/** The root and the processes it started: the set to end, root first. */
export function treeMembers(root: number, stats: readonly ProcStat[], session: boolean): number[] {
  const children = new Map<number, number[]>();
  for (const s of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s.pid]);
  const members = new Set<number>([root]);
  const queue = [root];
  // Session members, and their descendants, are part of the tree too.
  if (session)
    for (const s of stats)
      if (s.session === root && !members.has(s.pid)) {
        members.add(s.pid);
        queue.push(s.pid);
      }
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()!) ?? [])
      if (!members.has(child)) {
        members.add(child);
        queue.push(child);
      }
  }
  return [...members];
}

const send = (pid: number, sig: NodeJS.Signals) => {
  try {
    process.kill(pid, sig);
  } catch (err) {
    // Already gone: that is the goal. Any other error (EPERM) is the caller's to report.
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
};

export interface KilledTree {
  /** Every PID that was killed, root first. */
  ended: number[];
  /** Members the agent's account may not signal (EPERM), left running. */
  denied: number[];
  /** The kernel's name (comm) of each member, as /proc showed it while frozen. */
  names: Map<number, string>;
}

/**
 * Freezes, then kills the tree. Throws EPERM (before anything is signalled) when the root itself may not be
 * signalled; a member that may not be is left out and named in `denied`, and never left frozen.
 */
export async function killTree(root: number, opts: TreeOptions = {}): Promise<KilledTree> {
  const procRoot = opts.procRoot ?? '/proc';
  const signal = opts.signal ?? send;
  const frozen = new Set<number>();
  const denied = new Set<number>();
  const names = new Map<number, string>();
  if (!opts.rootExited) {
    signal(root, 'SIGSTOP');
    frozen.add(root);
  }
  try {
    // Each round stops what the previous one missed; with everything stopped nothing new can fork.
    for (let round = 0; round < 50; round++) {
      const stats = await readAllStats(procRoot);
      for (const s of stats) if (!names.has(s.pid)) names.set(s.pid, s.comm);
      const members = treeMembers(root, stats, opts.session ?? false);
      const fresh = members.filter((pid) => !frozen.has(pid) && !denied.has(pid) && pid !== root);
      if (fresh.length === 0) break;
      for (const pid of fresh) {
        try {
          signal(pid, 'SIGSTOP');
          frozen.add(pid);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EPERM') throw err;
          denied.add(pid);
        }
      }
    }
  } finally {
    for (const pid of frozen) signal(pid, 'SIGKILL');
  }
  for (const pid of names.keys()) if (!frozen.has(pid)) names.delete(pid);
  return { ended: [...frozen], denied: [...denied], names };
}

/** Waits until every PID is gone (or a zombie); true when they all went within the time. */
export async function waitGone(pids: readonly number[], timeoutMs: number, procRoot = '/proc'): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const alive = await Promise.all(pids.map(async (pid) => !(await isGone(procRoot, pid))));
    if (!alive.some(Boolean)) return true;
    if (performance.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
}
