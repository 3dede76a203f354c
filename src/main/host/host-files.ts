/**
 * The host's file transfers for the active session, in main and so with the signed-in user's rights: every offer
 * to the device and every fetch from it is decided here against what holds now (an active session, the relay's
 * decision for that direction and the policy's limits in session:features, a name that can be a file's), files to
 * the device land in the user's Downloads folder or the folder the operator picked (file-receiver.ts: temporary
 * name, SHA-256 checked, final name never over another file), files from the device are hashed and read here in
 * chunks the page carries. The user sees each transfer in the indicator and can stop it. Each start and end is
 * reported to the relay for the audit (name, size, direction, hash; never the bytes). During unattended assistance
 * files to the device go to the policy's folder, and are refused where it names none.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, opendir, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { SessionFeatures } from '../../shared/assist-protocol.js';
import {
  FILE_IO_BYTES,
  FILE_LIST_MAX,
  FILES_REPORT_EVENT,
  limitRefusal,
  nameRefusal,
  SpeedMeter,
  type FileAnswer,
  type FileDirection,
  type FileEntry,
  type FileFinish,
  type FileListing,
  type FileOffer,
  type FileRefusalCode,
  type FilesReport,
  type FileStep,
  type HostTransfer,
} from '../../shared/file-transfer.js';
import type { HostState } from '../../shared/ipc.js';
import { errnoOf, FileReceiver } from '../files/file-receiver.js';

export interface HostFilesOptions {
  state(): HostState;
  features(): SessionFeatures | null;
  /** To the relay, for the audit. */
  report(report: FilesReport): void;
  /** The indicator's list changed. */
  show(transfers: HostTransfer[]): void;
  /** The user stopped a transfer in the indicator: the page tells the operator. */
  stopped(id: string, message: string): void;
  /** The user's Downloads folder (Electron's app.getPath('downloads') in the app). */
  downloads: string;
  log?: (line: string) => void;
}

type Refusal = { ok: false; code: FileRefusalCode; message: string };
interface Outgoing {
  offer: FileOffer;
  path: string;
  mtimeMs: number;
}

const SHOW_EVERY_MS = 250;
const KEEP_ENDED = 8;

export class HostFiles {
  private readonly receiver: FileReceiver;
  private readonly outgoing = new Map<string, Outgoing>();
  private readonly transfers = new Map<string, HostTransfer & { meter: SpeedMeter; offer: FileOffer }>();
  private shownAt = 0;
  private sessionId: string | null = null;
  private expiry: ReturnType<typeof setInterval> | null = null;

  constructor(private readonly opts: HostFilesOptions) {
    this.receiver = new FileReceiver(Date.now, opts.log);
  }

  get list(): HostTransfer[] {
    return [...this.transfers.values()].map(({ meter: _m, offer: _o, ...t }) => t);
  }

  /** Follows the host's state: another session (or none) ends every transfer of the last one. */
  onState(state: HostState): void {
    const active = state.status === 'active' ? state.sessionId : null;
    if (active === this.sessionId) return;
    this.sessionId = active;
    void this.receiver.cancelAll();
    this.outgoing.clear();
    this.transfers.clear();
    if (this.expiry) clearInterval(this.expiry);
    this.expiry = active ? setInterval(() => void this.expire(), 10_000) : null;
    this.opts.show([]);
  }

  stop(): void {
    if (this.expiry) clearInterval(this.expiry);
    this.expiry = null;
    void this.receiver.cancelAll();
  }

  /** The operator offers a file to the device. */
  async offerIn(offer: FileOffer): Promise<FileAnswer> {
    if (offer.direction !== 'to-device') return this.refuse(offer, 'failed', 'Not a file for the device.');
    const refused = this.refusal('to-device') ?? this.nameAndLimits(offer);
    if (refused) return this.refuse(offer, refused.code, refused.message);
    if (offer.resume && this.receiver.has(offer.id)) {
      const answer = await this.receiver.prepare(offer, '');
      if (answer.ok) this.track(offer, answer.offset, 'running', true);
      else this.end(offer, 'failed', answer.message);
      return answer;
    }
    const folder = this.targetFolder(offer);
    if (!folder.ok) return this.refuse(offer, folder.code, folder.message);
    const answer = await this.receiver.prepare(offer, folder.folder);
    if (!answer.ok) return this.refuse(offer, answer.code, answer.message);
    this.track(offer, 0, 'running');
    return answer;
  }

  async chunkIn(id: string, offset: number, bytes: Uint8Array): Promise<FileStep> {
    const t = this.transfers.get(id);
    if (!t || t.direction !== 'to-device' || t.state !== 'running')
      return { ok: false, code: 'cancelled', message: t?.message ?? 'This transfer was stopped.' };
    const step = await this.receiver.write(id, offset, bytes);
    if (step.ok) this.progress(id, step.offset);
    else this.end(t.offer, 'failed', step.message);
    return step;
  }

  async doneIn(id: string): Promise<FileFinish> {
    const t = this.transfers.get(id);
    if (!t || t.state !== 'running')
      return { ok: false, code: 'cancelled', message: t?.message ?? 'This transfer was stopped.' };
    const finish = await this.receiver.finish(id);
    if (finish.ok) this.end(t.offer, 'done', finish.message);
    else this.end(t.offer, finish.code === 'cancelled' ? 'cancelled' : 'failed', finish.message);
    return finish;
  }

  /** The operator cancelled (either direction), or its side failed: what was written is removed. */
  async cancel(id: string, message: string): Promise<void> {
    const t = this.transfers.get(id);
    await this.receiver.cancel(id);
    this.outgoing.delete(id);
    if (t && (t.state === 'running' || t.state === 'paused')) this.end(t.offer, 'cancelled', message);
  }

  /** The data channel went away: running transfers wait for the operator to come back (or the grace to end). */
  paused(): void {
    for (const t of this.transfers.values()) if (t.state === 'running') t.state = 'paused';
    this.show(true);
  }

  /** The user's Stop in the indicator. */
  async stopByUser(id: string): Promise<void> {
    const t = this.transfers.get(id);
    if (!t || (t.state !== 'running' && t.state !== 'paused')) return;
    await this.receiver.cancel(id);
    this.outgoing.delete(id);
    const message = 'Stopped by the user of the device.';
    this.end(t.offer, 'cancelled', message);
    this.opts.stopped(id, message);
  }

  /** The operator asks for a file of the device: its offer (name, size, SHA-256), or why not. */
  async fetch(id: string, filePath: string, n: number): Promise<{ ok: true; offer: FileOffer } | Refusal> {
    const name = path.basename(filePath);
    const refused = this.refusal('from-device');
    if (refused) return refused;
    if (!path.isAbsolute(filePath))
      return { ok: false, code: 'not-found', message: `${filePath} is not a full path on the device.` };
    const info = await stat(filePath).catch((err: unknown) => errnoOf(err));
    if (typeof info === 'string')
      return info === 'EACCES' || info === 'EPERM'
        ? { ok: false, code: 'not-permitted', message: `The user of the device may not read ${filePath}.` }
        : { ok: false, code: 'vanished', message: `${filePath} does not exist (any more).` };
    if (!info.isFile()) return { ok: false, code: 'not-found', message: `${filePath} is not a file.` };
    const limited = this.limits(name, info.size);
    if (limited) return { ok: false, ...limited };
    let sha256: string;
    try {
      sha256 = await hashFile(filePath);
    } catch (err) {
      return errnoOf(err) === 'ENOENT'
        ? { ok: false, code: 'vanished', message: `${filePath} vanished while it was read.` }
        : { ok: false, code: 'not-permitted', message: `The user of the device may not read ${filePath}.` };
    }
    const offer: FileOffer = { id, n, name, size: info.size, sha256, direction: 'from-device' };
    this.outgoing.set(id, { offer, path: filePath, mtimeMs: info.mtimeMs });
    this.track(offer, 0, 'running');
    return { ok: true, offer };
  }

  /** A chunk of a file the operator fetched, read now (a file changed or gone since its offer fails in words). */
  async read(id: string, offset: number, length: number): Promise<{ ok: true; bytes: Uint8Array } | Refusal> {
    const o = this.outgoing.get(id);
    const t = this.transfers.get(id);
    if (!o || !t) return { ok: false, code: 'cancelled', message: t?.message ?? 'This transfer was stopped.' };
    if (t.state === 'paused') t.state = 'running';
    const fail = (code: FileRefusalCode, message: string): Refusal => {
      this.outgoing.delete(id);
      this.end(o.offer, 'failed', message);
      return { ok: false, code, message };
    };
    const info = await stat(o.path).catch(() => null);
    if (!info) return fail('vanished', `${o.path} vanished on the device while it was sent.`);
    if (info.size !== o.offer.size || info.mtimeMs !== o.mtimeMs)
      return fail('vanished', `${o.path} changed on the device while it was sent: fetch it again.`);
    const handle = await open(o.path, 'r').catch(() => null);
    if (!handle) return fail('vanished', `${o.path} cannot be read any more.`);
    try {
      const bytes = new Uint8Array(Math.max(0, Math.min(length, FILE_IO_BYTES, o.offer.size - offset)));
      const { bytesRead } = await handle.read(bytes, 0, bytes.length, offset);
      this.progress(id, offset + bytesRead);
      return { ok: true, bytes: bytes.subarray(0, bytesRead) };
    } finally {
      await handle.close();
    }
  }

  /** The operator's app said what became of a file it fetched (verified and saved, or not). */
  fetched(id: string, ok: boolean, message: string): void {
    const o = this.outgoing.get(id);
    this.outgoing.delete(id);
    if (o) this.end(o.offer, ok ? 'done' : 'failed', message);
  }

  /** One folder of the device, as the user sees it (their rights), at most FILE_LIST_MAX entries. */
  async listFolder(folder?: string): Promise<{ ok: true; listing: FileListing } | Refusal> {
    const refused = this.refusal('from-device') && this.refusal('to-device');
    if (refused) return refused;
    const target = folder ?? os.homedir();
    if (!path.isAbsolute(target)) return { ok: false, code: 'not-found', message: `${target} is not a full path.` };
    const entries: FileEntry[] = [];
    let more = 0;
    try {
      const dir = await opendir(target);
      for await (const d of dir) {
        if (entries.length >= FILE_LIST_MAX) {
          more++;
          continue;
        }
        const isDir = d.isDirectory();
        const size = isDir
          ? 0
          : await stat(path.join(target, d.name)).then(
              (s) => s.size,
              () => 0,
            );
        entries.push({ name: d.name, dir: isDir, size });
      }
    } catch (err) {
      const code = errnoOf(err);
      return {
        ok: false,
        code: code === 'EACCES' || code === 'EPERM' ? 'not-permitted' : 'not-found',
        message:
          code === 'EACCES' || code === 'EPERM'
            ? `The user of the device may not open ${target}.`
            : `${target} is not a folder on the device (any more).`,
      };
    }
    entries.sort((a, b) => Number(b.dir) - Number(a.dir) || a.name.localeCompare(b.name));
    const parent = path.dirname(target);
    return { ok: true, listing: { path: target, parent: parent === target ? null : parent, entries, more } };
  }

  private targetFolder(offer: FileOffer): { ok: true; folder: string } | Refusal {
    const state = this.opts.state();
    const unattended = state.status === 'active' && state.unattended === true;
    const files = this.opts.features()?.files;
    if (unattended) {
      if (!files?.unattendedFolder)
        return {
          ok: false,
          code: 'not-permitted',
          message: 'Nobody is signed in at the device and the policy names no folder for files: none can be sent.',
        };
      return { ok: true, folder: files.unattendedFolder };
    }
    if (offer.folder && !path.isAbsolute(offer.folder))
      return { ok: false, code: 'not-found', message: `${offer.folder} is not a full path on the device.` };
    return { ok: true, folder: offer.folder ?? this.opts.downloads };
  }

  private refusal(direction: FileDirection): Refusal | null {
    const state = this.opts.state();
    const features = this.opts.features();
    if (state.status !== 'active' || features?.sessionId !== state.sessionId || !features.files)
      return {
        ok: false,
        code: 'not-active',
        message: 'No assistance is active: files are transferred only during one.',
      };
    const decision = direction === 'to-device' ? features.files.toDevice : features.files.fromDevice;
    return decision.allowed ? null : { ok: false, code: 'not-permitted', message: decision.reason };
  }

  private nameAndLimits(offer: FileOffer): Refusal | null {
    const bad = nameRefusal(offer.name);
    if (bad) return { ok: false, code: 'bad-name', message: bad };
    const limited = this.limits(offer.name, offer.size);
    return limited ? { ok: false, ...limited } : null;
  }

  private limits(name: string, size: number) {
    const files = this.opts.features()?.files;
    return files ? limitRefusal(name, size, files) : null;
  }

  private refuse(offer: FileOffer, code: FileRefusalCode, message: string): Refusal {
    this.report(offer, 'refused', { message });
    return { ok: false, code, message };
  }

  private track(offer: FileOffer, done: number, state: HostTransfer['state'], resumed = false): void {
    const known = this.transfers.get(offer.id);
    this.transfers.set(offer.id, {
      id: offer.id,
      name: offer.name,
      direction: offer.direction,
      size: offer.size,
      done,
      state,
      meter: known?.meter ?? new SpeedMeter(),
      offer,
    });
    this.report(offer, 'started', resumed ? { resumedAt: done } : {});
    this.trim();
    this.show(true);
  }

  private progress(id: string, done: number): void {
    const t = this.transfers.get(id);
    if (!t) return;
    t.done = done;
    const speed = t.meter.add(Date.now(), done);
    if (speed !== undefined) {
      t.speed = Math.round(speed);
      t.left = speed > 0 ? Math.ceil((t.size - done) / speed) : undefined!;
    }
    this.show(false);
  }

  private end(offer: FileOffer, event: 'done' | 'cancelled' | 'failed', message: string): void {
    const t = this.transfers.get(offer.id);
    if (t) {
      t.state = event === 'done' ? 'saved' : event === 'cancelled' ? 'stopped' : 'failed';
      t.message = message;
      if (event === 'done') t.done = t.size;
      delete t.speed;
      delete t.left;
    }
    this.report(offer, event, { message });
    this.show(true);
  }

  private report(offer: FileOffer, event: FilesReport['event'], extra: Partial<FilesReport>): void {
    const sessionId = this.sessionId;
    if (!sessionId) return;
    this.opts.report({
      sessionId,
      id: offer.id,
      event,
      direction: offer.direction,
      name: offer.name.slice(0, 255),
      size: offer.size,
      sha256: offer.sha256,
      ...extra,
    });
  }

  private trim(): void {
    const ended = [...this.transfers.values()].filter((t) => t.state !== 'running' && t.state !== 'paused');
    for (const t of ended.slice(0, Math.max(0, ended.length - KEEP_ENDED))) this.transfers.delete(t.id);
  }

  private show(now: boolean): void {
    const at = Date.now();
    if (!now && at - this.shownAt < SHOW_EVERY_MS) return;
    this.shownAt = at;
    this.opts.show(this.list);
  }

  private async expire(): Promise<void> {
    for (const id of await this.receiver.expire()) {
      const t = this.transfers.get(id);
      if (t) this.end(t.offer, 'failed', 'The operator did not come back to finish it: the partial file was removed.');
    }
  }
}

function hashFile(filePath: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(filePath)
      .on('data', (d) => hash.update(d))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

export { FILES_REPORT_EVENT };
