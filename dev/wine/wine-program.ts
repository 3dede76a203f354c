/**
 * A long-running Node program of the repository (the device agent) under Wine's node.exe, with
 * its own command line, as a service wrapper would start it: unlike a probe (wine-session.ts),
 * it has no result, only a log, and runs until it is stopped.
 *
 * It is bundled for Windows as an ES module with every pure-JavaScript package inside and the
 * native ones (koffi, node-pty, keytar) left out; the bundle is written into the tier's win32
 * folder, so that those resolve to the win32 builds install-wine.sh put in its node_modules
 * (NODE_PATH does not apply to `import`). Its stdout and stderr go to files the caller names
 * (Windows Node cannot write to a Linux pipe), which the test reads line by line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { build } from 'esbuild';
import { REPO_ROOT, toWindowsPath } from './wine-paths.js';
import type { WineSession } from './wine-session.js';

/** Loaded at run time from the win32 node_modules, never bundled. */
const NATIVE = ['koffi', 'node-pty', 'keytar', 'bufferutil', 'utf-8-validate'];

export interface WineProgram {
  /** The pid of the wine loader that runs node.exe. */
  pid: number;
  exited: Promise<number | null>;
  /** stdout then stderr, as this run wrote them so far (files appended to keep earlier runs' lines). */
  output(): Promise<string>;
  /** Resolves with the first match in the output (polled); rejects with the output after timeoutMs. */
  waitFor(pattern: RegExp, opts?: { timeoutMs?: number }): Promise<RegExpMatchArray>;
  /** Ends node.exe at once, as a crash or a killed service would (Wine has no console to send Ctrl+C to). */
  kill(): Promise<void>;
}

export interface WineProgramOptions {
  /** Linux paths of the files stdout and stderr go to (their folders are made). */
  stdout: string;
  stderr: string;
  /** More environment for the program (added to the session's). */
  env?: NodeJS.ProcessEnv;
}

const bundles = new Map<string, Promise<string>>();

/** The Windows bundle of `entry` (a repository TypeScript file), made once per process. */
export function bundleForWindows(session: WineSession, entry: string): Promise<string> {
  const absolute = resolve(REPO_ROOT, entry);
  let out = bundles.get(absolute);
  if (!out) {
    const outfile = join(
      dirname(session.paths.win32Modules),
      'bundles',
      `${basename(absolute).replace(/\.[cm]?tsx?$/, '')}-${process.pid}-${bundles.size}.mjs`,
    );
    out = build({
      entryPoints: [absolute],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      external: NATIVE,
      // The CommonJS packages inside an ES module still need `require` for Node's own modules.
      banner: {
        js: "import { createRequire as __flxraRequire } from 'node:module'; const require = __flxraRequire(import.meta.url);",
      },
      logLevel: 'silent',
    }).then(() => outfile);
    bundles.set(absolute, out);
  }
  return out;
}

/** Removes the bundles this process made (their folder is the tier's cache, shared by runs). */
export async function removeWindowsBundles(): Promise<void> {
  const files = await Promise.all([...bundles.values()].map((p) => p.catch(() => null)));
  bundles.clear();
  for (const file of files) if (file) await rm(file, { force: true });
}

export async function startWineNodeProgram(
  session: WineSession,
  entry: string,
  args: string[],
  opts: WineProgramOptions,
): Promise<WineProgram> {
  const script = await bundleForWindows(session, entry);
  await mkdir(dirname(opts.stdout), { recursive: true });
  await mkdir(dirname(opts.stderr), { recursive: true });
  const stdout = await open(opts.stdout, 'a');
  const stderr = await open(opts.stderr, 'a');
  const from = { stdout: (await stdout.stat()).size, stderr: (await stderr.stat()).size };
  let child: ChildProcess;
  try {
    child = spawn(session.paths.wine, [session.paths.nodeExe, toWindowsPath(script), ...args], {
      env: { ...session.env, ...opts.env },
      stdio: ['ignore', stdout.fd, stderr.fd],
    });
  } finally {
    await stdout.close();
    await stderr.close();
  }
  const exited = new Promise<number | null>((res, rej) => {
    child.once('exit', (code) => res(code));
    child.once('error', rej);
  });
  const since = async (file: string, offset: number) =>
    (await readFile(file).catch(() => Buffer.alloc(0))).subarray(offset).toString('utf8');
  const output = async () => `${await since(opts.stdout, from.stdout)}${await since(opts.stderr, from.stderr)}`;
  let done = false;
  void exited.then(() => (done = true));
  return {
    pid: child.pid!,
    exited,
    output,
    async waitFor(pattern, { timeoutMs = 30_000 } = {}) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const text = await output();
        const match = text.match(pattern);
        if (match) return match;
        if (done || Date.now() > deadline)
          throw new Error(
            `${entry} under Wine: no output matching ${pattern} ${done ? `before it exited (${child.exitCode})` : `within ${timeoutMs} ms`}; its output:\n${text.slice(-4000)}`,
          );
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    async kill() {
      if (!done) child.kill('SIGKILL');
      await exited;
    },
  };
}

/**
 * Runs a probe (dev/wine/probe.ts) bundled the same way, for scripts that import the product's
 * Windows modules with `import()` (koffi, loaded on first use): its result, or its error and output.
 */
export async function runWineProbeProgram<T>(session: WineSession, entry: string, input: unknown): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'flxra-wine-probe-'));
  try {
    const files = { input: join(dir, 'in.json'), output: join(dir, 'out.json') };
    await writeFile(files.input, JSON.stringify(input ?? null));
    const run = await startWineNodeProgram(session, entry, [toWindowsPath(files.input), toWindowsPath(files.output)], {
      stdout: join(dir, 'stdout.log'),
      stderr: join(dir, 'stderr.log'),
    });
    const timer = setTimeout(() => void run.kill(), 30_000);
    const code = await run.exited.finally(() => clearTimeout(timer));
    const answer = await readFile(files.output, 'utf8').catch(() => undefined);
    const parsed =
      answer === undefined ? undefined : (JSON.parse(answer) as { ok: boolean; value?: T; error?: string });
    if (parsed?.ok && code === 0) return parsed.value as T;
    throw new Error(
      `${entry} under Wine exited with ${code}: ${parsed?.error ?? ''}\n${(await run.output()).slice(-4000)}`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
