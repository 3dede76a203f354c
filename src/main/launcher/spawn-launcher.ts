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
import type { HostExit, HostHandle, HostLauncher, HostLaunchRequest } from './launcher.js';

export interface LaunchCommand {
  file: string;
  args: string[];
  /** The child's whole environment (nothing else is inherited). */
  env: NodeJS.ProcessEnv;
}

export interface SpawnLauncherOptions {
  command(request: HostLaunchRequest): LaunchCommand;
  /** Where starts and exits are logged. */
  log(line: string): void;
  /** How long a host has to exit after SIGTERM before it is killed. */
  stopGraceMs?: number;
}

const DEFAULT_STOP_GRACE_MS = 3_000;

interface Running {
  child: ChildProcess;
  exited: Promise<HostExit>;
}

export function createSpawnLauncher(opts: SpawnLauncherOptions): HostLauncher {
  const running = new Map<SessionId, Running>();
  const grace = opts.stopGraceMs ?? DEFAULT_STOP_GRACE_MS;

  async function stop(sessionId: SessionId): Promise<void> {
    const host = running.get(sessionId);
    if (!host) return;
    if (host.child.exitCode === null && host.child.signalCode === null) {
      host.child.kill('SIGTERM');
      const timer = setTimeout(() => host.child.kill('SIGKILL'), grace);
      await host.exited;
      clearTimeout(timer);
    }
  }

  return {
    async start(request) {
      const { sessionId } = request;
      // The relay issues one token per assistance, so a second start for it is a mistake somewhere.
      if (running.has(sessionId)) throw new Error(`a host for session ${sessionId} is running already`);
      const { file, args, env } = opts.command(request);
      const child = spawn(file, args, { env, stdio: ['ignore', 'inherit', 'inherit'] });
      const exited = new Promise<HostExit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
      running.set(sessionId, { child, exited });
      void exited.then(({ code, signal }) => {
        running.delete(sessionId);
        opts.log(`[host ${sessionId}] exited (${signal ?? `code ${code}`})`);
      });
      return new Promise<HostHandle>((resolve, reject) => {
        child.once('spawn', () => resolve({ sessionId, pid: child.pid!, exited }));
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
