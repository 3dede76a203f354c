/**
 * Builds the Windows tier's small test programs (C sources in the repository) with the mingw-w64
 * cross-compiler, once per source version: the exe is cached under the tier's cache folder by
 * a hash of the source and the flags, so an edited fixture is rebuilt and an unchanged one is not.
 */
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT, type WinePaths } from './wine-paths.js';

const run = promisify(execFile);
const CC = 'x86_64-w64-mingw32-gcc';

/** The exe built from `source` (a path in the repository) linked with `libs` ("user32" …). */
export async function buildWindowsExe(paths: WinePaths, source: string, libs: string[] = []): Promise<string> {
  const absolute = resolve(REPO_ROOT, source);
  const flags = ['-O1', '-Wall', '-Werror', '-municode', ...libs.map((lib) => `-l${lib}`)];
  const key = createHash('sha1')
    .update(await readFile(absolute))
    .update(flags.join(' '))
    .digest('hex')
    .slice(0, 12);
  const dir = join(paths.cache, 'exe');
  const exe = join(dir, `${basename(absolute, '.c')}-${key}.exe`);
  if (existsSync(exe)) return exe;
  await mkdir(dir, { recursive: true });
  const partial = `${exe}.${process.pid}.tmp`;
  await run(CC, [absolute, ...flags, '-o', partial], { timeout: 60_000 }).catch((err: Error & { stderr?: string }) => {
    throw new Error(`${CC} ${source} failed: ${err.stderr?.trim() || err.message}`);
  });
  await rename(partial, exe);
  return exe;
}
