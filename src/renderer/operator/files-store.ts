/**
 * The operator's side of file transfer: the transfers of this session (either way) with their progress, speed and
 * time left, the device's folder being browsed, and the folder files go to (the user's Downloads unless the
 * operator picked one). Files dropped on the viewer or picked in the panel are hashed here (SHA-256, read in
 * slices) and sent on the files channel from the page; files fetched from the device arrive on it and go to main,
 * which saves them in the operator's Downloads folder. remote-screen.ts gives each new peer's channel here.
 * With nobody signed in on the device there is no host and so never a channel (the agent serves the logon
 * screen itself): that is said in words (FILES_NO_USER_SESSION), and a file dropped then is refused at once.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { create } from 'zustand';
import {
  FILES_NO_USER_SESSION,
  nameRefusal,
  SpeedMeter,
  type FileDirection,
  type FileListing,
  type FileOffer,
} from '../../shared/file-transfer';
import { FileChannel, toBase64, type FileOutcome } from '../shared/file-channel';
import { useSecureDesktopStore } from './SecureDesktopScreen';

export interface Transfer {
  id: string;
  name: string;
  direction: FileDirection;
  size: number;
  done: number;
  state: 'hashing' | 'waiting' | 'running' | 'paused' | 'saved' | 'failed' | 'cancelled';
  message?: string;
  speed?: number;
}

interface FilesStore {
  transfers: Transfer[];
  /** The device's folder shown in the browser, or why it could not be listed. */
  listing: FileListing | null;
  listProblem: string | null;
  /** Where files sent to the device go: a folder picked in the browser, or null for the user's Downloads. */
  target: string | null;
  /** The current peer's files channel is open. */
  channelUp: boolean;
  /** A files channel opened in this session (so there is a host, even if its peer dropped for now). */
  channelSeen: boolean;
}

export const useFilesStore = create<FilesStore>(() => ({
  transfers: [],
  listing: null,
  listProblem: null,
  target: null,
  channelUp: false,
  channelSeen: false,
}));

/**
 * Nobody is signed in on the device: its secure desktop (the logon screen, through the agent) is the
 * picture and no files channel came in this session, so there is no host (a host's peer brings one).
 */
export function noHost(secureUp: boolean, s: Pick<FilesStore, 'channelUp' | 'channelSeen'>): boolean {
  return secureUp && !s.channelUp && !s.channelSeen;
}

const meters = new Map<string, SpeedMeter>();

function update(id: string, change: Partial<Transfer>): void {
  useFilesStore.setState((s) => ({ transfers: s.transfers.map((t) => (t.id === id ? { ...t, ...change } : t)) }));
}
function progress(id: string, done: number): void {
  const meter = meters.get(id) ?? new SpeedMeter();
  meters.set(id, meter);
  const speed = meter.add(performance.now(), done);
  update(id, { done, state: 'running', ...(speed !== undefined ? { speed } : {}) });
}
function ended(id: string, outcome: FileOutcome): void {
  meters.delete(id);
  const state = outcome.ok ? 'saved' : outcome.code === 'cancelled' ? 'cancelled' : 'failed';
  update(id, { state, message: outcome.message, speed: 0 });
}
function add(t: Transfer): void {
  useFilesStore.setState((s) => ({ transfers: [...s.transfers, t] }));
}

let listReq = 0;
const api = () => window.flxra.operator.files;

const channel = new FileChannel(
  {
    offer: (offer) => api().offer(offer),
    chunk: (id, offset, bytes) => api().chunk(id, offset, toBase64(bytes)),
    done: (id) => api().done(id),
    cancel: (id, message) => api().cancel(id, message),
    progress: (offer, done) => {
      if (!useFilesStore.getState().transfers.some((t) => t.id === offer.id))
        add({ id: offer.id, name: offer.name, direction: 'from-device', size: offer.size, done, state: 'running' });
      else update(offer.id, { size: offer.size, name: offer.name });
      progress(offer.id, done);
    },
    ended: (offer, outcome) => ended(offer.id, outcome),
  },
  (m) => {
    if (m.t === 'listing' && m.req === listReq) useFilesStore.setState({ listing: m.listing, listProblem: null });
    else if (m.t === 'list-failed' && m.req === listReq) useFilesStore.setState({ listProblem: m.message });
    else if (m.t === 'refuse') ended(m.id, { ok: false, code: m.code, message: m.message }); // a fetch refused
  },
  () => {
    for (const t of useFilesStore.getState().transfers)
      if (t.state === 'running' && t.direction === 'from-device')
        update(t.id, { state: 'paused', message: 'The connection dropped: it goes on once it is back.' });
  },
);

let current: RTCDataChannel | null = null;

/** The current peer's files channel. */
export function attachFilesChannel(dc: RTCDataChannel): void {
  current = dc;
  channel.attach(dc);
  const up = () => {
    if (current === dc) useFilesStore.setState({ channelUp: true, channelSeen: true });
  };
  if (dc.readyState === 'open') up();
  else dc.addEventListener('open', up, { once: true });
  dc.addEventListener('close', () => {
    if (current === dc) useFilesStore.setState({ channelUp: false });
  });
}

/** The session changed: this session's list starts empty. */
export function resetFiles(): void {
  channel.reset('The assistance ended.');
  current = null; // the last session's peer: its channel's events no longer count
  useFilesStore.setState({
    transfers: [],
    listing: null,
    listProblem: null,
    target: null,
    channelUp: false,
    channelSeen: false,
  });
}

/** Up to this size the browser's own SHA-256 reads the file at once (fast, native); beyond, in slices. */
const WHOLE_HASH_MAX = 128 * 1024 * 1024;

async function hashFile(file: File): Promise<string> {
  if (file.size <= WHOLE_HASH_MAX)
    return bytesToHex(new Uint8Array(await crypto.subtle.digest('SHA-256', await file.arrayBuffer())));
  const hash = sha256.create();
  const slice = 4 * 1024 * 1024;
  for (let at = 0; at < file.size; at += slice)
    hash.update(new Uint8Array(await file.slice(at, at + slice).arrayBuffer()));
  return bytesToHex(hash.digest());
}

/** Files dropped on the viewer or picked in the panel: to the device's Downloads or the folder picked. */
export function sendFiles(files: File[]): void {
  for (const file of files) void sendOne(file);
}

async function sendOne(file: File): Promise<void> {
  const id = crypto.randomUUID();
  add({ id, name: file.name, direction: 'to-device', size: file.size, done: 0, state: 'hashing' });
  // Refused here already, in the same words the device would use: nothing is read or sent.
  const bad = nameRefusal(file.name);
  if (bad) return ended(id, { ok: false, code: 'bad-name', message: bad });
  // Nobody signed in: no host will ever take it (not a wait: a refusal).
  if (noHost(useSecureDesktopStore.getState().up, useFilesStore.getState()))
    return ended(id, { ok: false, code: 'no-user-session', message: FILES_NO_USER_SESSION });
  let sha: string;
  try {
    sha = await hashFile(file);
  } catch {
    return ended(id, { ok: false, code: 'vanished', message: `“${file.name}” could not be read on this computer.` });
  }
  if (useFilesStore.getState().transfers.find((t) => t.id === id)?.state === 'cancelled') return;
  const target = useFilesStore.getState().target;
  const offer: FileOffer = {
    id,
    n: channel.allocate(),
    name: file.name,
    size: file.size,
    sha256: sha,
    direction: 'to-device',
    ...(target ? { folder: target } : {}),
  };
  update(id, { state: 'waiting' });
  channel.send(
    offer,
    { read: async (offset, length) => new Uint8Array(await file.slice(offset, offset + length).arrayBuffer()) },
    {
      accepted: (savedAs, offset) =>
        update(id, { state: 'running', message: offset > 0 ? `Resumed at ${offset} bytes` : `As “${savedAs}”` }),
      progress: (done) => progress(id, done),
      paused: () => update(id, { state: 'paused', message: 'The connection dropped: it goes on once it is back.' }),
      ended: (outcome) => ended(id, outcome),
    },
  );
}

/** Fetches files of the device (full paths, from the browser) into this computer's Downloads folder. */
export function fetchFiles(paths: string[]): void {
  for (const path of paths) {
    const id = crypto.randomUUID();
    const name = path.split(/[\\/]/).pop() ?? path;
    add({ id, name, direction: 'from-device', size: 0, done: 0, state: 'waiting' });
    if (!channel.write({ t: 'fetch', id, path }))
      ended(id, { ok: false, code: 'failed', message: 'The connection to the device is not up.' });
  }
}

export function listFolder(path?: string): void {
  listReq++;
  const sent = channel.write({ t: 'list', req: listReq, ...(path ? { path } : {}) });
  if (!sent) useFilesStore.setState({ listProblem: 'The connection to the device is not up.' });
}

export function cancelTransfer(id: string): void {
  const t = useFilesStore.getState().transfers.find((x) => x.id === id);
  if (!t) return;
  if (t.state === 'hashing') return ended(id, { ok: false, code: 'cancelled', message: 'Cancelled by the operator.' });
  channel.cancel(id, 'Cancelled by the operator.');
}

export function setTarget(folder: string | null): void {
  useFilesStore.setState({ target: folder });
}
