/**
 * Runs Windows programs for a test under Wine, on the test's own X display: one persistent
 * wineserver for the prefix while the session lasts (each program then starts in a fraction of
 * a second), Windows Node scripts bundled from the repository's TypeScript, and Windows
 * executables (the tier's mingw-built test programs, reg.exe, cmd.exe).
 *
 * Windows Node crashes on its first stdout/stdin access when these are Linux pipes, so its stdio
 * goes to files, and its result comes back as JSON in a file (dev/wine/probe.ts writes it). A
 * native crash runs winedbg --auto without its dialog (install-wine.sh turns it off): a
 * backtrace in the run's stderr, and the process ends.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { build } from 'esbuild';
import { REPO_ROOT, ensureWine, toWindowsPath, type WinePaths } from './wine-paths.js';

export interface WineSessionOptions {
  /** The X display Wine's windows and input go to (the test's Xvfb). */
  display: string;
}

export interface NodeRun<T> {
  /** Resolves with the script's result (what its probe returned); rejects with its logs. */
  result: Promise<T>;
  /** Ends the script now (its result then rejects). */
  kill(): void;
}

export interface ExeResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface WineSession {
  paths: WinePaths;
  /** The environment Wine's programs run with (WINEPREFIX, DISPLAY, NODE_PATH …). */
  env: NodeJS.ProcessEnv;
  /**
   * Starts `entry` (a TypeScript file of the repository that calls `probe()`, bundled on first
   * use) under the Windows node.exe with `input`; koffi and node-pty resolve to their win32 builds.
   */
  startNode<T>(entry: string, input: unknown, opts?: { timeoutMs?: number }): NodeRun<T>;
  runNode<T>(entry: string, input: unknown, opts?: { timeoutMs?: number }): Promise<T>;
  /** Starts a Windows executable (a Linux path, or a name Wine finds: reg.exe, cmd.exe). */
  spawnExe(exe: string, args: string[]): ChildProcess;
  /** Runs a Windows executable to its end, output collected (non-Node programs pipe fine). */
  runExe(exe: string, args: string[], opts?: { timeoutMs?: number }): Promise<ExeResult>;
  /** Stops every Windows program of the prefix and the wineserver; removes the temporary files. */
  close(): Promise<void>;
}

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

function track(child: ChildProcess): ChildProcess {
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((res, rej) => {
    child.once('exit', (code) => res(code));
    child.once('error', rej);
  });
}

export async function startWineSession(opts: WineSessionOptions): Promise<WineSession> {
  const paths = await ensureWine();
  const work = await mkdtemp(join(tmpdir(), 'flxra-wine-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    WINEPREFIX: paths.prefix,
    WINEDEBUG: '-all',
    WINEDLLOVERRIDES: 'mscoree,mshtml=',
    DISPLAY: opts.display,
    NODE_PATH: toWindowsPath(paths.win32Modules),
  };
  // -p: the server stays up between programs instead of exiting with the last one.
  await exited(track(spawn(paths.wineserver, ['-p'], { env, stdio: 'ignore' })));
  const bundles = new Map<string, Promise<string>>();
  let runs = 0;

  const bundle = (entry: string): Promise<string> => {
    const absolute = resolve(REPO_ROOT, entry);
    let out = bundles.get(absolute);
    if (!out) {
      const outfile = join(work, `${basename(absolute).replace(/\.[cm]?tsx?$/, '')}-${bundles.size}.cjs`);
      out = build({
        entryPoints: [absolute],
        outfile,
        bundle: true,
        platform: 'node',
        format: 'cjs',
        target: 'node20',
        external: ['koffi', 'node-pty'],
        // import('koffi') (the platform modules load theirs lazily) becomes require(), which
        // resolves through NODE_PATH to the win32 builds; ESM's import() ignores NODE_PATH.
        supported: { 'dynamic-import': false },
        logLevel: 'silent',
      }).then(() => outfile);
      bundles.set(absolute, out);
    }
    return out;
  };

  const startNode = <T>(entry: string, input: unknown, { timeoutMs = 30_000 } = {}): NodeRun<T> => {
    const n = runs++;
    const files = {
      input: join(work, `run-${n}.in.json`),
      output: join(work, `run-${n}.out.json`),
      stdout: join(work, `run-${n}.stdout.log`),
      stderr: join(work, `run-${n}.stderr.log`),
    };
    let child: ChildProcess | undefined;
    let killed = false;
    const result = (async () => {
      const script = await bundle(entry);
      await writeFile(files.input, JSON.stringify(input ?? null));
      const stdout = await open(files.stdout, 'w');
      const stderr = await open(files.stderr, 'w');
      let code: number | null;
      let timedOut = false;
      try {
        const args = [paths.nodeExe, toWindowsPath(script), toWindowsPath(files.input), toWindowsPath(files.output)];
        child = track(spawn(paths.wine, args, { env, stdio: ['ignore', stdout.fd, stderr.fd] }));
        if (killed) child.kill('SIGKILL');
        const timer = setTimeout(() => {
          timedOut = true;
          child?.kill('SIGKILL');
        }, timeoutMs);
        code = await exited(child).finally(() => clearTimeout(timer));
      } finally {
        await stdout.close();
        await stderr.close();
      }
      const logs = async () =>
        `stdout: ${(await readFile(files.stdout, 'utf8')).slice(-2000)}\nstderr: ${(await readFile(files.stderr, 'utf8')).slice(-4000)}`;
      const output = await readFile(files.output, 'utf8').catch(() => undefined);
      const parsed =
        output === undefined ? undefined : (JSON.parse(output) as { ok: boolean; value?: T; error?: string });
      if (parsed?.ok && code === 0) return parsed.value as T;
      const why = timedOut ? `timed out after ${timeoutMs} ms` : killed ? 'was killed' : `exited with ${code}`;
      throw new Error(`${entry} under Wine ${why}${parsed?.error ? `: ${parsed.error}` : ''}\n${await logs()}`);
    })();
    return {
      result,
      kill() {
        killed = true;
        child?.kill('SIGKILL');
      },
    };
  };

  const spawnExe = (exe: string, args: string[]): ChildProcess =>
    track(spawn(paths.wine, [exe, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] }));

  return {
    paths,
    env,
    startNode,
    runNode: <T>(entry: string, input: unknown, o?: { timeoutMs?: number }) => startNode<T>(entry, input, o).result,
    spawnExe,
    async runExe(exe, args, { timeoutMs = 30_000 } = {}) {
      const child = spawnExe(exe, args);
      let stdout = '';
      let stderr = '';
      child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exited(child).finally(() => clearTimeout(timer));
      return { code, stdout, stderr };
    },
    async close() {
      for (const child of live) child.kill('SIGKILL');
      await exited(track(spawn(paths.wineserver, ['-k'], { env, stdio: 'ignore' }))).catch(() => undefined);
      await exited(track(spawn(paths.wineserver, ['-w'], { env, stdio: 'ignore' }))).catch(() => undefined);
      await rm(work, { recursive: true, force: true });
    },
  };
}
