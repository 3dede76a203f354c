/**
 * Creating an assistance (POST /api/v1/assistances, or the console's): the device and the
 * policy are checked, the mode chosen (dynamic from the device's user sessions), the
 * assistance stored, its host given its place (a connected host at once; on an agent's device
 * one is started and waited for), and the signed activation file (with, unattended, the
 * one-time password) returned; every answer is audited. Kept apart from opening because it
 * runs on the operator's HTTP request, not on its relay connection.
 */
import { randomBytes } from 'node:crypto';
import { ActivationClaims, activationFileContent, ACTIVATION_VERSION } from '../../shared/activation-file.js';
import type { OperatorIdentity, SessionId } from '../../shared/protocol.js';
import type { AssistanceRequest, AssistanceResponse } from '../../shared/relay-api.js';
import { chooseDynamicMode, type DynamicChoice, type UserSession } from '../../shared/user-sessions.js';
import type { ActivationKeys } from '../activation/keys.js';
import { signActivation } from '../activation/sign.js';
import { operatorActor, RELAY_ACTOR, type AuditTrail } from '../audit/audit-trail.js';
import type { Clock } from '../clock.js';
import type { DeviceRegistry } from '../devices.js';
import type { RelayLogger } from '../log.js';
import type { ConnId, Outgoing } from '../messages.js';
import type { PolicyGate } from '../policy/gate.js';
import { hashSecret } from '../secret-hash.js';
import type { SessionTable } from '../sessions.js';
import type { RelayStore } from '../store/store.js';
import type { AgentHostRequest, AgentHosts } from './agent-hosts.js';
import type { Finish } from './ending.js';
import type { HostPlace } from './host-place.js';
import { UNUSED_ASSISTANCE } from './lifecycle.js';
import type { AssistanceLifecycles } from './lifecycles.js';
import { generatePassword, normalizePassword } from './password.js';
import type { DevicePresence } from './presence.js';
import type { AssistanceSettings } from './settings.js';

/** Who asked for an assistance: an operator's app (HTTP API) or the console. */
export type RequestChannel = 'api' | 'console';

export type CreateResult =
  | { ok: true; response: AssistanceResponse; out: Outgoing[] }
  | { ok: false; status: 404 | 409; code: 'unknown-device' | 'device-offline' | 'device-busy'; message: string }
  | { ok: false; status: 502; code: 'host-failed'; message: string }
  | { ok: false; status: 403; code: 'forbidden-by-policy'; message: string };

export interface IssueDeps {
  store: RelayStore;
  devices: DeviceRegistry;
  /** The relay's signing keys (the active one signs, those still verifying check). */
  key: ActivationKeys;
  clock: Clock;
  logger: RelayLogger;
  settings: Pick<
    AssistanceSettings,
    'publicUrl' | 'environment' | 'relayName' | 'activationLifetimeMs' | 'unconnectedLifetimeMs' | 'scrypt'
  >;
  agentHosts: AgentHosts;
  policy: PolicyGate;
  audit: AuditTrail;
  /** The devices whose host connects by itself, and what they report. */
  presence: DevicePresence;
  sessions: SessionTable;
  hosts: HostPlace;
  /** Each assistance's state: created here, and waiting for the host its agent starts. */
  lifecycles: AssistanceLifecycles;
  finish: Finish;
}

export class Issuer {
  constructor(private readonly deps: IssueDeps) {}

  /** POST /api/v1/assistances (or the console's), for an operator the API authenticated; the answer is audited. */
  async create(operator: OperatorIdentity, request: AssistanceRequest, via: RequestChannel): Promise<CreateResult> {
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

  /**
   * A host an agent started presented its token: it joins its assistance's session (null: that
   * assistance is not waiting for it).
   */
  agentHostArrived(conn: ConnId, sessionId: SessionId): Outgoing[] | null {
    const request = this.deps.lifecycles.awaitedHost(sessionId);
    if (!request) return null;
    const out = this.deps.hosts.prepareHost(conn, request);
    this.deps.agentHosts.arrived(sessionId, conn);
    return out;
  }

  private async issue(operator: OperatorIdentity, request: AssistanceRequest): Promise<CreateResult> {
    const { store, clock, key, logger, settings, presence, sessions, lifecycles } = this.deps;
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
    if (agent ? !agent.online : !presence.connection(deviceId)) return offline;
    const choice = chooseMode(request, agent ? agent.userSessions : presence.userSessions(deviceId));
    const password = choice.mode === 'unattended' ? generatePassword() : undefined;
    const passwordHash = password === undefined ? null : await hashSecret(normalizePassword(password), settings.scrypt);

    // For a connected host nothing awaits from here to the table, so it cannot vanish half-way;
    // an agent's host is waited for below, and the agent leaving meanwhile fails the request.
    const host = agent ? null : presence.connection(deviceId);
    if (!agent && !host) return offline;
    if (host && sessions.hostOccupied(host.conn)) {
      return {
        ok: false,
        status: 409,
        code: 'device-busy',
        message: `an operator is in a session on device ${deviceId}`,
      };
    }
    const superseded = host && sessions.assistanceOfHost(host.conn);
    const out: Outgoing[] = superseded ? this.deps.finish(superseded, 'superseded', RELAY_ACTOR) : [];
    const now = clock.now();
    const sessionId = sessions.freeSessionId();
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
      ...UNUSED_ASSISTANCE,
    });
    lifecycles.begin(sessionId);
    const prepared = {
      sessionId,
      mode: choice.mode,
      operator,
      audio: this.deps.policy.audioAllowed(deviceId),
    };
    if (host) out.push(...this.deps.hosts.prepareHost(host.conn, { ...prepared, deviceName: host.name }));
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
      device: { id: deviceId, name: (host?.name ?? agent?.name ?? deviceId).slice(0, 128) },
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
    this.deps.lifecycles.hostRequested(sessionId, request);
    try {
      await agents.startHost(deviceId, request);
      return null;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      // Nobody has its file yet and its host never came: nothing to tell, only to record.
      this.deps.finish(sessionId, 'host-failed', RELAY_ACTOR, { message });
      return {
        ok: false,
        status: 502,
        code: 'host-failed',
        message: `the device could not start the assistance: ${message}`,
      };
    }
  }
}

function chooseMode(request: AssistanceRequest, sessions: UserSession[]): DynamicChoice {
  if (request.mode === 'dynamic') return chooseDynamicMode(sessions, request.userSessionId);
  return request.mode === 'attended'
    ? { mode: 'attended', reason: 'attended was requested: the user is asked for consent' }
    : { mode: 'unattended', reason: 'unattended was requested: opened with the one-time password, without consent' };
}
