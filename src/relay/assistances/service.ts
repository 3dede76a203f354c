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
 */
import { randomBytes } from 'node:crypto';
import { ActivationClaims, activationFileContent, ACTIVATION_VERSION } from '../../shared/activation-file.js';
import type {
  ClientEventPayload,
  EndReason,
  OperatorIdentity,
  RelayErrorCode,
  SessionId,
} from '../../shared/protocol.js';
import type { AssistanceRequest, AssistanceResponse } from '../../shared/relay-api.js';
import { chooseDynamicMode, type DynamicChoice, type UserSession } from '../../shared/user-sessions.js';
import type { SigningKey } from '../activation/keys.js';
import { signActivation, verifyActivation } from '../activation/sign.js';
import { operatorActor, RELAY_ACTOR, type AuditActor, type AuditTrail } from '../audit/audit-trail.js';
import type { Clock } from '../clock.js';
import type { AgentHostRequest, AgentHosts } from './agent-hosts.js';
import type { DeviceIdentity, DeviceRegistry } from '../devices.js';
import type { RelayLogger } from '../log.js';
import { ended, relayError, type ConnId, type OperatorSender, type Outgoing, type Sender } from '../messages.js';
import type { PolicyGate } from '../policy/gate.js';
import { hashSecret, verifySecret } from '../secret-hash.js';
import { randomSessionId, SessionTable } from '../sessions.js';
import type { AssistanceRecord, RelayStore, ScryptParams } from '../store/store.js';
import { summarizeIssues } from '../validate.js';
import { MAX_PASSWORD_FAILURES, retryAfterMs } from './attempts.js';
import { generatePassword, normalizePassword } from './password.js';
import { DevicePresence } from './presence.js';
import { newResumeToken, resumeTokenMatches } from './resume-token.js';

export interface AssistanceSettings {
  /** The relay's URL as operators' apps reach it: the `relay` claim. */
  publicUrl: string;
  /** The `env` claim. */
  environment: string;
  /** The `iss` claim. */
  relayName: string;
  /** How long an activation file is accepted after it is issued. */
  activationLifetimeMs: number;
  /** How long after the operator's connection ends the assistance expires. */
  graceMs: number;
  /** How long an assistance's host has to come back after its connection dropped (default 60 s). */
  hostGraceMs: number;
  /** How long an assistance nobody was admitted to lives. */
  unconnectedLifetimeMs: number;
  /** Cost of the password hashes. */
  scrypt: ScryptParams;
}

/**
 * Refuses, before the relay starts, names that would make every activation file invalid
 * (the app checks the claims against the same schema). The public URL may be unknown yet.
 */
export function checkActivationNames(names: { publicUrl?: string; environment: string; relayName: string }): void {
  const schema = ActivationClaims.pick({ relay: true, env: true, iss: true }).partial({ relay: true });
  const checked = schema.safeParse({ relay: names.publicUrl, env: names.environment, iss: names.relayName });
  if (!checked.success)
    throw new Error(`invalid relay settings for activation files (${summarizeIssues(checked.error)})`);
}

export interface AssistanceDeps {
  store: RelayStore;
  devices: DeviceRegistry;
  key: SigningKey;
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
}

/** Who asked for an assistance: an operator's app (HTTP API) or the console. */
export type RequestChannel = 'api' | 'console';

export type CreateResult =
  | { ok: true; response: AssistanceResponse; out: Outgoing[] }
  | { ok: false; status: 404 | 409; code: 'unknown-device' | 'device-offline' | 'device-busy'; message: string }
  | { ok: false; status: 502; code: 'host-failed'; message: string }
  | { ok: false; status: 403; code: 'forbidden-by-policy'; message: string };

type OpenPayload = ClientEventPayload<'assistance:open'>;
type ResumePayload = ClientEventPayload<'session:resume'>;

/** An assistance that may still be opened, or why not (with any expiry it triggered). */
type Openable = { record: AssistanceRecord } | { refused: Outgoing[] };

const OPEN = 'assistance:open';
const RESUME = 'session:resume';

export class Assistances {
  readonly sessions: SessionTable;
  private readonly presence = new DevicePresence();
  /** Assistances whose agent is starting their host, until the host is in. */
  private readonly awaitingHost = new Map<SessionId, AgentHostRequest>();
  /** Opening attempts per session, one at a time, so that password checks cannot overtake the back-off. */
  private readonly queues = new Map<SessionId, Promise<unknown>>();

  constructor(private readonly deps: AssistanceDeps) {
    const { store, clock, logger } = deps;
    this.sessions = new SessionTable(() => this.unusedSessionId(), {
      admittedByConsent: (sessionId) => this.admittedByConsent(sessionId),
      released: (sessionId, resumable) => this.released(sessionId, resumable),
      hostGone: (sessionId) => this.finish(sessionId, 'host-closed', RELAY_ACTOR),
      hostAway: (sessionId) => this.hostAway(sessionId),
      hostBack: (sessionId) => store.updateAssistance(sessionId, { hostAwayUntil: null }),
    });
    // Their connections ended with the previous run; what they leave behind (used files, locks)
    // stays until their files expire.
    const ended = store.endLiveAssistances(clock.now());
    if (ended > 0) logger.info('assistances ended by the restart', { count: ended });
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

  /** POST /api/v1/assistances (or the console's), for an operator the API authenticated; the answer is audited. */
  async create(
    operator: OperatorIdentity,
    request: AssistanceRequest,
    via: RequestChannel = 'api',
  ): Promise<CreateResult> {
    const result = await this.issue(operator, request);
    const asked = {
      mode: request.mode,
      via,
      ...(request.userSessionId === undefined ? {} : { userSession: request.userSessionId }),
    };
    this.deps.audit.record(
      result.ok
        ? {
            actor: operatorActor(operator),
            action: 'assistance.requested',
            deviceId: request.deviceId,
            sessionId: result.response.sessionId,
            result: 'ok',
            detail: { ...asked, resolved: result.response.mode, modeReason: result.response.modeReason },
          }
        : {
            actor: operatorActor(operator),
            action: 'assistance.refused',
            deviceId: request.deviceId,
            result: 'denied',
            detail: { ...asked, code: result.code, reason: result.message },
          },
    );
    return result;
  }

  private async issue(operator: OperatorIdentity, request: AssistanceRequest): Promise<CreateResult> {
    const { store, clock, key, logger, settings } = this.deps;
    const { deviceId } = request;
    if (!this.deps.devices.has(deviceId))
      return {
        ok: false,
        status: 404,
        code: 'unknown-device',
        message: `no device ${deviceId} is enrolled on this relay`,
      };
    const refusal = this.deps.policy.refusal(
      deviceId,
      request.mode,
      request.userSessionId === undefined ? 'device' : 'session',
    );
    if (refusal) return { ok: false, status: 403, code: 'forbidden-by-policy', message: refusal };
    const offline = {
      ok: false,
      status: 409,
      code: 'device-offline',
      message: `device ${deviceId} is not connected to the relay`,
    } as const;
    // A device with an agent gets a host started for the assistance; others have theirs connected already.
    const agents = this.deps.agentHosts;
    const agent = agents.device(deviceId);
    if (agent ? !agent.online : !this.presence.connection(deviceId)) return offline;
    const choice = this.chooseMode(request, agent ? agent.userSessions : this.presence.userSessions(deviceId));
    const password = choice.mode === 'unattended' ? generatePassword() : undefined;
    const passwordHash = password === undefined ? null : await hashSecret(normalizePassword(password), settings.scrypt);

    // For a connected host nothing awaits from here to the table, so it cannot vanish half-way;
    // an agent's host is waited for below, and the agent leaving meanwhile fails the request.
    const host = agent ? null : this.presence.connection(deviceId);
    if (!agent && !host) return offline;
    if (host && this.sessions.hostOccupied(host.conn)) {
      return {
        ok: false,
        status: 409,
        code: 'device-busy',
        message: `an operator is in a session on device ${deviceId}`,
      };
    }
    const superseded = host && this.sessions.assistanceOfHost(host.conn);
    const out: Outgoing[] = superseded ? this.finish(superseded, 'superseded', RELAY_ACTOR) : [];
    const now = clock.now();
    const sessionId = this.sessions.freeSessionId();
    const nonce = randomBytes(16).toString('base64url');
    const iat = Math.floor(now / 1000);
    const exp = Math.floor((now + settings.activationLifetimeMs) / 1000);
    store.insertAssistance({
      sessionId,
      deviceId,
      operatorId: operator.id,
      mode: choice.mode,
      nonce,
      password: passwordHash,
      createdAt: now,
      activationExpiresAt: exp * 1000,
      expiresAt: now + settings.unconnectedLifetimeMs,
      nonceUsedAt: null,
      resumeHash: null,
      failures: 0,
      lastFailureAt: null,
      lockedAt: null,
      endedAt: null,
      endReason: null,
      hostResumeHash: null,
      hostAwayUntil: null,
    });
    const prepared = {
      sessionId,
      mode: choice.mode,
      operator,
      audio: this.deps.policy.audioAllowed(deviceId),
    };
    if (host) out.push(...this.prepareHost(host.conn, { ...prepared, deviceName: host.name }));
    else if (agent) {
      const userSessionId = choice.userSessionId ?? request.userSessionId;
      const failed = await this.startAgentHost(agents, deviceId, {
        ...prepared,
        deviceName: agent.name,
        userSessionId,
      });
      if (failed) return failed;
    }
    logger.info('assistance created', {
      session: sessionId,
      device: deviceId,
      operator: operator.id,
      mode: choice.mode,
      requested: request.mode,
    });

    const claims: ActivationClaims = {
      v: ACTIVATION_VERSION,
      relay: settings.publicUrl,
      sid: sessionId,
      mode: choice.mode,
      requested: request.mode,
      env: settings.environment,
      iss: settings.relayName,
      sub: operator.id,
      iat,
      exp,
      nonce,
    };
    const token = await signActivation(key, claims);
    const response: AssistanceResponse = {
      sessionId,
      mode: choice.mode,
      modeReason: choice.reason,
      ...(password === undefined ? {} : { password }),
      activation: { fileName: `flxra-${sessionId}.flxra`, content: activationFileContent(token) },
      expiresAt: new Date(exp * 1000).toISOString(),
    };
    return { ok: true, response, out };
  }

  /**
   * Has the device's agent start the host and waits until it is in (agentHostArrived), so that the
   * user has been told before the operator gets the file. If it cannot, the assistance ends
   * before anyone got its file, and the operator learns why.
   */
  private async startAgentHost(
    agents: AgentHosts,
    deviceId: string,
    request: AgentHostRequest,
  ): Promise<CreateResult | null> {
    const { sessionId } = request;
    this.awaitingHost.set(sessionId, request);
    try {
      await agents.startHost(deviceId, request);
      return null;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      // Nobody has its file yet and its host never came: nothing to tell, only to record.
      this.finish(sessionId, 'host-failed', RELAY_ACTOR, { message });
      return {
        ok: false,
        status: 502,
        code: 'host-failed',
        message: `the device could not start the assistance: ${message}`,
      };
    } finally {
      this.awaitingHost.delete(sessionId);
    }
  }

  /**
   * A host an agent started presented its token: it joins its assistance's session (null: that
   * assistance is not waiting for it).
   */
  agentHostArrived(conn: ConnId, sessionId: SessionId): Outgoing[] | null {
    const request = this.awaitingHost.get(sessionId);
    if (!request) return null;
    this.awaitingHost.delete(sessionId);
    const out = this.prepareHost(conn, request);
    this.deps.agentHosts.arrived(sessionId, conn);
    return out;
  }

  /** The host's place in its assistance, and the token it comes back with after a drop (only its hash is kept). */
  private prepareHost(
    conn: ConnId,
    request: Omit<Parameters<SessionTable['prepareAssistance']>[1], 'hostResumeToken'>,
  ) {
    const { token, hash } = newResumeToken();
    this.deps.store.updateAssistance(request.sessionId, { hostResumeHash: hash });
    return this.sessions.prepareAssistance(conn, { ...request, hostResumeToken: token });
  }

  /**
   * For the handshake of a host back from a dropped connection: whether its resume token is the
   * one its assistance gave it. An assistance that ended meanwhile still recognises its host, so
   * that it can be told how it ended (hostResumed).
   */
  hostResumeValid(sessionId: SessionId, token: string): { deviceId: string } | null {
    const record = this.deps.store.getAssistance(sessionId);
    if (!record?.hostResumeHash || !resumeTokenMatches(token, record.hostResumeHash)) return null;
    return { deviceId: record.deviceId };
  }

  /**
   * A host whose resume token the handshake accepted is connected: back in its session, or told
   * how its assistance ended while it was away (then `close`: its connection has nothing to do).
   */
  hostResumed(conn: ConnId, sessionId: SessionId): { out: Outgoing[]; close: ConnId[] } {
    const record = this.deps.store.getAssistance(sessionId);
    const back = record && record.endedAt === null ? this.sessions.hostBack(conn, sessionId) : null;
    if (!back) return { out: [ended(conn, sessionId, record?.endReason ?? 'host-lost')], close: [conn] };
    this.deps.logger.info('assistance host back', { session: sessionId, socket: conn });
    return { out: back.out, close: back.replaced === null ? [] : [back.replaced] };
  }

  /** The host's connection dropped: it has the grace period to come back before the assistance ends. */
  private hostAway(sessionId: SessionId): void {
    const { store, clock, settings, logger } = this.deps;
    store.updateAssistance(sessionId, { hostAwayUntil: clock.now() + settings.hostGraceMs });
    logger.info('assistance host away', { session: sessionId, graceMs: settings.hostGraceMs });
  }

  /** The device's agent disconnected: these assistances end, and both sides are told why. */
  endForAgent(sessionIds: SessionId[]): Outgoing[] {
    return sessionIds.flatMap((sessionId) => this.finish(sessionId, 'agent-restarted', RELAY_ACTOR));
  }

  /**
   * The policy changed: assistances on devices where it now allows no assistance at all end at
   * once, whether an operator is in yet or not (their files are dead, even if the policy is
   * switched back on), and both sides are told why. openVerified checks the policy again for
   * an assistance that races this.
   */
  endWherePolicyForbids(changedBy: AuditActor): Outgoing[] {
    const gate = this.deps.policy;
    return this.endRunning(changedBy, (record) => {
      const refusal = gate.noneAllowed(record.deviceId);
      return refusal ? { reason: 'policy-changed', detail: { policy: refusal } } : null;
    });
  }

  /** The operator's access was revoked (their console account removed): what was issued to them ends now. */
  endForRevokedOperator(operatorId: string, revokedBy: AuditActor): Outgoing[] {
    return this.endRunning(revokedBy, (record) =>
      record.operatorId === operatorId ? { reason: 'operator-revoked', detail: {} } : null,
    );
  }

  /** Ends the running (or starting) assistances `why` names a reason for, audited as `actor`'s doing. */
  private endRunning(
    actor: AuditActor,
    why: (record: AssistanceRecord) => { reason: EndReason; detail: Record<string, string> } | null,
  ): Outgoing[] {
    const running = new Set([...this.sessions.assistanceIds(), ...this.awaitingHost.keys()]);
    return [...running].flatMap((sessionId) => {
      const record = this.deps.store.getAssistance(sessionId);
      if (!record || record.endedAt !== null) return [];
      const ending = why(record);
      return ending ? this.finish(sessionId, ending.reason, actor, ending.detail) : [];
    });
  }

  /** assistance:open: the operator's app presents the file's token (and the password, unattended). */
  async open(sender: Sender, payload: OpenPayload): Promise<Outgoing[]> {
    if (sender.role !== 'operator')
      return [relayError(sender.conn, 'forbidden', OPEN, 'only operators open assistances')];
    const claims = await verifyActivation(this.deps.key, payload.activation);
    if (!claims)
      return [
        relayError(sender.conn, 'activation-invalid', OPEN, 'this is not an activation file signed by this relay'),
      ];
    if (this.deps.clock.now() >= claims.exp * 1000) {
      return [
        relayError(
          sender.conn,
          'activation-expired',
          OPEN,
          'this activation file has expired; request a new assistance',
        ),
      ];
    }
    if (claims.sub !== sender.operator.id) {
      return [
        relayError(sender.conn, 'not-your-activation', OPEN, 'this activation file was issued to another operator'),
      ];
    }
    return this.oneAtATime(claims.sid, () => this.openVerified(sender, claims, payload.password));
  }

  /** session:resume: an admitted operator back from a network drop, with the token of its admission. */
  resume(sender: Sender, { sessionId, resumeToken }: ResumePayload): Outgoing[] {
    if (sender.role !== 'operator')
      return [relayError(sender.conn, 'forbidden', RESUME, 'only operators resume sessions')];
    const record = this.deps.store.getAssistance(sessionId);
    const over = relayError(sender.conn, 'session-expired', RESUME, 'this assistance is over; request a new one');
    // Revoked (someone ended the session on purpose) or never admitted: nothing to resume.
    if (!record?.resumeHash) return [over];
    if (record.operatorId !== sender.operator.id || !resumeTokenMatches(resumeToken, record.resumeHash)) {
      return [relayError(sender.conn, 'forbidden', RESUME, 'this resume token is not valid for you in this session')];
    }
    const expiry = this.expireIfDue(record);
    if (expiry || record.endedAt !== null) return [...(expiry ?? []), over];
    const out = this.sessions.resume(sender, sessionId);
    if (!out) return [over];
    this.deps.store.updateAssistance(sessionId, { expiresAt: null });
    this.deps.logger.info('assistance resumed', {
      session: sessionId,
      operator: sender.operator.id,
      socket: sender.conn,
    });
    return out;
  }

  /** Expires every assistance whose time is up and forgets those nothing can present any more. */
  sweep(): Outgoing[] {
    const { store, clock } = this.deps;
    const now = clock.now();
    const out = store.dueAssistances(now).flatMap((sessionId) => this.expire(sessionId));
    for (const sessionId of store.hostsAwayTooLong(now)) out.push(...this.finish(sessionId, 'host-lost', RELAY_ACTOR));
    store.purgeAssistances(now);
    return out;
  }

  private async openVerified(
    sender: OperatorSender,
    claims: ActivationClaims,
    password: string | undefined,
  ): Promise<Outgoing[]> {
    const found = this.openable(sender.conn, claims);
    if ('refused' in found) return found.refused;
    const { record } = found;
    // The policy may have changed since the file was issued (remote assistance switched off).
    const refusal = this.deps.policy.refusal(record.deviceId, claims.requested, 'device');
    if (refusal) {
      this.deps.audit.record({
        actor: operatorActor(sender.operator),
        action: 'assistance.refused',
        deviceId: record.deviceId,
        sessionId: record.sessionId,
        result: 'denied',
        detail: { mode: claims.requested, stage: 'open', reason: refusal },
      });
      return [relayError(sender.conn, 'forbidden', OPEN, refusal)];
    }
    if (record.mode === 'attended') return this.sessions.openAttended(sender, record.sessionId);
    if (!record.password) throw new Error(`unattended assistance ${record.sessionId} has no password hash`);
    if (password === undefined) {
      return [relayError(sender.conn, 'password-required', OPEN, 'this unattended assistance needs its password')];
    }
    const wait = retryAfterMs(record, this.deps.clock.now());
    if (wait > 0) {
      return [
        relayError(sender.conn, 'retry-later', OPEN, 'too soon after a wrong password; try again later', {
          retryAfterMs: wait,
        }),
      ];
    }
    const right = await verifySecret(normalizePassword(password), record.password);
    // While the hash ran the assistance may have ended (its device left, or its time ran out).
    const current = this.openable(sender.conn, claims);
    if ('refused' in current) return current.refused;
    return right ? this.admitUnattended(sender, current.record) : this.passwordFailed(sender, current.record);
  }

  /** Checks, in order, that the file's assistance exists, is unused, unlocked and not over. */
  private openable(conn: ConnId, claims: ActivationClaims): Openable {
    const record = this.deps.store.getAssistance(claims.sid);
    const refuse = (code: RelayErrorCode, message: string, before: Outgoing[] = []): Openable => ({
      refused: [...before, relayError(conn, code, OPEN, message)],
    });
    const over = 'this assistance is over; request a new one';
    if (!record || record.nonce !== claims.nonce) return refuse('session-expired', over);
    if (record.nonceUsedAt !== null)
      return refuse('activation-used', 'this activation file has been used already; request a new assistance');
    if (record.lockedAt !== null)
      return refuse('locked', 'too many wrong passwords: this assistance is locked; request a new one');
    const expiry = this.expireIfDue(record);
    if (expiry || record.endedAt !== null) return refuse('session-expired', over, expiry ?? []);
    return { record };
  }

  private admitUnattended(sender: OperatorSender, record: AssistanceRecord): Outgoing[] {
    const { token, hash } = newResumeToken();
    const out = this.sessions.admitUnattended(sender, record.sessionId, token);
    if (!out) return [relayError(sender.conn, 'session-busy', OPEN, 'another operator is already in this session')];
    this.consume(record.sessionId, hash, 'password');
    return out;
  }

  private passwordFailed(sender: OperatorSender, record: AssistanceRecord): Outgoing[] {
    const now = this.deps.clock.now();
    const failures = record.failures + 1;
    const locked = failures >= MAX_PASSWORD_FAILURES;
    this.deps.store.updateAssistance(record.sessionId, {
      failures,
      lastFailureAt: now,
      ...(locked ? { lockedAt: now } : {}),
    });
    this.deps.logger.warn(locked ? 'assistance locked' : 'assistance password refused', {
      session: record.sessionId,
      operator: sender.operator.id,
      failures,
    });
    this.deps.audit.record({
      actor: operatorActor(sender.operator),
      action: locked ? 'assistance.locked' : 'password.failed',
      deviceId: record.deviceId,
      sessionId: record.sessionId,
      result: locked ? 'locked' : 'failed',
      detail: { failures },
    });
    if (locked)
      return [
        relayError(
          sender.conn,
          'locked',
          OPEN,
          'too many wrong passwords: this assistance is locked; request a new one',
        ),
      ];
    const attemptsLeft = MAX_PASSWORD_FAILURES - failures;
    return [
      relayError(sender.conn, 'wrong-password', OPEN, `wrong password; ${attemptsLeft} attempts left`, {
        attemptsLeft,
      }),
    ];
  }

  /** The user allowed the waiting operator of an attended assistance in. */
  private admittedByConsent(sessionId: SessionId): string {
    const { token, hash } = newResumeToken();
    this.consume(sessionId, hash, 'consent');
    return token;
  }

  /**
   * The first admission: the file is used up, the resume token replaces it, and no deadline runs
   * while the operator is in.
   */
  private consume(sessionId: SessionId, resumeHash: Buffer, by: 'consent' | 'password'): void {
    this.deps.store.updateAssistance(sessionId, { nonceUsedAt: this.deps.clock.now(), resumeHash, expiresAt: null });
    this.deps.logger.info('assistance admitted', { session: sessionId, by });
  }

  /** The operator's connection ended: the grace period starts (if not already running). */
  private released(sessionId: SessionId, resumable: boolean): void {
    const { store, clock, settings } = this.deps;
    const record = store.getAssistance(sessionId);
    if (!record) return;
    store.updateAssistance(sessionId, {
      expiresAt: record.expiresAt ?? clock.now() + settings.graceMs,
      ...(resumable ? {} : { resumeHash: null }),
    });
  }

  /** Expires it now if its deadline has passed; the messages that causes, or null. */
  private expireIfDue(record: AssistanceRecord): Outgoing[] | null {
    const due = record.endedAt === null && record.expiresAt !== null && record.expiresAt <= this.deps.clock.now();
    return due ? this.expire(record.sessionId) : null;
  }

  private expire(sessionId: SessionId): Outgoing[] {
    return this.finish(sessionId, 'expired', RELAY_ACTOR);
  }

  /**
   * The one way an assistance ends, whatever ended it: over for good in the store (the record
   * stays, with its used file and lock, until its file has expired), its host stopped by its
   * agent, both sides told, and an audit row naming who or what ended it. The messages to
   * deliver; none if it was over already.
   */
  finish(sessionId: SessionId, reason: EndReason, actor: AuditActor, detail: Record<string, string> = {}): Outgoing[] {
    const { store, clock, logger, audit } = this.deps;
    const record = store.getAssistance(sessionId);
    if (!record || record.endedAt !== null) return [];
    store.updateAssistance(sessionId, { endedAt: clock.now(), endReason: reason, hostAwayUntil: null });
    this.awaitingHost.delete(sessionId);
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
    return expired ? this.sessions.expire(sessionId) : this.sessions.endAssistance(sessionId, reason);
  }

  private chooseMode(request: AssistanceRequest, sessions: UserSession[]): DynamicChoice {
    if (request.mode === 'dynamic') return chooseDynamicMode(sessions, request.userSessionId);
    return request.mode === 'attended'
      ? { mode: 'attended', reason: 'attended was requested: the user is asked for consent' }
      : { mode: 'unattended', reason: 'unattended was requested: opened with the one-time password, without consent' };
  }

  /** Unique among live sessions (the table checks those) and among assistances the store remembers. */
  private unusedSessionId(): SessionId {
    const draw = this.deps.newSessionId ?? randomSessionId;
    let id = draw();
    while (this.deps.store.getAssistance(id)) id = draw();
    return id;
  }

  private oneAtATime<T>(sessionId: SessionId, task: () => Promise<T>): Promise<T> {
    const run = (this.queues.get(sessionId) ?? Promise.resolve()).then(task);
    const settled = run.catch(() => undefined);
    this.queues.set(sessionId, settled);
    void settled.then(() => {
      if (this.queues.get(sessionId) === settled) this.queues.delete(sessionId);
    });
    return run;
  }
}
