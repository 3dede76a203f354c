/**
 * A HostLauncher that runs the host as a child process of the agent: the Electron app on Linux,
 * the Chromium host in tests. What to run is the caller's (`command`); this module owns the
 * processes: one per assistance, and stopping them.
 *
 * Hosts write to the agent's own stdout and stderr (inherited, not piped): their output then
 * lands wherever the agent's does (the journal for a service), and a host outliving a killed
 * agent can still write, instead of dying of a broken pipe before the user has read why its
 * assistance ended.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { SessionId } from '../../shared/protocol.js';
import { PROXY_HANDOVER_FD, PROXY_HANDOVER_FD_ENV, type ProxyHandover } from '../../shared/proxy-handover.js';
import type { HostHandle, HostLauncher, HostLaunchRequest } from './launcher.js';

export interface LaunchCommand {
  file: string;
  args: string[];
  /** The child's whole environment (nothing else is inherited). */
  env: NodeJS.ProcessEnv;
  /** Linux, agent running as root: the account the host runs as (libuv drops root's groups too). */
  runAs?: { uid: number; gid: number; cwd: string };
}

export interface SpawnLauncherOptions {
  command(request: HostLaunchRequest): LaunchCommand;
  /** Where exits are logged. */
  log: (line: string) => void;
  /**
   * The agent's proxy password for its hosts (src/shared/proxy-handover.ts): written to each host's
   * descriptor 3, a pipe only the two share, and the pipe closed; never in its argv or environment.
   */
  proxyHandover?: ProxyHandover;
}

/**
 * How long a host has to exit after SIGTERM before it is killed: its window shows the session's
 * end for a few seconds before it closes itself (src/main/host/window-close.ts, CLOSE_AFTER_MS).
 */
const STOP_GRACE_MS = 10_000;

interface Running {
  child: ChildProcess;
  exited: Promise<void>;
}

export function createSpawnLauncher(opts: SpawnLauncherOptions): HostLauncher {
  const running = new Map<SessionId, Running>();

  async function stop(sessionId: SessionId): Promise<void> {
    // A host leaves `running` as it exits: one still in it is still running.
    const host = running.get(sessionId);
    if (!host) return;
    host.child.kill('SIGTERM');
    const timer = setTimeout(() => host.child.kill('SIGKILL'), STOP_GRACE_MS);
    await host.exited;
    clearTimeout(timer);
  }

  return {
    async start(request) {
      const { sessionId } = request;
      // The relay issues one token per assistance, so a second start for it is a mistake somewhere.
      if (running.has(sessionId)) throw new Error(`a host for session ${sessionId} is running already`);
      const { file, args, env, runAs } = opts.command(request);
      const handover = opts.proxyHandover;
      const child = spawn(file, args, {
        env: handover ? { ...env, [PROXY_HANDOVER_FD_ENV]: String(PROXY_HANDOVER_FD) } : env,
        stdio: handover ? ['ignore', 'inherit', 'inherit', 'pipe'] : ['ignore', 'inherit', 'inherit'],
        ...(runAs ?? {}),
      });
      const pipe = handover ? child.stdio[PROXY_HANDOVER_FD] : null;
      if (pipe && 'end' in pipe) {
        // A host that exits before reading breaks the pipe: its exit is logged, the agent goes on.
        pipe.on('error', () => undefined);
        pipe.end(`${JSON.stringify(handover)}\n`);
      }
      const exited = new Promise<void>((resolve) =>
        child.once('exit', (code, signal) => {
          running.delete(sessionId);
          opts.log(`[host ${sessionId}] exited (${signal ?? `code ${code}`})`);
          resolve();
        }),
      );
      running.set(sessionId, { child, exited });
      return new Promise<HostHandle>((resolve, reject) => {
        child.once('spawn', () => resolve({ pid: child.pid!, exited }));
        child.once('error', (err) => {
          running.delete(sessionId);
          reject(new Error(`cannot start ${file}: ${err.message}`));
        });
      });
    },
    stop,
    async stopAll() {
      await Promise.all([...running.keys()].map(stop));
    },
  };
}
