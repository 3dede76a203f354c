/**
 * The relay's carrying of the Flexxible Tools, socket-free: an operator's `tool:request` goes to the
 * device's agent over the agent's own connection (never the host process) once it passes the
 * checks; the agent's `tool:event`s go back to the assistance's admitted operator. Before each
 * request is forwarded: the assistance is running with this operator admitted (its lifecycle, the
 * one owner, says so) and no side is away, the operator and the device are in the same
 * environment, and the injected ToolGate (tool-gate.ts: the policy) allows the tool. Refusals go
 * to the operator as `tool.refused` events and into the audit; a host asking for a tool is refused.
 *
 * It also tells the operator, on each admission and whenever the policy or a role changes, which tools
 * it may use (`tools:available`, tool-availability.ts), so the panel offers what the relay would forward.
 *
 * It keeps, per assistance, which tools are open (for the user's indicator, `tool:open-list`, and
 * for closing them when the policy or the user says so) and the audit's view of them (tool-audit.ts).
 * Credit flows end to end: the operator's `stream.credit` requests are forwarded like any other,
 * so the agent never sends more than a stream's window the operator has not consumed.
 */
import type { AssistanceMode, OperatorIdentity, SessionId } from '../../shared/protocol.js';
import type { ToolCloseReason, ToolEvent, ToolId, ToolKind, ToolRequest } from '../../shared/tools-protocol.js';
import type { ToolRefusalCode } from '../../shared/tools-results.js';
import type { LifecycleState } from '../assistances/lifecycle.js';
import type { ConnId, OperatorSender, Outgoing, Sender } from '../messages.js';
import { relayError } from '../messages.js';
import type { ToolGate } from './tool-gate.js';
import { ToolAudit } from './tool-audit.js';
import { environmentRefusal, toolsAvailable } from './tool-availability.js';
import type { AuditTrail } from '../audit/audit-trail.js';

/** What the relay knows of an assistance, for the checks. */
export interface ToolAssistance {
  deviceId: string;
  operatorId: string;
  mode: AssistanceMode;
  state: LifecycleState;
}

export interface ToolRelayDeps {
  assistance(sessionId: SessionId): ToolAssistance | null;
  /** The admitted operator's current connection and the host's, from the session table. */
  parties(sessionId: SessionId): { operatorConn: ConnId | null; hostConn: ConnId | null } | null;
  operator(operatorId: string): OperatorIdentity | null;
  roleOf(operatorId: string): string;
  environmentOfOperator(operatorId: string): string;
  /** null for a device without an agent: it has no tools. */
  environmentOfDevice(deviceId: string): string | null;
  /** The users signed in on the device now, as its agent reported them. */
  signedIn(deviceId: string): string[];
  /** The assistances that are running, for telling their operators of a policy change. */
  runningSessions(): SessionId[];
  gate: ToolGate;
  /** Emits to the assistance's agent over its own connection; false when it is not connected. */
  toAgent(
    sessionId: SessionId,
    message:
      | { event: 'tool:request'; payload: { sessionId: SessionId; request: ToolRequest } }
      | { event: 'tool:close'; payload: { sessionId: SessionId; toolId: ToolId; reason: ToolCloseReason } },
  ): boolean;
  audit: AuditTrail;
}

interface Open {
  tool: ToolKind;
  /** Until the agent says tool.opened. */
  opened: boolean;
  /** A terminal as the signed-in user (tool.user-shell), checked again when the policy changes. */
  userShell: boolean;
}

export class ToolRelay {
  private readonly open = new Map<SessionId, Map<ToolId, Open>>();
  private readonly audit: ToolAudit;

  constructor(private readonly deps: ToolRelayDeps) {
    this.audit = new ToolAudit(deps.audit);
  }

  /** An operator's request: forwarded to the agent, or refused (to the operator, audited). */
  fromOperator(sender: OperatorSender, sessionId: SessionId, request: ToolRequest): Outgoing[] {
    const refuse = (code: ToolRefusalCode, message: string, audited = true): Outgoing[] => {
      const assistance = this.deps.assistance(sessionId);
      if (audited) this.audit.refused(sender.operator, sessionId, assistance?.deviceId ?? null, request, code, message);
      const requestId = 'requestId' in request ? { requestId: request.requestId } : {};
      const event: ToolEvent = { type: 'tool.refused', toolId: request.toolId, ...requestId, code, message };
      return [{ to: sender.conn, event: 'tool:event', payload: { sessionId, event } }];
    };
    const assistance = this.deps.assistance(sessionId);
    const parties = this.deps.parties(sessionId);
    if (!assistance || assistance.operatorId !== sender.operator.id || parties?.operatorConn !== sender.conn)
      return refuse('assistance-not-open', 'You are not admitted to this assistance.');
    if (assistance.state.phase !== 'active')
      return refuse('assistance-not-open', 'The assistance is not running: tools open only while you are admitted.');
    if (assistance.state.away.length > 0)
      return refuse('assistance-not-open', 'The device is reconnecting to the relay: try again in a moment.', false);
    const crossing = environmentRefusal(
      this.deps.environmentOfDevice(assistance.deviceId),
      this.deps.environmentOfOperator(sender.operator.id),
    );
    if (crossing) return refuse(crossing.code, crossing.message);
    const tools = this.open.get(sessionId) ?? new Map<ToolId, Open>();
    const known = tools.get(request.toolId);
    const tool = request.type === 'tool.open' ? request.tool : known?.tool;
    if (!tool) return refuse('not-open', 'This tool is not open (any more).', false);
    const userShell = request.type === 'tool.open' ? request.account?.kind === 'user' : (known?.userShell ?? false);
    const decision = this.deps.gate.decide({
      operator: sender.operator,
      role: this.deps.roleOf(sender.operator.id),
      deviceId: assistance.deviceId,
      sessionId,
      mode: assistance.mode,
      tool,
      userShell,
    });
    if (!decision.allowed) return refuse(decision.code, decision.reason);
    if (request.type === 'tool.open' && !known) {
      tools.set(request.toolId, { tool, opened: false, userShell });
      this.open.set(sessionId, tools);
    }
    this.audit.requested(sessionId, request);
    if (!this.deps.toAgent(sessionId, { event: 'tool:request', payload: { sessionId, request } }))
      return refuse('assistance-not-open', "The device's agent is not connected just now.", false);
    return [];
  }

  /** A host asking for a tool: tools never pass through the host process. Refused and audited. */
  fromHost(sender: Sender, sessionId: SessionId): Outgoing[] {
    this.audit.hostRefused(sender.role === 'host' ? (sender.deviceId ?? null) : null, sessionId);
    return [
      relayError(sender.conn, 'forbidden', 'tool:request', 'Tools are the operator’s, carried to the device agent.'),
    ];
  }

  /** What the assistance's agent sent: to the admitted operator; the open list to the host when it changes. */
  fromAgent(sessionId: SessionId, event: ToolEvent): Outgoing[] {
    const assistance = this.deps.assistance(sessionId);
    const parties = this.deps.parties(sessionId);
    const operator = assistance && this.deps.operator(assistance.operatorId);
    const out: Outgoing[] = [];
    const tools = this.open.get(sessionId);
    if (assistance && operator) this.audit.event(operator, sessionId, assistance.deviceId, event, tools);
    if (event.type === 'tool.opened' && tools?.has(event.toolId)) {
      tools.get(event.toolId)!.opened = true;
      out.push(...this.openList(sessionId));
    } else if ((event.type === 'tool.closed' || event.type === 'tool.refused') && tools?.has(event.toolId)) {
      const wasOpen = tools.get(event.toolId)!.opened;
      // A refusal of an open that never opened forgets it; a refusal of a request to an open tool does not.
      if (event.type === 'tool.closed' || !wasOpen) {
        tools.delete(event.toolId);
        if (wasOpen) out.push(...this.openList(sessionId));
      }
    }
    if (parties?.operatorConn)
      out.push({ to: parties.operatorConn, event: 'tool:event', payload: { sessionId, event } });
    return out;
  }

  /** The user closed a tool from the host's indicator: the agent closes it (the operator is told by it). */
  closeByUser(sender: Sender, sessionId: SessionId, toolId: ToolId): Outgoing[] {
    const parties = this.deps.parties(sessionId);
    if (sender.role !== 'host' || parties?.hostConn !== sender.conn)
      return [relayError(sender.conn, 'not-in-session', 'tool:close-by-user', 'not the host of this assistance')];
    if (!this.open.get(sessionId)?.has(toolId)) return this.openList(sessionId);
    this.deps.toAgent(sessionId, { event: 'tool:close', payload: { sessionId, toolId, reason: 'closed-by-user' } });
    return [];
  }

  /**
   * The admitted operator's connection is in the assistance (by consent, password or reconnect):
   * the tools it may use there, to that connection. Nothing while it is not running with an operator.
   */
  announce(sessionId: SessionId): Outgoing[] {
    const assistance = this.deps.assistance(sessionId);
    const operatorConn = this.deps.parties(sessionId)?.operatorConn;
    const operator = assistance && this.deps.operator(assistance.operatorId);
    if (!assistance || !operator || !operatorConn || assistance.state.phase !== 'active') return [];
    const list = toolsAvailable(this.deps.gate, {
      sessionId,
      operator,
      role: this.deps.roleOf(operator.id),
      deviceId: assistance.deviceId,
      mode: assistance.mode,
      deviceEnvironment: this.deps.environmentOfDevice(assistance.deviceId),
      operatorEnvironment: this.deps.environmentOfOperator(operator.id),
      signedIn: this.deps.signedIn(assistance.deviceId),
    });
    return [{ to: operatorConn, event: 'tools:available', payload: list }];
  }

  /**
   * The policy or a role changed (the console saved it): every open tool the gate refuses now is
   * closed at once, the operator told why by the agent's tool.closed; and every running
   * assistance's operator is told what it may use now (the answer: those messages).
   */
  policyChanged(): Outgoing[] {
    for (const [sessionId, tools] of this.open) {
      const assistance = this.deps.assistance(sessionId);
      const operator = assistance && this.deps.operator(assistance.operatorId);
      if (!assistance || !operator) continue;
      for (const [toolId, { tool, userShell }] of tools) {
        const decision = this.deps.gate.decide({
          operator,
          role: this.deps.roleOf(operator.id),
          deviceId: assistance.deviceId,
          sessionId,
          mode: assistance.mode,
          tool,
          userShell,
        });
        if (!decision.allowed)
          this.deps.toAgent(sessionId, {
            event: 'tool:close',
            payload: { sessionId, toolId, reason: 'policy-changed' },
          });
      }
    }
    return this.deps.runningSessions().flatMap((sessionId) => this.announce(sessionId));
  }

  /**
   * The assistance moved: once its operator is out for good (released) or it is over, its tools
   * close (an over one's also by agent:stop-host, which ends every tool of the assistance).
   */
  stateChanged(sessionId: SessionId, state: LifecycleState): void {
    if (state.phase === 'active') return;
    for (const toolId of this.open.get(sessionId)?.keys() ?? [])
      this.deps.toAgent(sessionId, { event: 'tool:close', payload: { sessionId, toolId, reason: 'assistance-ended' } });
  }

  /** The assistance is over (any way): the agent closes everything on agent:stop-host; the relay forgets. */
  ended(sessionId: SessionId): void {
    const tools = this.open.get(sessionId);
    this.open.delete(sessionId);
    const assistance = this.deps.assistance(sessionId);
    const operator = assistance && this.deps.operator(assistance.operatorId);
    if (tools && assistance && operator) this.audit.assistanceEnded(operator, sessionId, assistance.deviceId, tools);
    this.audit.forget(sessionId);
  }

  /** The tools open in an assistance, as the user's indicator lists them. */
  openTools(sessionId: SessionId): { toolId: ToolId; tool: ToolKind }[] {
    return [...(this.open.get(sessionId) ?? [])]
      .filter(([, t]) => t.opened)
      .map(([toolId, t]) => ({ toolId, tool: t.tool }));
  }

  private openList(sessionId: SessionId): Outgoing[] {
    const hostConn = this.deps.parties(sessionId)?.hostConn;
    if (!hostConn) return [];
    return [{ to: hostConn, event: 'tool:open-list', payload: { sessionId, tools: this.openTools(sessionId) } }];
  }
}
