/**
 * What the console reads of the recordings: the list (each recording's start in the audit trail),
 * one recording checked against its audited chain (chain.ts) chunk by chunk with its input
 * timeline, and a part's video, its intact chunks joined in order (a MediaRecorder's timeslices,
 * the first carrying the WebM header, play as one file).
 */
import { RecordedInput, type RecordingDetail, type RecordingSummary } from '../../shared/recording.js';
import type { AuditTrail } from '../audit/audit-trail.js';
import { checkChain } from './chain.js';
import type { ChunkFiles } from './chunk-files.js';
import type { Recordings } from './recordings.js';

export class RecordingArchive {
  constructor(
    private readonly recordings: Recordings,
    private readonly files: ChunkFiles,
    private readonly audit: AuditTrail,
  ) {}

  list(): RecordingSummary[] {
    const firsts = new Map<string, RecordingSummary>();
    // Oldest first, so each session's first start is the one kept.
    for (const e of this.audit.query({ action: 'recording.started' }).reverse()) {
      if (e.sessionId === null || firsts.has(e.sessionId)) continue;
      firsts.set(e.sessionId, {
        ...this.summaryOf(e.sessionId),
        startedAt: e.at,
        operator: e.actor.name,
        deviceId: e.deviceId,
      });
    }
    return [...firsts.values()].reverse();
  }

  detail(sessionId: string): RecordingDetail | null {
    const started = this.audit.query({ sessionId, action: 'recording.started' }).at(-1);
    if (!started) return null;
    const audited = this.recordings.auditedChunks(sessionId);
    const check = checkChain(sessionId, audited, this.recordings.expiredSeqs(sessionId), this.files.digests(sessionId));
    const intactSeqs = new Set(check.chunks.filter((c) => c.status === 'intact').map((c) => c.seq));
    const timeline = audited
      .filter((c) => intactSeqs.has(c.seq))
      .flatMap((c) => this.eventsOf(sessionId, c.seq).map((e) => ({ ...e, part: c.part })));
    const firstOfPart = new Map<number, number>();
    for (const c of audited) if (!firstOfPart.has(c.part)) firstOfPart.set(c.part, c.seq);
    const playableParts = [...firstOfPart].filter(([, seq]) => intactSeqs.has(seq)).map(([part]) => part);
    return {
      sessionId,
      deviceId: started.deviceId,
      operator: started.actor.name,
      startedAt: started.at,
      chunks: audited.length,
      intact: check.intact,
      chunkList: check.chunks,
      timeline,
      playableParts,
    };
  }

  /** A part's WebM: its intact chunks in order; null when its first (with the header) is not intact. */
  video(sessionId: string, part: number): Buffer | null {
    const detail = this.detail(sessionId);
    if (!detail?.playableParts.includes(part)) return null;
    const seqs = detail.chunkList.filter((c) => c.part === part && c.status === 'intact').map((c) => c.seq);
    return Buffer.concat(seqs.map((seq) => this.files.video(sessionId, seq) ?? Buffer.alloc(0)));
  }

  private summaryOf(sessionId: string): Pick<RecordingSummary, 'sessionId' | 'chunks'> {
    return { sessionId, chunks: this.audit.query({ sessionId, action: 'recording.chunk' }).length };
  }

  private eventsOf(sessionId: string, seq: number): RecordedInput[] {
    try {
      const parsed = RecordedInput.array().safeParse(JSON.parse(this.files.events(sessionId, seq) ?? '[]'));
      return parsed.success ? parsed.data : [];
    } catch {
      return [];
    }
  }
}
