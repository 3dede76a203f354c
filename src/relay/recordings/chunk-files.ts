/**
 * Where a recording's chunks live: files in the relay's data folder (its secret area, owner-only:
 * store/data-dir.ts), `recordings/<session>/<seq>.webm` and `<seq>.events.json`, each written whole
 * (a temporary name, then renamed) so that a crash never leaves half a chunk under its final name.
 * The chain that proves them is in the audit trail (chain.ts); these files are only what it checks.
 */
import fs from 'node:fs';
import path from 'node:path';
import { sha256Hex, type ChunkOnDisk } from './chain.js';

const SESSION_DIR = /^\d{9}$/;
const CHUNK_FILE = /^(\d+)\.(?:webm|events\.json)$/;

export class ChunkFiles {
  readonly root: string;

  constructor(dataDir: string) {
    this.root = path.join(dataDir, 'recordings');
  }

  write(sessionId: string, seq: number, video: Uint8Array, eventsJson: string): void {
    const dir = this.dir(sessionId);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeWhole(path.join(dir, `${seq}.webm`), video);
    writeWhole(path.join(dir, `${seq}.events.json`), eventsJson);
  }

  /** Every seq with a file in the session's folder, with their digests (null: a part of it is gone). */
  digests(sessionId: string): Map<number, ChunkOnDisk> {
    const found = new Map<number, ChunkOnDisk>();
    for (const seq of this.seqs(sessionId)) found.set(seq, this.digest(sessionId, seq));
    return found;
  }

  digest(sessionId: string, seq: number): ChunkOnDisk {
    const video = this.read(sessionId, `${seq}.webm`);
    const events = this.read(sessionId, `${seq}.events.json`);
    return video && events ? { sha256: sha256Hex(video), eventsSha256: sha256Hex(events) } : null;
  }

  video(sessionId: string, seq: number): Buffer | null {
    return this.read(sessionId, `${seq}.webm`);
  }

  events(sessionId: string, seq: number): string | null {
    return this.read(sessionId, `${seq}.events.json`)?.toString('utf8') ?? null;
  }

  remove(sessionId: string, seq: number): void {
    for (const name of [`${seq}.webm`, `${seq}.events.json`])
      fs.rmSync(path.join(this.dir(sessionId), name), { force: true });
  }

  /** The sessions with a folder of chunks. */
  sessions(): string[] {
    try {
      return fs.readdirSync(this.root).filter((name) => SESSION_DIR.test(name));
    } catch {
      return [];
    }
  }

  seqs(sessionId: string): number[] {
    try {
      return fs
        .readdirSync(this.dir(sessionId))
        .map((name) => CHUNK_FILE.exec(name)?.[1])
        .filter((seq): seq is string => seq !== undefined)
        .map(Number)
        .filter((seq, i, all) => all.indexOf(seq) === i)
        .sort((a, b) => a - b);
    } catch {
      return [];
    }
  }

  /** Removes the session's folder once nothing is left in it. */
  removeIfEmpty(sessionId: string): void {
    try {
      fs.rmdirSync(this.dir(sessionId));
    } catch {
      // Not empty, or gone already.
    }
  }

  private read(sessionId: string, name: string): Buffer | null {
    try {
      return fs.readFileSync(path.join(this.dir(sessionId), name));
    } catch {
      return null;
    }
  }

  private dir(sessionId: string): string {
    if (!SESSION_DIR.test(sessionId)) throw new Error('not a session ID');
    return path.join(this.root, sessionId);
  }
}

function writeWhole(target: string, data: Uint8Array | string): void {
  const temporary = `${target}.partial`;
  const fd = fs.openSync(temporary, 'w', 0o600);
  try {
    fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(temporary, target);
}
