/**
 * File transfer's IPC channels (file-transfer.ts), apart from ipc.ts's table to keep both readable: what each page
 * carries between the files data channel and its main, which decides, writes and reads (host-files.ts,
 * operator-files.ts). ipc.ts spreads these into its one table; the preload allowlists them with the rest.
 */
import { z } from 'zod';
import {
  FILE_IO_BYTES,
  FileOffer,
  type FileAnswer,
  type FileFinish,
  type FileListing,
  type FileRefusalCode,
  type FileStep,
  type HostTransfer,
} from './file-transfer.js';

const FileId = FileOffer.shape.id;
const FilePath = z.string().min(1).max(1024);
/** Chunks' bytes as base64 (every bridge to the page carries JSON), at most FILE_IO_BYTES of them. */
const ChunkBase64 = z
  .string()
  .max(Math.ceil(FILE_IO_BYTES / 3) * 4)
  .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'not base64');
const FileChunk = z.object({ id: FileId, offset: FileOffer.shape.size, base64: ChunkBase64 });
type FileRefused = { ok: false; code: FileRefusalCode; message: string };

export const fileInvokeChannels = {
  /** What the operator's viewer sends and asks over the files channel, decided in the host's main. */
  'host:file-offer': z.object({ offer: FileOffer }),
  'host:file-chunk': FileChunk,
  'host:file-done': z.object({ id: FileId }),
  'host:file-cancel': z.object({ id: FileId, message: z.string().max(500) }),
  /** The files channel closed (its peer dropped): running transfers wait to be resumed. */
  'host:file-paused': z.null(),
  'host:file-fetch': z.object({ id: FileId, n: FileOffer.shape.n, path: FilePath }),
  'host:file-read': z.object({
    id: FileId,
    offset: FileOffer.shape.size,
    length: z.number().int().min(1).max(FILE_IO_BYTES),
  }),
  /** The operator's app verified and saved a fetched file, or not. */
  'host:file-fetched': z.object({ id: FileId, ok: z.boolean(), message: z.string().max(500) }),
  'host:file-list': z.object({ path: FilePath.optional() }),
  /** The user's Stop on a transfer in the indicator. */
  'host:file-stop': z.object({ id: FileId }),
  'host:files': z.null(),
  /** A file fetched from the device, written by main into the operator's Downloads folder (file-receiver.ts). */
  'operator:file-offer': z.object({ offer: FileOffer }),
  'operator:file-chunk': FileChunk,
  'operator:file-done': z.object({ id: FileId }),
  'operator:file-cancel': z.object({ id: FileId, message: z.string().max(500) }),
} as const;

export interface FileInvokeResults {
  'host:file-offer': FileAnswer;
  'host:file-chunk': FileStep;
  'host:file-done': FileFinish;
  'host:file-cancel': void;
  'host:file-paused': void;
  'host:file-fetch': { ok: true; offer: FileOffer } | FileRefused;
  'host:file-read': { ok: true; base64: string } | FileRefused;
  'host:file-fetched': void;
  'host:file-list': { ok: true; listing: FileListing } | FileRefused;
  'host:file-stop': void;
  'host:files': HostTransfer[];
  'operator:file-offer': FileAnswer;
  'operator:file-chunk': FileStep;
  'operator:file-done': FileFinish;
  'operator:file-cancel': void;
}
