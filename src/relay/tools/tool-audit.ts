/**
 * What the audit trail records of the Flexxible Tools, from the traffic the relay carries
 * (tool-relay.ts): each tool opened and closed, each refusal, a bounded transcript of what each
 * terminal displayed (its output stream only: keystrokes are never recorded, so a password typed
 * at a prompt that does not echo is not either), each registry change with its old and new value
 * and each process ended with its PID and name (read from the agent's answers to those requests; a tree's root
 * row lists every PID ended, and each other process of the tree has a row of its own).
 * Bounded: a transcript keeps the first TRANSCRIPT_PER_TERMINAL bytes of a terminal and
 * TRANSCRIPT_PER_ASSISTANCE of an assistance, and says when it was cut.
 */
import type { OperatorIdentity, SessionId } from '../../shared/protocol.js';
import {
  OUTPUT_STREAM,
  type ToolEvent,
  type ToolId,
  type ToolKind,
  type ToolRequest,
} from '../../shared/tools-protocol.js';
import { utf8Length } from '../../shared/tool-streams.js';
import { ProcessKilled, RegistryChange } from '../../shared/tools-results.js';
import { operatorActor, type AuditTrail } from '../audit/audit-trail.js';

export const TRANSCRIPT_PER_TERMINAL = 16 * 1024;
export const TRANSCRIPT_PER_ASSISTANCE = 64 * 1024;
/** A change's answer is small; anything larger is not read for the audit. */
const MAX_AUDITED_RESULT = 64 * 1024;

type Audited = Extract<ToolRequest, { type: 'processes.kill' } | { type: 'registry' }>;
interface Pending {
  request: Audited;
  text: string;
}
interface Transcript {
  text: string;
  bytes: number;
  cut: boolean;
}
interface Assistance {
  transcripts: Map<ToolId, Transcript>;
  transcriptBytes: number;
  pending: Map<string, Pending>;
}

const CHANGES = new Set(['set-value', 'delete-value', 'rename-value', 'create-key', 'delete-key', 'rename-key']);

export class ToolAudit {
  private readonly assistances = new Map<SessionId, Assistance>();

  constructor(private readonly trail: AuditTrail) {}

  refused(
    operator: OperatorIdentity,
    sessionId: SessionId,
    deviceId: string | null,
    request: ToolRequest,
    code: string,
    reason: string,
  ): void {
    const tool: Record<string, string> = request.type === 'tool.open' ? { tool: request.tool } : {};
    this.trail.record({
      actor: operatorActor(operator),
      action: 'tool.refused',
      sessionId,
      deviceId,
      result: 'denied',
      detail: { request: request.type, toolId: request.toolId, ...tool, code, reason },
    });
  }

  hostRefused(deviceId: string | null, sessionId: SessionId): void {
    this.trail.record({
      actor: { kind: 'device', id: deviceId ?? 'anonymous host', name: deviceId ?? 'anonymous host' },
      action: 'tool.refused',
      sessionId,
      deviceId,
      result: 'denied',
      detail: { request: 'tool:request', code: 'forbidden', reason: 'a host process asked for a tool' },
    });
  }

  /** A request forwarded: changes and process ends are remembered until their answer comes. */
  requested(sessionId: SessionId, request: ToolRequest): void {
    const audited =
      request.type === 'processes.kill' || (request.type === 'registry' && CHANGES.has(request.request.op));
    if (audited) this.of(sessionId).pending.set(key(request.toolId, request.requestId), { request, text: '' });
  }

  event(
    operator: OperatorIdentity,
    sessionId: SessionId,
    deviceId: string,
    event: ToolEvent,
    open?: Map<ToolId, { tool: ToolKind }>,
  ): void {
    const base = { actor: operatorActor(operator), sessionId, deviceId };
    const a = this.of(sessionId);
    switch (event.type) {
      case 'tool.opened':
        return this.trail.record({
          ...base,
          action: 'tool.opened',
          result: 'ok',
          detail: { toolId: event.toolId, tool: event.tool, ...(event.account ? { account: event.account.name } : {}) },
        });
      case 'tool.closed':
        return this.closed(base, event.toolId, open?.get(event.toolId)?.tool, event.reason);
      case 'tool.refused':
        if (event.requestId) a.pending.delete(key(event.toolId, event.requestId));
        return;
      case 'stream.chunk': {
        if (event.stream === OUTPUT_STREAM) return this.transcribe(a, event.toolId, event.data);
        const pending = a.pending.get(key(event.toolId, event.stream));
        if (!pending) return;
        pending.text += event.data;
        if (pending.text.length > MAX_AUDITED_RESULT) a.pending.delete(key(event.toolId, event.stream));
        else if (event.final) {
          a.pending.delete(key(event.toolId, event.stream));
          this.answered(base, event.toolId, pending);
        }
        return;
      }
      default:
        return;
    }
  }

  /** Tools still open when the assistance ended: closed with it (the agent closes them on stop-host). */
  assistanceEnded(
    operator: OperatorIdentity,
    sessionId: SessionId,
    deviceId: string,
    open: Map<ToolId, { tool: ToolKind; opened: boolean }>,
  ): void {
    const base = { actor: operatorActor(operator), sessionId, deviceId };
    for (const [toolId, { tool, opened }] of open) if (opened) this.closed(base, toolId, tool, 'assistance-ended');
  }

  forget(sessionId: SessionId): void {
    this.assistances.delete(sessionId);
  }

  private closed(base: Base, toolId: ToolId, tool: ToolKind | undefined, reason: string): void {
    const transcript = this.of(base.sessionId).transcripts.get(toolId);
    this.trail.record({
      ...base,
      action: 'tool.closed',
      result: 'ok',
      detail: {
        toolId,
        ...(tool ? { tool } : {}),
        reason,
        ...(transcript ? { transcript: transcript.text, transcriptCut: transcript.cut } : {}),
      },
    });
    this.of(base.sessionId).transcripts.delete(toolId);
  }

  private transcribe(a: Assistance, toolId: ToolId, data: string): void {
    const t = a.transcripts.get(toolId) ?? { text: '', bytes: 0, cut: false };
    a.transcripts.set(toolId, t);
    if (t.cut) return;
    const room = Math.min(TRANSCRIPT_PER_TERMINAL - t.bytes, TRANSCRIPT_PER_ASSISTANCE - a.transcriptBytes);
    const bytes = utf8Length(data);
    if (bytes <= room) {
      t.text += data;
      t.bytes += bytes;
      a.transcriptBytes += bytes;
      return;
    }
    // Cut by characters within the room left (a character never split).
    let kept = '';
    let keptBytes = 0;
    for (const ch of data) {
      const n = utf8Length(ch);
      if (keptBytes + n > room) break;
      kept += ch;
      keptBytes += n;
    }
    t.text += kept;
    t.bytes += keptBytes;
    a.transcriptBytes += keptBytes;
    t.cut = true;
  }

  private answered(base: Base, toolId: ToolId, { request, text }: Pending): void {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return;
    }
    if (request.type === 'processes.kill') {
      const killed = ProcessKilled.safeParse(value);
      if (!killed.success) return;
      const { pid, name, ended, notEnded, names = [] } = killed.data;
      this.trail.record({
        ...base,
        action: 'tool.process-ended',
        result: 'ok',
        detail: {
          toolId,
          pid,
          name,
          tree: request.tree,
          ended: ended.join(' '),
          ...(notEnded.length ? { notEnded: notEnded.join(' ') } : {}),
        },
      });
      // Every other process of the tree: a row of its own, with its PID and (where the agent knew it) its name.
      for (const other of ended) {
        if (other === pid) continue;
        const known = names.find((n) => n.pid === other);
        this.trail.record({
          ...base,
          action: 'tool.process-ended',
          result: 'ok',
          detail: { toolId, pid: other, ...(known ? { name: known.name } : {}), tree: true, root: pid },
        });
      }
      return;
    }
    const op = request.request;
    if (op.op === 'hives') return;
    const change = RegistryChange.safeParse(value);
    const detail: Record<string, string> = { toolId, op: op.op, key: op.key };
    if (change.success && change.data.old) detail.old = JSON.stringify(change.data.old);
    if (op.op === 'set-value') detail.new = JSON.stringify(op.value);
    if ('name' in op) detail.name = op.name;
    if ('newName' in op) detail.newName = op.newName;
    this.trail.record({ ...base, action: 'tool.registry-changed', result: 'ok', detail });
  }

  private of(sessionId: SessionId): Assistance {
    let a = this.assistances.get(sessionId);
    if (!a) {
      a = { transcripts: new Map(), transcriptBytes: 0, pending: new Map() };
      this.assistances.set(sessionId, a);
    }
    return a;
  }
}

type Base = { actor: ReturnType<typeof operatorActor>; sessionId: SessionId; deviceId: string };

function key(toolId: ToolId, requestId: string): string {
  return `${toolId}/${requestId}`;
}
