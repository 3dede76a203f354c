/**
 * The relay's folder of release artifacts (`relay serve --artifacts <dir>`): which of its files
 * are offered (regular files directly in it whose names are release artifacts' names:
 * src/shared/release-artifacts.ts), with their size and SHA-256, each hash computed once per
 * file version (kept while the file's size and modification time stay the same), and the one
 * file a download names, only when the listing has it: a name is never joined to a path, so
 * nothing outside the folder (no "..", no subfolder, no symbolic link) can be reached.
 */
import { createHash } from 'node:crypto';
import { createReadStream, type ReadStream } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import {
  ARTIFACT_NAMES,
  artifactOf,
  type ReleaseArtifact,
  type ReleaseDownloads,
} from '../../shared/release-artifacts.js';

export const NO_ARTIFACTS_CONFIGURED =
  'This relay offers no flxra downloads: its administrator has not given it a folder of release artifacts (relay serve --artifacts <folder>).';
export const NO_ARTIFACTS_FOUND =
  'This relay has a folder for flxra downloads, but no release artifact is in it yet: ask its administrator to copy the built files there (docs/packaging.md).';

export type ArtifactOpen =
  | { ok: true; artifact: ReleaseArtifact; stream: ReadStream }
  | { ok: false; status: 404; code: 'not-found'; message: string };

interface Hashed {
  size: number;
  mtimeMs: number;
  sha256: string;
}

export class ReleaseArtifacts {
  private readonly hashes = new Map<string, Hashed>();
  /** How many files were read to hash them so far: the cache's effect, for tests. */
  hashesComputed = 0;

  constructor(private readonly dir: string | undefined) {}

  /** What the console shows: every artifact in the folder, newest version first within a kind. */
  async list(): Promise<ReleaseDownloads> {
    if (this.dir === undefined) return { configured: false, artifacts: [], notice: NO_ARTIFACTS_CONFIGURED };
    const artifacts: ReleaseArtifact[] = [];
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
      return { configured: true, artifacts: [], notice: `The relay cannot read its downloads folder (${code}).` };
    }
    for (const fileName of names.sort()) {
      const found = await this.artifact(fileName);
      if (found) artifacts.push(found);
    }
    artifacts.sort((a, b) => a.kind.localeCompare(b.kind) || b.modifiedAt.localeCompare(a.modifiedAt));
    return artifacts.length > 0
      ? { configured: true, artifacts }
      : { configured: true, artifacts: [], notice: NO_ARTIFACTS_FOUND };
  }

  /** The file a download names, opened, if the listing offers it; otherwise why not (404). */
  async open(fileName: string): Promise<ArtifactOpen> {
    const listed = (await this.list()).artifacts.find((a) => a.fileName === fileName);
    if (!listed || this.dir === undefined)
      return { ok: false, status: 404, code: 'not-found', message: `this relay offers no download named ${fileName}` };
    return { ok: true, artifact: listed, stream: createReadStream(path.join(this.dir, listed.fileName)) };
  }

  private async artifact(fileName: string): Promise<ReleaseArtifact | null> {
    const kind = artifactOf(fileName);
    if (!kind || this.dir === undefined) return null;
    const file = path.join(this.dir, fileName);
    // lstat: a symbolic link is not followed, whatever it points to.
    const stats = await lstat(file).catch(() => null);
    if (!stats?.isFile()) return null;
    const sha256 = await this.sha256(file, stats.size, stats.mtimeMs);
    if (sha256 === null) return null;
    return {
      kind: kind.kind,
      label: ARTIFACT_NAMES[kind.kind].label,
      fileName,
      version: kind.version,
      size: stats.size,
      sha256,
      modifiedAt: stats.mtime.toISOString(),
    };
  }

  private async sha256(file: string, size: number, mtimeMs: number): Promise<string | null> {
    const known = this.hashes.get(file);
    if (known && known.size === size && known.mtimeMs === mtimeMs) return known.sha256;
    const hash = createHash('sha256');
    try {
      for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
    } catch {
      return null;
    }
    this.hashesComputed += 1;
    const sha256 = hash.digest('hex');
    this.hashes.set(file, { size, mtimeMs, sha256 });
    return sha256;
  }
}
