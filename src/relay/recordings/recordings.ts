/**
 * The relay's part in session recording. Where the policy requires it (the `recording` cell of the
 * capability matrix for the operator's role on the device's report group: on means this role's
 * sessions there are recorded), the relay says so to the user before they answer (`recorded` in
 * session:join-request), to the operator's app at admission (session:admitted) and to an unattended
 * device's screen (session:unattended-start); nothing is taken before admission. The operator's app
 * then uploads chunks in order; each is stored as files (chunk-files.ts) and its digests chained into
 * the audit trail (chain.ts). A recorded session whose chunks stop for RECORDING_SILENCE_MS ends
 * (`recording-failed`); chunks older than the retention setting are removed, and that removal audited.
 */
import type { Capability } from '../../shared/capabilities.js';
import type { CapabilityDecision } from '../../shared/capability-decision.js';
import type { AuditEntry } from '../../shared/audit.js';
import type { AssistanceMode, EndReason, OperatorIdentity, SessionId } from '../../shared/protocol.js';
import { RECORDING_SILENCE_MS, type RecordingChunkUpload } from '../../shared/recording.js';
import { operatorActor, type AuditTrail } from '../audit/audit-trail.js';
import type { Clock } from '../clock.js';
import type { Outgoing } from '../messages.js';
import { chainLink, chainStart, sha256Hex, type AuditedChunk } from './chain.js';
import type { ChunkFiles } from './chunk-files.js';

/** A session as recording needs it; `operator` is its operator (asking or admitted). */
export interface RecordedSession {
  deviceId: string;
  mode: AssistanceMode;
  operator: OperatorIdentity;
  /** Its operator is admitted (and, for an assistance, it is active). */
  active: boolean;
}

export interface RecordingDeps {
  files: ChunkFiles;
  audit: AuditTrail;
  clock: Clock;
  /** How long chunks are kept; older ones are removed (audited). */
  retentionMs: number;
  session(sessionId: SessionId): RecordedSession | null;
  roleOf(operatorId: string): string;
  capability(deviceId: string, role: string, capability: Capability, mode: AssistanceMode): CapabilityDecision;
  /** Ends the session for `reason` (finish() for an assistance), answering the messages to deliver. */
  end(sessionId: SessionId, reason: EndReason): Outgoing[];
}

export type ChunkResult =
  { ok: true; sha256: string; next: number } | { ok: false; status: number; code: string; message: string };

interface Running {
  operator: OperatorIdentity;
  deviceId: string;
  part: number;
  nextSeq: number;
  chain: string;
  lastChunkAt: number;
  /** The last chunk taken (its seq and digest): sent again because its answer was lost, it is taken as done. */
  last: { seq: number; sha256: string } | null;
}

export class Recordings {
  /** Whether each session's operator is recorded, as the user was told (join-request) or at admission. */
  private readonly required = new Map<SessionId, { operatorId: string; recorded: boolean }>();
  private readonly running = new Map<SessionId, Running>();
  /** The refusals audited already (session, operator, code): an app that retries is not a row per try. */
  private readonly refused = new Set<string>();
  /** When retention last looked (it reads the trail of every kept recording: once a minute is enough). */
  private lastExpiry = -Infinity;

  constructor(private readonly deps: RecordingDeps) {}

  /** Adds `recorded` to what tells the user and the operator, and starts the recording at admission. */
  expand(messages: Outgoing[]): Outgoing[] {
    return messages.map((message) => {
      switch (message.event) {
        case 'session:join-request': {
          const { sessionId, operator } = message.payload;
          const recorded = this.decide(sessionId, operator.id, true);
          return recorded ? { ...message, payload: { ...message.payload, recorded } } : message;
        }
        case 'session:admitted':
        case 'session:unattended-start': {
          const { sessionId } = message.payload;
          const session = this.deps.session(sessionId);
          if (!session) return message;
          const recorded = this.decide(sessionId, session.operator.id, false);
          if (!recorded) return message;
          if (message.event === 'session:admitted') this.start(sessionId, session);
          return { ...message, payload: { ...message.payload, recorded } } as Outgoing;
        }
        default:
          return message;
      }
    });
  }

  /**
   * POST …/recordings/:sessionId/chunks from `operator`'s app, or the console's variant from the operator
   * in the browser (`via: 'browser'`): each only for a session its own kind of connection was admitted to.
   */
  chunk(operator: OperatorIdentity, sessionId: SessionId, upload: RecordingChunkUpload): ChunkResult {
    const run = this.running.get(sessionId);
    const session = this.deps.session(sessionId);
    const same = (o: OperatorIdentity) => o.id === operator.id && o.via === operator.via;
    if (!run || !session?.active || !same(session.operator) || !same(run.operator))
      return this.refuse(operator, sessionId, 403, 'not-recording', 'This session is not being recorded by you.');
    const video = Buffer.from(upload.video, 'base64');
    if (run.last && upload.seq === run.last.seq && sha256Hex(video) === run.last.sha256)
      return { ok: true, sha256: run.last.sha256, next: run.nextSeq };
    if (upload.seq !== run.nextSeq || upload.part < run.part)
      return this.refuse(
        operator,
        sessionId,
        409,
        'out-of-order',
        `Chunk ${upload.seq} of part ${upload.part} is out of order: the relay expects chunk ${run.nextSeq}.`,
      );
    const eventsJson = JSON.stringify(upload.events);
    const digest = {
      part: upload.part,
      seq: upload.seq,
      sha256: sha256Hex(video),
      eventsSha256: sha256Hex(eventsJson),
    };
    this.deps.files.write(sessionId, upload.seq, video, eventsJson);
    if (upload.part > run.part) this.audited(run, sessionId, 'recording.started', { part: upload.part });
    const chain = chainLink(run.chain, sessionId, digest);
    this.audited(run, sessionId, 'recording.chunk', { ...digest, bytes: video.length, chain });
    Object.assign(run, {
      part: upload.part,
      nextSeq: upload.seq + 1,
      chain,
      lastChunkAt: this.deps.clock.now(),
      last: { seq: upload.seq, sha256: digest.sha256 },
    });
    return { ok: true, sha256: digest.sha256, next: run.nextSeq };
  }

  /** The sweep: recorded sessions silent too long end; chunks past retention go. */
  sweep(): Outgoing[] {
    const now = this.deps.clock.now();
    const out: Outgoing[] = [];
    for (const [sessionId, run] of [...this.running]) {
      if (now - run.lastChunkAt < RECORDING_SILENCE_MS) continue;
      this.running.delete(sessionId);
      out.push(...this.deps.end(sessionId, 'recording-failed'));
    }
    if (now - this.lastExpiry >= 60_000) {
      this.lastExpiry = now;
      this.expireOld(now);
    }
    return out;
  }

  /** The session is over: nothing more is taken for it. */
  ended(sessionId: SessionId): void {
    this.running.delete(sessionId);
    this.required.delete(sessionId);
  }

  isRecording(sessionId: SessionId): boolean {
    return this.running.has(sessionId);
  }

  /** The chunks the trail holds for a session, oldest first (the console's check reads these). */
  auditedChunks(sessionId: SessionId): AuditedChunk[] {
    return this.deps.audit
      .query({ sessionId, action: 'recording.chunk' })
      .reverse()
      .map((e) => auditedChunk(e));
  }

  /** The seqs retention removed, as audited. */
  expiredSeqs(sessionId: SessionId): Set<number> {
    const seqs = new Set<number>();
    for (const e of this.deps.audit.query({ sessionId, action: 'recording.expired' })) {
      for (let seq = Number(e.detail.fromSeq); seq <= Number(e.detail.toSeq); seq++) seqs.add(seq);
    }
    return seqs;
  }

  private decide(sessionId: SessionId, operatorId: string, asking: boolean): boolean {
    const known = this.required.get(sessionId);
    // What the user was told for this operator holds through admission and its reconnections.
    if (known && known.operatorId === operatorId && !asking) return known.recorded;
    const session = this.deps.session(sessionId);
    if (!session) return false;
    const role = this.deps.roleOf(operatorId);
    const recorded = this.deps.capability(session.deviceId, role, 'recording', session.mode).allowed;
    this.required.set(sessionId, { operatorId, recorded });
    return recorded;
  }

  /** At admission (and each reconnection): carried on from the trail where the recording stood. */
  private start(sessionId: SessionId, session: RecordedSession): void {
    if (this.running.has(sessionId)) {
      this.running.get(sessionId)!.lastChunkAt = this.deps.clock.now();
      return;
    }
    const last = this.deps.audit.query({ sessionId, action: 'recording.chunk', limit: 1 })[0];
    const run: Running = {
      operator: session.operator,
      deviceId: session.deviceId,
      // After a relay restart the operator's recorder may go on with its part, or begin the next.
      part: last ? Number(last.detail.part) : 0,
      nextSeq: last ? Number(last.detail.seq) + 1 : 0,
      chain: last ? String(last.detail.chain) : chainStart(sessionId),
      lastChunkAt: this.deps.clock.now(),
      last: null,
    };
    this.running.set(sessionId, run);
    if (!last) this.audited(run, sessionId, 'recording.started', { part: run.part, mode: session.mode });
  }

  private expireOld(now: number): void {
    const cutoff = new Date(now - this.deps.retentionMs).toISOString();
    for (const sessionId of this.deps.files.sessions()) {
      const expired = this.expiredSeqs(sessionId);
      const due = this.auditedChunks(sessionId).filter((c) => c.at < cutoff && !expired.has(c.seq));
      if (due.length > 0) {
        const seqs = due.map((c) => c.seq);
        // Audited first: a crash before the files go leaves them "expired", removed by the next sweep.
        this.deps.audit.record({
          actor: { kind: 'relay', id: 'relay', name: 'relay' },
          action: 'recording.expired',
          sessionId,
          result: 'ok',
          detail: {
            fromSeq: Math.min(...seqs),
            toSeq: Math.max(...seqs),
            count: seqs.length,
            retentionMs: this.deps.retentionMs,
          },
        });
        for (const seq of seqs) expired.add(seq);
      }
      for (const seq of this.deps.files.seqs(sessionId)) if (expired.has(seq)) this.deps.files.remove(sessionId, seq);
      this.deps.files.removeIfEmpty(sessionId);
    }
  }

  private audited(
    run: Running,
    sessionId: SessionId,
    action: 'recording.started' | 'recording.chunk',
    detail: AuditEntry['detail'],
  ): void {
    this.deps.audit.record({
      actor: operatorActor(run.operator),
      action,
      deviceId: run.deviceId || null,
      sessionId,
      result: 'ok',
      detail,
    });
  }

  private refuse(
    operator: OperatorIdentity,
    sessionId: SessionId,
    status: number,
    code: string,
    message: string,
  ): ChunkResult {
    const key = `${sessionId} ${operator.id} ${code}`;
    if (this.refused.has(key)) return { ok: false, status, code, message };
    if (this.refused.size >= 10_000) this.refused.clear();
    this.refused.add(key);
    this.deps.audit.record({
      actor: operatorActor(operator),
      action: 'recording.refused',
      sessionId,
      result: 'refused',
      detail: { code },
    });
    return { ok: false, status, code, message };
  }
}

function auditedChunk(e: AuditEntry): AuditedChunk {
  const d = e.detail;
  return {
    part: Number(d.part),
    seq: Number(d.seq),
    sha256: String(d.sha256),
    eventsSha256: String(d.eventsSha256),
    bytes: Number(d.bytes),
    chain: String(d.chain),
    at: e.at,
  };
}
