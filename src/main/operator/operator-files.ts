/**
 * The operator app's side of files fetched from the device: main writes what the viewer receives on the files
 * channel into the operator's Downloads folder (file-receiver.ts: a temporary name, SHA-256 checked against the
 * device's offer, the final name never over another file). Only during an active assistance whose relay decision
 * allows files from the device, within the policy's limits (the device checked them too); the session's end
 * removes what was not finished.
 */
import type { AssistView } from '../../shared/assist-protocol.js';
import {
  limitRefusal,
  nameRefusal,
  type FileAnswer,
  type FileFinish,
  type FileOffer,
  type FileStep,
} from '../../shared/file-transfer.js';
import { FileReceiver } from '../files/file-receiver.js';

export class OperatorFiles {
  private readonly receiver: FileReceiver;
  private sessionId: string | null = null;

  constructor(
    private readonly view: () => AssistView,
    /** The operator's Downloads folder (Electron's app.getPath('downloads'); the rig's own folder in the tests). */
    private readonly downloads: () => string | null,
    log?: (line: string) => void,
  ) {
    this.receiver = new FileReceiver(Date.now, log);
  }

  onSession(active: string | null): void {
    if (active === this.sessionId) return;
    this.sessionId = active;
    void this.receiver.cancelAll();
  }

  async offer(offer: FileOffer): Promise<FileAnswer> {
    const view = this.view();
    const files = view.features?.files;
    if (!this.sessionId || view.sessionId !== this.sessionId || !files)
      return { ok: false, code: 'not-active', message: 'No assistance is active.' };
    if (!files.fromDevice.allowed) return { ok: false, code: 'not-permitted', message: files.fromDevice.reason };
    if (offer.direction !== 'from-device') return { ok: false, code: 'failed', message: 'Not a file from the device.' };
    const bad = nameRefusal(offer.name);
    if (bad) return { ok: false, code: 'bad-name', message: bad };
    const limited = limitRefusal(offer.name, offer.size, files);
    if (limited) return { ok: false, ...limited };
    const folder = this.downloads();
    if (!folder) return { ok: false, code: 'not-found', message: 'This app has no Downloads folder to save files in.' };
    return this.receiver.prepare(offer, folder);
  }

  chunk(id: string, offset: number, bytes: Uint8Array): Promise<FileStep> {
    return this.receiver.write(id, offset, bytes);
  }

  done(id: string): Promise<FileFinish> {
    return this.receiver.finish(id);
  }

  async cancel(id: string): Promise<void> {
    await this.receiver.cancel(id);
  }
}
