/**
 * The relay's part in the clipboard and the chat of an assistance. The chat travels through the relay (not the peers'
 * data channel) so that the relay, which keeps the audit trail, sees every message: it checks each against the
 * assistance (active, the sender one of its two admitted parties) and the policy (`chat`), bounds its size and each
 * sender's rate, records it (text included) and delivers it to both parties. The clipboard's text crosses the data
 * channel only; the relay decides whether each direction is allowed (`clipboard.to-device`, `clipboard.from-device`),
 * tells both parties (`session:features`, on each admission and policy change, beside tools:available), and
 * records the host's report of each transfer (direction and size, never the text).
 */
import {
  CHAT_RATE,
  type ChatMessage,
  type ClipboardReport,
  type FeatureDecision,
  type FeatureReport,
  type SessionFeatures,
} from '../../shared/assist-protocol.js';
import type { Capability } from '../../shared/capabilities.js';
import { FILES_DEFAULTS, type FileFeatures, type FilesPolicy, type FilesReport } from '../../shared/file-transfer.js';
import type { CapabilityDecision } from '../../shared/capability-decision.js';
import type { AssistanceMode, OperatorIdentity, SessionId } from '../../shared/protocol.js';
import type { AuditTrail } from '../audit/audit-trail.js';
import { operatorActor } from '../audit/audit-trail.js';
import type { ConnId, Outgoing, Sender } from '../messages.js';
import { relayError } from '../messages.js';

/** A session as the clipboard and chat need it: who is in it, and whether it is active (consent given, operator in). */
export interface AssistSession {
  /** The device's ID for the policy ('' for a host that is no enrolled device: the product level applies). */
  deviceId: string;
  mode: AssistanceMode;
  active: boolean;
  operator: OperatorIdentity;
  operatorConn: ConnId | null;
  hostConn: ConnId | null;
  deviceName: string;
}

export interface AssistRelayDeps {
  session(sessionId: SessionId): AssistSession | null;
  roleOf(operatorId: string): string;
  capability(deviceId: string, role: string, capability: Capability, mode: AssistanceMode): CapabilityDecision;
  /** The policy's file limits for the device (its report group's, else the product's); absent: FILES_DEFAULTS. */
  filesPolicy?(deviceId: string): FilesPolicy | undefined;
  now(): number;
  audit: AuditTrail;
}

const decision = (d: CapabilityDecision): FeatureDecision =>
  d.allowed ? { allowed: true } : { allowed: false, reason: d.reason };

export class AssistRelay {
  /** Per session: the next message's number, and each sender connection's recent send times (for the rate). */
  private readonly chats = new Map<SessionId, { next: number; sent: Map<ConnId, number[]> }>();
  /** The sessions whose parties were told, to tell again when the policy changes. */
  private readonly told = new Set<SessionId>();

  constructor(private readonly deps: AssistRelayDeps) {}

  /** What the policy allows now, or null while the assistance is not active with an admitted operator. */
  features(sessionId: SessionId): SessionFeatures | null {
    const a = this.deps.session(sessionId);
    if (!a?.active) return null;
    const role = this.deps.roleOf(a.operator.id);
    const ask = (c: Capability) => decision(this.deps.capability(a.deviceId, role, c, a.mode));
    return {
      sessionId,
      clipboardToDevice: ask('clipboard.to-device'),
      clipboardFromDevice: ask('clipboard.from-device'),
      chat: ask('chat'),
      controlRequest: ask('control.request'),
      specialKeys: ask('keys.special'),
      otherDisplays: ask('displays.switch'),
      files: this.fileFeatures(a, ask),
    };
  }

  private fileFeatures(a: AssistSession, ask: (c: Capability) => FeatureDecision): FileFeatures {
    const limits = this.deps.filesPolicy?.(a.deviceId) ?? FILES_DEFAULTS;
    return {
      toDevice: ask('files.to-device'),
      fromDevice: ask('files.from-device'),
      maxBytes: limits.maxBytes,
      refusedExtensions: limits.refusedExtensions,
      ...(limits.unattendedFolder ? { unattendedFolder: limits.unattendedFolder } : {}),
    };
  }

  /** The assistance became active (or its operator came back, or the policy changed): both parties are told. */
  announce(sessionId: SessionId): Outgoing[] {
    const features = this.features(sessionId);
    const a = this.deps.session(sessionId);
    if (!features || !a) return [];
    this.told.add(sessionId);
    return [a.operatorConn, a.hostConn]
      .filter((c): c is ConnId => c !== null)
      .map((to) => ({ to, event: 'session:features', payload: features }));
  }

  /** The policy or a role changed: every active session's parties are told what holds now. */
  policyChanged(): Outgoing[] {
    return [...this.told].flatMap((id) => this.announce(id));
  }

  chat(sender: Sender, sessionId: SessionId, text: string): Outgoing[] {
    const a = this.deps.session(sessionId);
    const side = !a ? null : a.hostConn === sender.conn ? 'user' : a.operatorConn === sender.conn ? 'operator' : null;
    if (!a || side === null)
      return [relayError(sender.conn, 'not-in-session', 'chat:send', 'not a party of this assistance')];
    const { operator } = a;
    const refuse = (code: 'not-active' | 'not-permitted' | 'rate-limited', message: string): Outgoing[] => {
      this.deps.audit.record({
        actor: this.actor(side, a),
        action: 'chat.refused',
        deviceId: a.deviceId,
        sessionId,
        result: 'refused',
        detail: { code, from: side },
      });
      return [{ to: sender.conn, event: 'chat:refused', payload: { sessionId, code, message } }];
    };
    if (!a.active || !a.operatorConn)
      return refuse(
        'not-active',
        'The assistance is not active: the chat opens once the user has let the operator in.',
      );
    const allowed = this.features(sessionId)?.chat;
    if (!allowed?.allowed) return refuse('not-permitted', allowed?.reason ?? 'Chat is not allowed.');
    const chat = this.chatOf(sessionId);
    const now = this.deps.now();
    const recent = (chat.sent.get(sender.conn) ?? []).filter((t) => now - t < CHAT_RATE.perMs);
    if (recent.length >= CHAT_RATE.messages)
      return refuse('rate-limited', 'Too many messages at once: wait a few seconds and send again.');
    chat.sent.set(sender.conn, [...recent, now]);
    const message: ChatMessage = {
      sessionId,
      id: chat.next++,
      from: side,
      name: side === 'operator' ? operator.name : a.deviceName,
      text,
      at: now,
    };
    this.deps.audit.record({
      actor: this.actor(side, a),
      action: 'chat.message',
      deviceId: a.deviceId,
      sessionId,
      result: 'ok',
      detail: { from: side, text },
    });
    return [a.operatorConn, a.hostConn]
      .filter((c): c is ConnId => c !== null)
      .map((to) => ({ to, event: 'chat:message', payload: message }));
  }

  /** The host reports a clipboard transfer: recorded, as refused if the policy does not allow that direction. */
  clipboardReported(sender: Sender, report: ClipboardReport): Outgoing[] {
    const { sessionId } = report;
    const a = this.deps.session(sessionId);
    if (!a || a.hostConn !== sender.conn)
      return [relayError(sender.conn, 'not-in-session', 'clipboard:report', 'not the host of this assistance')];
    const features = this.features(sessionId);
    const allowed = report.direction === 'to-device' ? features?.clipboardToDevice : features?.clipboardFromDevice;
    this.deps.audit.record({
      actor: operatorActor(a.operator),
      action: 'clipboard.transferred',
      deviceId: a.deviceId,
      sessionId,
      // A host that copied what the relay does not allow is recorded as such: the policy said no.
      result: allowed?.allowed ? 'ok' : 'refused',
      detail: {
        direction: report.direction,
        how: report.how,
        chars: report.chars,
        ...(report.imageBytes ? { image: true, bytes: report.imageBytes } : {}),
      },
    });
    return [];
  }

  /**
   * The host reports a special key or a display switch (they cross the data channel): recorded, as refused where the
   * host refused it or the policy does not allow it now.
   */
  featureReported(sender: Sender, report: FeatureReport): Outgoing[] {
    const { sessionId } = report;
    const a = this.deps.session(sessionId);
    if (!a || a.hostConn !== sender.conn)
      return [relayError(sender.conn, 'not-in-session', 'session:feature-used', 'not the host of this assistance')];
    const features = this.features(sessionId);
    const allowed = report.feature === 'special-key' ? features?.specialKeys : features?.otherDisplays;
    this.deps.audit.record({
      actor: operatorActor(a.operator),
      action: report.feature === 'special-key' ? 'special-key.sent' : 'display.shown',
      deviceId: a.deviceId,
      sessionId,
      result: report.done && allowed?.allowed ? 'ok' : 'refused',
      detail: {
        [report.feature === 'special-key' ? 'key' : 'display']: report.what,
        ...(report.code ? { code: report.code } : !allowed?.allowed ? { code: 'not-permitted' } : {}),
      },
    });
    return [];
  }

  /**
   * The host reports a file transfer's start or end (the bytes cross the peers' own channel only): recorded with its
   * name, size, direction and SHA-256; a transfer the policy does not allow that direction of is recorded as refused.
   */
  filesReported(sender: Sender, report: FilesReport): Outgoing[] {
    const { sessionId } = report;
    const a = this.deps.session(sessionId);
    if (!a || a.hostConn !== sender.conn)
      return [relayError(sender.conn, 'not-in-session', 'files:report', 'not the host of this assistance')];
    const files = this.features(sessionId)?.files;
    const allowed = report.direction === 'to-device' ? files?.toDevice : files?.fromDevice;
    const action =
      report.event === 'started' ? 'file.started' : report.event === 'done' ? 'file.transferred' : 'file.stopped';
    const result =
      report.event === 'refused' || !allowed?.allowed
        ? 'refused'
        : report.event === 'cancelled'
          ? 'cancelled'
          : report.event === 'failed'
            ? 'failed'
            : 'ok';
    const { sessionId: _s, event: _e, ...detail } = report;
    this.deps.audit.record({
      actor: operatorActor(a.operator),
      action,
      deviceId: a.deviceId,
      sessionId,
      result,
      detail,
    });
    return [];
  }

  ended(sessionId: SessionId): void {
    this.chats.delete(sessionId);
    this.told.delete(sessionId);
  }

  private chatOf(sessionId: SessionId) {
    let chat = this.chats.get(sessionId);
    if (!chat) this.chats.set(sessionId, (chat = { next: 1, sent: new Map() }));
    return chat;
  }

  private actor(side: 'operator' | 'user', a: AssistSession) {
    if (side === 'operator') return operatorActor(a.operator);
    return { kind: 'user' as const, id: a.deviceId || a.deviceName, name: `the user of ${a.deviceName}` };
  }
}
