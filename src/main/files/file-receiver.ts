/**
 * The receiving end of a file transfer, in either app's main process (the host's for files to the device, the
 * operator's for files it fetched): bytes are written to a hidden temporary name in the target folder, hashed as
 * they come (SHA-256), and only once every byte is in and the hash matches the sender's offer is the file given
 * its final name, never over an existing file (a free "name (1).ext" is taken, and said). A partial file is kept
 * for FILE_RESUME_GRACE_MS after the sender's connection dropped, so that its transfer resumes from the offset
 * written; a cancelled, failed or abandoned one is removed. Full disk and a vanished folder are said in words.
 */
import { createHash, type Hash } from 'node:crypto';
import { constants } from 'node:fs';
import { link, open, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import {
  FILE_RESUME_GRACE_MS,
  formatBytes,
  type FileAnswer,
  type FileFinish,
  type FileOffer,
  type FileRefusalCode,
  type FileStep,
} from '../../shared/file-transfer.js';

interface Incoming {
  offer: FileOffer;
  folder: string;
  part: string;
  savedAs: string;
  handle: FileHandle;
  hash: Hash;
  written: number;
  /** When its sender was last heard of (a write or an offer), for the resume grace. */
  lastAt: number;
}

type Refusal = { ok: false; code: FileRefusalCode; message: string };

/** "report.txt" → "report (1).txt", "report (2).txt", …; a name without an extension gets the number at its end. */
export function numberedName(name: string, n: number): string {
  if (n === 0) return name;
  const dot = name.lastIndexOf('.');
  return dot > 0 ? `${name.slice(0, dot)} (${n})${name.slice(dot)}` : `${name} (${n})`;
}

const exists = (p: string) =>
  stat(p).then(
    () => true,
    () => false,
  );

async function freeName(folder: string, name: string): Promise<string> {
  for (let n = 0; n < 1000; n++) {
    const candidate = numberedName(name, n);
    if (!(await exists(path.join(folder, candidate)))) return candidate;
  }
  return numberedName(name, Date.now());
}

export function errnoOf(err: unknown): string {
  return (err as NodeJS.ErrnoException | null)?.code ?? '';
}

export class FileReceiver {
  private readonly incoming = new Map<string, Incoming>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  /** Whether a transfer of this id is partly here (a resumed offer continues it). */
  has(id: string): boolean {
    return this.incoming.has(id);
  }

  written(id: string): number {
    return this.incoming.get(id)?.written ?? 0;
  }

  /** A new offer (a temporary file opened), or a resumed one (from what is written). */
  async prepare(offer: FileOffer, folder: string): Promise<FileAnswer> {
    const known = this.incoming.get(offer.id);
    if (known) {
      if (known.offer.sha256 !== offer.sha256 || known.offer.size !== offer.size)
        return this.failed(known, 'failed', `“${offer.name}” changed on the sending side: start it again.`);
      known.lastAt = this.now();
      return { ok: true, offset: known.written, savedAs: known.savedAs };
    }
    const folderStat = await stat(folder).catch(() => null);
    if (!folderStat?.isDirectory())
      return { ok: false, code: 'not-found', message: `The folder ${folder} does not exist (any more).` };
    const savedAs = await freeName(folder, offer.name);
    const part = path.join(folder, `.${offer.name}.${offer.id.slice(0, 8)}.flxra-part`);
    let handle: FileHandle;
    try {
      handle = await open(part, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o600);
    } catch (err) {
      return this.refusalOf(err, offer.name, folder);
    }
    this.incoming.set(offer.id, {
      offer,
      folder,
      part,
      savedAs,
      handle,
      hash: createHash('sha256'),
      written: 0,
      lastAt: this.now(),
    });
    return { ok: true, offset: 0, savedAs };
  }

  /** One chunk, at the offset written so far (the channel is ordered: anything else is a sender's error). */
  async write(id: string, offset: number, bytes: Uint8Array): Promise<FileStep> {
    const t = this.incoming.get(id);
    if (!t) return { ok: false, code: 'cancelled', message: 'This transfer is not going on (any more).' };
    t.lastAt = this.now();
    if (offset !== t.written) return { ok: true, offset: t.written }; // a repeat after a resume: already here
    if (t.written + bytes.length > t.offer.size)
      return this.failed(t, 'failed', `More bytes came than “${t.offer.name}” has: it was not saved.`);
    try {
      await t.handle.write(bytes, 0, bytes.length, offset);
    } catch (err) {
      const refusal = this.refusalOf(err, t.offer.name, t.folder);
      return this.failed(t, refusal.code, refusal.message);
    }
    t.hash.update(bytes);
    t.written += bytes.length;
    return { ok: true, offset: t.written };
  }

  /** Every byte sent: checked (size, SHA-256), then given its final name without replacing anything. */
  async finish(id: string): Promise<FileFinish> {
    const t = this.incoming.get(id);
    if (!t) return { ok: false, code: 'cancelled', message: 'This transfer is not going on (any more).' };
    if (t.written !== t.offer.size)
      return this.failed(
        t,
        'failed',
        `Only ${formatBytes(t.written)} of ${formatBytes(t.offer.size)} arrived: “${t.offer.name}” was not saved.`,
      );
    const digest = t.hash.digest('hex');
    if (digest !== t.offer.sha256)
      return this.failed(
        t,
        'hash-mismatch',
        `“${t.offer.name}” arrived damaged (its SHA-256 differs): it was not saved.`,
      );
    try {
      await t.handle.sync();
      await t.handle.close();
    } catch (err) {
      const refusal = this.refusalOf(err, t.offer.name, t.folder);
      return this.failed(t, refusal.code, refusal.message);
    }
    this.incoming.delete(id);
    const savedAs = await this.place(t);
    if (!savedAs.ok) return savedAs;
    const renamed = savedAs.name !== t.offer.name;
    return {
      ok: true,
      savedAs: savedAs.name,
      message: renamed
        ? `Saved as “${savedAs.name}” in ${t.folder}: a file named “${t.offer.name}” is there already.`
        : `Saved as “${savedAs.name}” in ${t.folder}.`,
    };
  }

  /** Stopped (by either side, or the session's end): the temporary file is removed. */
  async cancel(id: string): Promise<boolean> {
    const t = this.incoming.get(id);
    if (!t) return false;
    await this.discard(t);
    return true;
  }

  async cancelAll(): Promise<void> {
    await Promise.all([...this.incoming.values()].map((t) => this.discard(t)));
  }

  /** Partial files whose sender has not come back within the grace: removed; their ids returned. */
  async expire(): Promise<string[]> {
    const stale = [...this.incoming.values()].filter((t) => this.now() - t.lastAt > FILE_RESUME_GRACE_MS);
    await Promise.all(stale.map((t) => this.discard(t)));
    return stale.map((t) => t.offer.id);
  }

  /** The final name: a hard link refuses an existing name (EEXIST), so nothing is replaced even in a race. */
  private async place(t: Incoming): Promise<{ ok: true; name: string } | Refusal> {
    let name = t.savedAs;
    for (let attempt = 0; attempt < 20; attempt++) {
      const target = path.join(t.folder, name);
      try {
        await link(t.part, target);
        await unlink(t.part);
        return { ok: true, name };
      } catch (err) {
        if (errnoOf(err) === 'EEXIST') {
          name = await freeName(t.folder, t.offer.name);
          continue;
        }
        // A file system without hard links (FAT, some network shares): checked, then renamed.
        let last = err;
        if (!(await exists(target))) {
          try {
            await rename(t.part, target);
            return { ok: true, name };
          } catch (e) {
            last = e;
          }
        }
        await unlink(t.part).catch(() => undefined);
        this.log(`[files] could not place ${t.offer.name}: ${errnoOf(last)}`);
        return { ok: false, code: 'failed', message: `“${t.offer.name}” could not be saved in ${t.folder}.` };
      }
    }
    await unlink(t.part).catch(() => undefined);
    return { ok: false, code: 'exists', message: `No free name for “${t.offer.name}” in ${t.folder}.` };
  }

  private async failed(t: Incoming, code: FileRefusalCode, message: string): Promise<Refusal> {
    await this.discard(t);
    return { ok: false, code, message };
  }

  private async discard(t: Incoming): Promise<void> {
    this.incoming.delete(t.offer.id);
    await t.handle.close().catch(() => undefined);
    await unlink(t.part).catch(() => undefined);
  }

  private refusalOf(err: unknown, name: string, folder: string): Refusal {
    const code = errnoOf(err);
    if (code === 'ENOSPC' || code === 'EDQUOT')
      return { ok: false, code: 'no-space', message: `The disk holding ${folder} is full: “${name}” was not saved.` };
    if (code === 'ENOENT')
      return { ok: false, code: 'not-found', message: `The folder ${folder} does not exist (any more).` };
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS')
      return { ok: false, code: 'not-permitted', message: `This user may not write in ${folder}.` };
    this.log(`[files] ${name}: ${code || String(err)}`);
    return { ok: false, code: 'failed', message: `“${name}” could not be written in ${folder}.` };
  }
}
