/**
 * The device agent as a real process for tests: the built agent (`node out/dev/agent.mjs …`, the
 * bundle `npm run agent` and a service run, plus the development Chromium launcher; `npm test`
 * builds it first) in a process group of its own, so that the hosts it starts (which outlive it
 * when it is killed) go with it on cleanup. Its output, and its hosts' (they inherit it), is kept
 * line by line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';

// The product's agent with the development Chromium launcher added (dev/chromium-host/agent.ts).
const AGENT_BUNDLE = 'out/dev/agent.mjs';

export interface AgentProcess {
  pid: number;
  /** Every line the agent and its hosts wrote, stdout and stderr, in arrival order. */
  lines: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Where the output is now: pass as `from` to wait only for what comes after an action. */
  mark(): number;
  waitFor(pattern: RegExp, opts?: { from?: number; timeoutMs?: number }): Promise<RegExpMatchArray>;
  /** Ends the agent and every host it started (SIGTERM, then SIGKILL). */
  killAll(): Promise<void>;
}

const groups = new Set<number>();
process.on('exit', () => {
  for (const pgid of groups) killGroup(pgid, 'SIGKILL');
});

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // The whole group is gone already.
  }
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The bundle a device runs: without the development launcher. */
export const PRODUCT_AGENT_BUNDLE = 'out/agent/cli.mjs';

/** `input`: what the agent reads on its standard input (none by default). */
export function startAgent(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
  bundle = AGENT_BUNDLE,
  input?: string,
): AgentProcess {
  if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run npm run build:main first`);
  const child = spawn(process.execPath, [bundle, ...args], {
    detached: true,
    stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    // Each development agent stands for a machine of its own unless the test says which.
    env: { FLXRA_DEV_MACHINE_IDENTITY: randomBytes(32).toString('hex'), ...env },
  });
  if (input !== undefined) child.stdin!.end(input);
  return watched(child);
}

/**
 * A command line run by sh, as a person pastes it into a terminal (the console's enrolment
 * command), in `cwd`, kept and ended like an agent started by `startAgent`.
 */
export function startShellCommand(command: string, env: NodeJS.ProcessEnv, cwd: string): AgentProcess {
  return watched(spawn('/bin/sh', ['-c', command], { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env, cwd }));
}

function watched(child: ChildProcess): AgentProcess {
  const pid = child.pid!;
  groups.add(pid);
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on('line', (line) => {
      lines.push(line);
      if (process.env.FLXRA_TEST_VERBOSE) console.log(`  agent ${pid}| ${line}`);
      for (const wake of waiters) wake();
    });
  }
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );

  return {
    pid,
    lines,
    exited,
    mark: () => lines.length,
    waitFor(pattern, { from = 0, timeoutMs = 10_000 } = {}) {
      return new Promise((resolve, reject) => {
        const check = () => {
          for (let i = from; i < lines.length; i++) {
            const match = lines[i]!.match(pattern);
            if (match) {
              finish();
              resolve(match);
              return;
            }
          }
        };
        const timer = setTimeout(() => {
          finish();
          reject(
            new Error(
              `agent ${pid}: no line matching ${pattern} within ${timeoutMs} ms; its output:\n${lines.slice(from).join('\n')}`,
            ),
          );
        }, timeoutMs);
        const finish = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    async killAll() {
      killGroup(pid, 'SIGTERM');
      for (let i = 0; i < 50 && groupAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
      killGroup(pid, 'SIGKILL');
      groups.delete(pid);
    },
  };
}
