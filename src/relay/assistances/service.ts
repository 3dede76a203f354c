/**
 * Assistances: an operator asks for one on an enrolled device (create), gets a signed
 * activation file (and, unattended, a one-time password shown only to it), then opens it from
 * its app (open); the first admission consumes the file and yields a resume token for network
 * drops (resume); 15 minutes after the operator's connection ends, or if nobody ever gets in,
 * the assistance expires (sweep, and lazily whenever one is touched).
 *
 * The persistent facts (used files, password failures and locks, resume token hashes,
 * deadlines) live in the store so that a restart forgives nothing; who is connected where lives
 * in the session table, which this class owns and hooks into.
 *
 * This class is the assistance layer's one entry point and wires its parts, each given only
 * what it needs, in dependency order: the host's place (host-place.ts), the ends (ending.ts),
 * creation (issue.ts) and the operator's way in (opening.ts). It keeps finish(), the one way an
 * assistance ends: every part that ends one calls it.
 */
import type { ClientEventPayload, EndReason, OperatorIdentity, SessionId } from '../../shared/protocol.js';
import type { AssistanceRequest } from '../../shared/relay-api.js';
import type { UserSession } from '../../shared/user-sessions.js';
import type { ActivationKeys } from '../activation/keys.js';
import { RELAY_ACTOR, type AuditActor, type AuditTrail } from '../audit/audit-trail.js';
import type { Clock } from '../clock.js';
import type { DeviceIdentity, DeviceRegistry } from '../devices.js';
import type { RelayLogger } from '../log.js';
import { relayError, type ConnId, type Outgoing, type Sender } from '../messages.js';
import type { PolicyGate } from '../policy/gate.js';
import { bothObservers, type SessionObserver } from '../session-model.js';
import { randomSessionId, SessionTable } from '../sessions.js';
import type { AssistanceRecord, RelayStore } from '../store/store.js';
import type { AgentHosts } from './agent-hosts.js';
import { Endings } from './ending.js';
import { HostPlace } from './host-place.js';
import { Issuer, type CreateResult, type RequestChannel } from './issue.js';
import { isOver } from './lifecycle.js';
import type { AssistanceLifecycles } from './lifecycles.js';
import { Opening, type OpeningDeps } from './opening.js';
import { carryOverRunning } from './restart.js';
import { adoptOrphans, ownership, type Ownership, type TakeOverDeps } from './takeover.js';
import type { CreatedElsewhere, ForwardedCreate } from '../cluster.js';
import { DevicePresence } from './presence.js';
import type { AssistanceSettings } from './settings.js';

export { checkActivationNames, type AssistanceSettings } from './settings.js';
export type { CreateResult, RequestChannel } from './issue.js';

export interface AssistanceDeps {
  store: RelayStore;
  devices: DeviceRegistry;
  /** The relay's signing keys (the active one signs, those still verifying check). */
  key: ActivationKeys;
  clock: Clock;
  logger: RelayLogger;
  settings: AssistanceSettings;
  /** Draws session IDs (tests script it); randomSessionId by default. */
  newSessionId?: () => SessionId;
  /** Devices managed by an agent, which starts their hosts on request. */
  agentHosts: AgentHosts;
  /** The remote-assistance policy, checked on every request and again when a file is opened. */
  policy: PolicyGate;
  /** Where requests, refusals, password failures, ends and expiries are recorded. */
  audit: AuditTrail;
  /** Told by the session table of consent decisions and connections (audit/session-events.ts). */
  sessionObserver: SessionObserver;
  /** The one owner of each assistance's state (lifecycles.ts), built before the agent hub that reports to it. */
  lifecycles: AssistanceLifecycles;
  /** This node's name among several (--node with --redis); null for one relay. */
  node?: string | null;
  /** Whether an operator in the browser may open this device's assistance: null, or the refusal in words. */
  browserOperators?: OpeningDeps['browserOperators'];
}

export class Assistances {
  readonly sessions: SessionTable;
  /** How many assistances the last run left running were carried over this start. */
  readonly carriedOver: number;
  private readonly presence = new DevicePresence();
  private readonly hosts: HostPlace;
  private readonly endings: Endings;
  private readonly issuer: Issuer;
  private readonly opening: Opening;
  private readonly takeOverDeps: TakeOverDeps | null;
  private elsewhere: ((create: ForwardedCreate) => Promise<CreatedElsewhere | null>) | null = null;

  constructor(private readonly deps: AssistanceDeps) {
    const { store, devices, key, clock, logger, settings, agentHosts, policy, audit, lifecycles } = deps;
    // The table's hooks run only once connections come, after every part below exists.
    this.sessions = new SessionTable(
      () => this.unusedSessionId(),
      {
        admittedByConsent: (sessionId, mode) => this.opening.admittedByConsent(sessionId, mode),
        modeChanged: (sessionId, accessMode) => store.updateAssistance(sessionId, { accessMode }),
        released: (sessionId, resumable) => this.endings.released(sessionId, resumable),
        hostGone: (sessionId) => this.finish(sessionId, 'host-closed', RELAY_ACTOR),
        hostAway: (sessionId) => this.hosts.hostAway(sessionId),
        hostBack: (sessionId) => this.hosts.hostBack(sessionId),
      },
      bothObservers(lifecycles.sessionObserver(), deps.sessionObserver),
    );
    const { sessions, presence } = this;
    const finish = (sessionId: SessionId, reason: EndReason, actor: AuditActor, detail?: Record<string, string>) =>
      this.finish(sessionId, reason, actor, detail);
    this.hosts = new HostPlace({ store, clock, logger, settings, sessions, lifecycles });
    this.endings = new Endings({ store, clock, settings, policy, lifecycles, finish });
    const { hosts, endings } = this;
    this.issuer = new Issuer({
      store,
      devices,
      key,
      clock,
      logger,
      settings,
      agentHosts,
      policy,
      audit,
      presence,
      sessions,
      hosts,
      lifecycles,
      finish,
    });
    const expireIfDue = (record: AssistanceRecord) => endings.expireIfDue(record);
    const { browserOperators } = deps;
    this.opening = new Opening({
      store,
      key,
      clock,
      logger,
      policy,
      audit,
      sessions,
      lifecycles,
      expireIfDue,
      ...(browserOperators ? { browserOperators } : {}),
    });
    // What the last run left running goes on: both sides come back by themselves (restart.ts).
    const carry = { store, clock, logger, settings, sessions, agentHosts, lifecycles, finish };
    this.carriedOver = carryOverRunning(carry);
    this.takeOverDeps = deps.node ? { ...carry, node: deps.node, audit } : null;
  }

  /**
   * Of several nodes: whether this node holds the assistance (taking it over from a node found
   * dead), another live node does, or none runs it (takeover.ts). One relay holds all it has.
   */
  ownership(sessionId: SessionId): Ownership {
    if (!this.takeOverDeps) return this.sessions.session(sessionId) ? 'here' : 'unknown';
    return ownership(this.takeOverDeps, sessionId);
  }

  deviceConnected(conn: ConnId, device: DeviceIdentity): void {
    this.presence.connected(conn, device);
  }

  deviceDisconnected(conn: ConnId, deviceId: string): void {
    this.presence.disconnected(conn, deviceId);
  }

  reportUserSessions(sender: Sender, sessions: UserSession[]): Outgoing[] {
    if (sender.role !== 'host' || sender.deviceId === undefined) {
      return [
        relayError(sender.conn, 'forbidden', 'device:user-sessions', 'only enrolled devices report user sessions'),
      ];
    }
    this.presence.report(sender.deviceId, sessions);
    return [];
  }

  /**
   * POST /api/v1/assistances (or the console's), for an operator the API authenticated; the answer
   * is audited. Of several nodes, an assistance on a device connected to another node is created
   * there (cluster.ts), where its agent or host is; here only when no node has it (the refusal).
   */
  async create(
    operator: OperatorIdentity,
    request: AssistanceRequest,
    via: RequestChannel = 'api',
  ): Promise<CreateResult> {
    if (this.elsewhere && !this.deviceHere(request.deviceId)) {
      const there = await this.elsewhere({ operator, request, via });
      if (there) return there.ok ? { ...there, out: [] } : there;
    }
    return this.issuer.create(operator, request, via);
  }

  /** Created on this node, whatever the other nodes have (a request another node forwarded). */
  createHere(operator: OperatorIdentity, request: AssistanceRequest, via: RequestChannel): Promise<CreateResult> {
    return this.issuer.create(operator, request, via);
  }

  /** Of several nodes: how to have an assistance created by the node a device is connected to. */
  createElsewhere(ask: (create: ForwardedCreate) => Promise<CreatedElsewhere | null>): void {
    this.elsewhere = ask;
  }

  /** Whether the device is connected to this node: its agent, or its host with its device token. */
  deviceHere(deviceId: string): boolean {
    const agent = this.deps.agentHosts.device(deviceId);
    return agent ? agent.online : this.presence.connection(deviceId) !== null;
  }

  /** A host an agent started presented its token (null: its assistance is not waiting for it). */
  agentHostArrived(conn: ConnId, sessionId: SessionId): Outgoing[] | null {
    return this.issuer.agentHostArrived(conn, sessionId);
  }

  /** assistance:open: the operator's app presents the file's token (and the password, unattended). */
  open(sender: Sender, payload: ClientEventPayload<'assistance:open'>): Promise<Outgoing[]> {
    return this.opening.open(sender, payload);
  }

  /** session:resume: an admitted operator back from a network drop, with the token of its admission. */
  resume(sender: Sender, payload: ClientEventPayload<'session:resume'>): Outgoing[] {
    return this.opening.resume(sender, payload);
  }

  /**
   * assistance:decline: the user declined from the request notice. Only the assistance's own host
   * connection may; it ends through finish() (the operator, if in, told; a file opened later is
   * refused saying so), audited as the user's doing.
   */
  decline(sender: Sender, sessionId: SessionId): Outgoing[] {
    if (sender.role !== 'host' || this.sessions.assistanceOfHost(sender.conn) !== sessionId)
      return [
        relayError(sender.conn, 'not-in-session', 'assistance:decline', `not the host of assistance ${sessionId}`),
      ];
    const deviceId = this.deviceOf(sessionId) ?? `session ${sessionId}`;
    return this.finish(sessionId, 'request-declined', { kind: 'user', id: deviceId, name: 'user at the device' });
  }

  /** For the handshake of a host back from a dropped connection: whether its resume token is valid. */
  hostResumeValid(sessionId: SessionId, token: string): { deviceId: string; deviceName: string } | null {
    return this.hosts.hostResumeValid(sessionId, token);
  }

  /** A host whose resume token the handshake accepted is connected: back in its session, or told how it ended. */
  hostResumed(conn: ConnId, sessionId: SessionId): { out: Outgoing[]; close: ConnId[] } {
    return this.hosts.hostResumed(conn, sessionId);
  }

  /** Expires every assistance whose time is up and forgets those nothing can present any more. */
  sweep(): Outgoing[] {
    // Of several nodes: first what silent nodes left, so that its deadlines run here (takeover.ts).
    if (this.takeOverDeps) adoptOrphans(this.takeOverDeps);
    return this.endings.sweep();
  }

  /** The device's agent disconnected (or did not come back after a relay restart): these assistances end. */
  endForAgent(sessionIds: SessionId[], reason: EndReason = 'agent-restarted'): Outgoing[] {
    return this.endings.endForAgent(sessionIds, reason);
  }

  /**
   * An administrator ends it from the console (the Assistances page's End): through finish(),
   * both sides told, audited with the administrator as actor. Null when it is over already or unknown.
   */
  endByAdmin(sessionId: SessionId, admin: AuditActor): Outgoing[] | null {
    const state = this.deps.lifecycles.state(sessionId);
    if (state === null || isOver(state)) return null;
    return this.finish(sessionId, 'ended-by-admin', admin);
  }

  /** The policy changed: assistances on devices where it now allows none end at once. */
  endWherePolicyForbids(changedBy: AuditActor): Outgoing[] {
    return this.endings.endWherePolicyForbids(changedBy);
  }

  /** The operator's access was revoked (their console account removed): what was issued to them ends now. */
  endForRevokedOperator(operatorId: string, revokedBy: AuditActor): Outgoing[] {
    return this.endings.endForRevokedOperator(operatorId, revokedBy);
  }

  /** The device was removed from the relay (or enrolled again: `agent-restarted`): its assistances end now. */
  endForRemovedDevice(
    deviceId: string,
    removedBy: AuditActor,
    reason?: Parameters<Endings['endForRemovedDevice']>[2],
  ): Outgoing[] {
    return this.endings.endForRemovedDevice(deviceId, removedBy, reason);
  }

  /** The device an assistance is for, if the relay knows the assistance. */
  deviceOf(sessionId: SessionId): string | null {
    return this.deps.store.getAssistance(sessionId)?.deviceId ?? null;
  }

  /**
   * The one way an assistance ends, whatever ended it: over for good in the store (the record
   * stays, with its used file and lock, until its file has expired), its host stopped by its
   * agent, both sides told, and an audit row naming who or what ended it. The messages to
   * deliver; none if it was over already.
   */
  finish(sessionId: SessionId, reason: EndReason, actor: AuditActor, detail: Record<string, string> = {}): Outgoing[] {
    const { store, clock, logger, audit, lifecycles } = this.deps;
    const over = { endedAt: clock.now(), endReason: reason, hostAwayUntil: null };
    if (!lifecycles.apply(sessionId, { type: 'finish', reason }, over).ok) return [];
    const record = store.getAssistance(sessionId);
    if (!record) throw new Error(`assistance ${sessionId} was running but is not stored`);
    this.deps.agentHosts.ended(sessionId);
    logger.info('assistance ended', { session: sessionId, reason });
    const expired = reason === 'expired';
    audit.record({
      actor,
      action: expired ? 'assistance.expired' : 'assistance.ended',
      deviceId: record.deviceId,
      sessionId,
      result: 'ok',
      ...(expired ? {} : { detail: { reason, ...detail } }),
    });
    return this.sessions.endAssistance(sessionId, reason);
  }

  /** Unique among live sessions (the table checks those) and among assistances the store remembers. */
  private unusedSessionId(): SessionId {
    const draw = this.deps.newSessionId ?? randomSessionId;
    let id = draw();
    while (this.deps.store.getAssistance(id)) id = draw();
    return id;
  }
}
