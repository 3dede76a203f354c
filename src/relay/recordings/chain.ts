/**
 * A recording's tamper-evident chain, pure: each chunk's link is the SHA-256 of the previous link and
 * what identifies the chunk (session, part, seq, the digests of its video and its events), and each
 * link is written into the append-only audit trail as the chunk is stored. Checking a recording reads
 * the audited links back, follows the chain, and compares every chunk's file with its audited digest:
 * a changed, removed, reordered or unaudited chunk is named; one removed by retention, which audited
 * its removal, is "expired", not a break.
 */
import { createHash } from 'node:crypto';
import type { ChunkStatus, RecordedChunk } from '../../shared/recording.js';

/** The link before a recording's first chunk: bound to its session, so no chain can be moved to another. */
export function chainStart(sessionId: string): string {
  return sha256Hex(`flxra recording ${sessionId}`);
}

export interface ChunkDigest {
  part: number;
  seq: number;
  /** Hex SHA-256 of the chunk's WebM bytes. */
  sha256: string;
  /** Hex SHA-256 of its events' JSON as stored. */
  eventsSha256: string;
}

export function chainLink(previous: string, sessionId: string, chunk: ChunkDigest): string {
  return sha256Hex(
    [previous, sessionId, String(chunk.part), String(chunk.seq), chunk.sha256, chunk.eventsSha256].join('\n'),
  );
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** A chunk as its audit row holds it. */
export interface AuditedChunk extends ChunkDigest {
  at: string;
  bytes: number;
  chain: string;
}

/** What is on disk for one seq: the digests of its files, or null when they are gone. */
export type ChunkOnDisk = { sha256: string; eventsSha256: string } | null;

export interface ChainCheck {
  chunks: RecordedChunk[];
  intact: boolean;
}

/**
 * Checks a recording: `audited` in the order the trail holds them, `expired` the seqs retention
 * removed (audited), `onDisk` what is found now for each seq (and any seq the audit does not have).
 */
export function checkChain(
  sessionId: string,
  audited: readonly AuditedChunk[],
  expired: ReadonlySet<number>,
  onDisk: ReadonlyMap<number, ChunkOnDisk>,
): ChainCheck {
  const bySha = new Map(audited.map((c) => [c.sha256, c.seq]));
  let previous = chainStart(sessionId);
  let expectedSeq = 0;
  const chunks: RecordedChunk[] = audited.map((c) => {
    const linkOk = c.seq === expectedSeq && chainLink(previous, sessionId, c) === c.chain;
    previous = c.chain;
    expectedSeq = c.seq + 1;
    const row = { part: c.part, seq: c.seq, at: c.at, bytes: c.bytes };
    if (!linkOk) return { ...row, status: 'chain-broken' };
    return { ...row, status: fileStatus(c, expired.has(c.seq), onDisk.get(c.seq) ?? null, bySha) };
  });
  const auditedSeqs = new Set(audited.map((c) => c.seq));
  for (const [seq, found] of onDisk) {
    if (!auditedSeqs.has(seq) && found) chunks.push({ part: 0, seq, at: '', bytes: 0, status: 'unaudited' });
  }
  chunks.sort((a, b) => a.seq - b.seq);
  return { chunks, intact: chunks.every((c) => c.status === 'intact' || c.status === 'expired') };
}

function fileStatus(
  c: AuditedChunk,
  expired: boolean,
  found: ChunkOnDisk,
  bySha: ReadonlyMap<string, number>,
): ChunkStatus {
  // Audited as removed by retention; a file still there is removed by the next sweep.
  if (expired) return 'expired';
  if (!found) return 'removed';
  if (found.sha256 === c.sha256 && found.eventsSha256 === c.eventsSha256) return 'intact';
  const other = bySha.get(found.sha256);
  return other !== undefined && other !== c.seq ? 'reordered' : 'changed';
}
