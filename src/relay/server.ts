/**
 * The relay server: an http server carrying socket.io and the HTTP app (src/relay/http/app.ts:
 * fastify with the operators' API and the console). It builds the relay's parts from its options
 * and its store, and hands the default namespace's clients to client-sockets.ts and the agents'
 * namespace to the agent hub; close() stops it so that the next run carries on.
 */
import { isIPv6, type AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { AGENT_NAMESPACE } from '../shared/agent-protocol.js';
import { ActivationKeys } from './activation/keys.js';
import { KeySetPublisher } from './activation/key-set.js';
import { openAgents } from './agents/index.js';
import type { EnrolmentTokens } from './agents/enrolment-tokens.js';
import type { AgentRegistry } from './agents/registry.js';
import { AssistanceLifecycles } from './assistances/lifecycles.js';
import { Assistances, checkActivationNames } from './assistances/service.js';
import { AuditTrail, RELAY_ACTOR } from './audit/audit-trail.js';
import { SessionEvents } from './audit/session-events.js';
import { createConsole } from './console/console.js';
import { DEFAULT_CONSOLE_DIR } from './console/handler.js';
import { PasswordCheck, type PasswordCheckStats } from './console/password-check.js';
import { monotonicClock, systemClock, type Clock } from './clock.js';
import { MachineTokens, type CredentialCheckStats } from './credentials/machine-tokens.js';
import { openTokenMac } from './credentials/pepper.js';
import { DeviceRegistry } from './devices.js';
import { registerOperatorApi } from './http/api.js';
import { createRelayHttp } from './http/app.js';
import { DEFAULT_HOST, DEFAULT_PORT } from './listen-defaults.js';
import { TrustedProxies } from './limits/client-address.js';
import { ClientGuard } from './limits/connections.js';
import { LogLimiter } from './limits/log-limiter.js';
import { resolveLimits, type RelayLimits } from './limits/settings.js';
import { createLogger, type RelayLogger } from './log.js';
import { Revocations } from './revocation.js';
import type { Outgoing } from './messages.js';
import { errorMessage, serveClients, type RelayServer } from './client-sockets.js';
import { OperatorRegistry } from './operators.js';
import { PolicyGate } from './policy/gate.js';
import { PolicySettingsStore } from './policy/policy-settings.js';
import { PolicyWatch } from './policy/policy-watch.js';
import { listen } from './http/listen.js';
import { Roles } from './policy/roles.js';
import { capabilityToolGate } from './tools/tool-gate.js';
import { ToolRelay } from './tools/tool-relay.js';
import { DEFAULT_SCRYPT } from './secret-hash.js';
import { openSqliteStore } from './store/sqlite-store.js';
import type { ScryptParams } from './store/store.js';
import type { RelayCounters } from '../shared/relay-counters.js';
import { createRelayServer, reloadTls, transportWarnings, type RelayTls } from './tls.js';

export { DEFAULT_HOST, DEFAULT_PORT };

const MINUTE = 60_000;
/** How often expired assistances are looked for (they are also checked whenever touched). */
const SWEEP_INTERVAL_MS = 10_000;

/**
 * The largest signal the protocol accepts is 80 kB of JSON; anything far beyond that is refused
 * by socket.io (closing the connection) before the relay spends time parsing it.
 */
const MAX_MESSAGE_BYTES = 256 * 1024;

export interface RelayOptions {
  host?: string;
  /** 0 picks a free port (tests). */
  port?: number;
  /** Where relay.db lives (with the signing key: keep it private); created if missing, made owner-only. */
  dataDir: string;
  /**
   * The token pepper, base64url (FLXRA_RELAY_TOKEN_PEPPER); default: the data folder's
   * token-pepper file, made at the first start (src/relay/credentials/pepper.ts).
   */
  tokenPepper?: string;
  logger?: RelayLogger;
  /** The URL operators' apps reach this relay at, named in activation files; default: the URL listened on. */
  publicUrl?: string;
  /** Environment (tenant) id put in activation files; default 'default'. */
  environment?: string;
  /** The relay's name, the files' issuer; default 'flxra relay'. */
  name?: string;
  /** How long an activation file is accepted; default 15 minutes. */
  activationLifetimeMs?: number;
  /** How long after the operator's connection ends an assistance expires; default 15 minutes. */
  assistanceGraceMs?: number;
  /** How long an assistance's host has to come back after its connection dropped; default 60 s. */
  hostGraceMs?: number;
  /** How long an assistance nobody got into lives; default 15 minutes. */
  unconnectedLifetimeMs?: number;
  /** Where time comes from; tests inject theirs. */
  clock?: Clock;
  /** Cost of new password hashes (console users, unattended passwords); only tests should lower it. */
  scrypt?: ScryptParams;
  /** Where the console's built pages are; default out/console (`npm run build:console`). */
  consoleDir?: string;
  /** How often device agents report when nothing changes; default 15 s. */
  agentHeartbeatMs?: number;
  /** How long an agent has to get the host of an assistance connected; default 30 s. */
  hostStartTimeoutMs?: number;
  /** How long assistances wait for their agent after its connection broke; default 60 s (src/relay/agents/hub.ts). */
  agentGraceMs?: number;
  /** What any one client may ask of the relay (src/relay/limits/settings.ts); each left out keeps its default. */
  limits?: Partial<RelayLimits>;
  /** Where the limits' time comes from (real, monotonic time by default); tests inject theirs. */
  limitClock?: Clock;
  /** Serve HTTPS and WSS with this certificate and key (src/relay/tls.ts); plain http without. */
  tls?: RelayTls;
}

export interface RelayHandle {
  /** http(s)://host:port actually listened on (the real port when 0 was asked). */
  url: string;
  port: number;
  /** What activation files name as the relay. */
  publicUrl: string;
  /** formatFingerprint of the active signing key, as administrators publish it (it changes with a rotation). */
  readonly keyFingerprint: string;
  /** The signing keys: rotate and revoke (as `relay keys` does), on the relay's clock. */
  signingKeys: ActivationKeys;
  operators: OperatorRegistry;
  devices: DeviceRegistry;
  /**
   * The one-time link that makes the console's first administrator (the relay command prints
   * it); null once an administrator exists.
   */
  setupUrl: string | null;
  /** The audit trail: record what happens, query what happened. */
  audit: AuditTrail;
  /** The capability matrix's roles and who has which; what each policy save switched off (the tool router listens). */
  roles: Roles;
  policyWatch: PolicyWatch;
  /** Enrolment tokens for device agents: `enrolment.create({ environmentId, reportGroup })`. */
  enrolment: EnrolmentTokens;
  /** The devices enrolled by agents, as they report themselves (online, last seen, user sessions). */
  agents: AgentRegistry;
  /** What the checks of machine tokens have cost so far: HMACs, comparisons, old scrypt rows. */
  credentialChecks(): CredentialCheckStats;
  /** What judging new console passwords has cost so far: dictionary loads, checks, the longest scored. */
  passwordChecks(): PasswordCheckStats;
  /** What the relay counts of its clients' load (sockets, queued bytes, refusals, log lines left out). */
  counters(): RelayCounters;
  /** What looks wrong in how it is reached (plain http on the network, its certificate), as logged at start. */
  warnings: string[];
  /** Takes a renewed certificate and key (`relay serve` on SIGHUP); refused by a relay serving plain http. */
  reloadTls(tls: RelayTls): void;
  /** Expires, now by the relay's clock, every assistance whose time is up (the relay also does so every 10 s). */
  sweep(): Promise<void>;
  /** Disconnects every client, stops listening and closes the store. Safe to call twice. */
  close(): Promise<void>;
}

export async function startRelay(opts: RelayOptions): Promise<RelayHandle> {
  const host = opts.host ?? DEFAULT_HOST;
  const limits = resolveLimits(opts.limits);
  const proxies = new TrustedProxies(limits.trustedProxies);
  const limitClock = opts.limitClock ?? monotonicClock;
  // Every part logs through the limiter: no client decides how fast the log grows.
  const log = new LogLimiter(opts.logger ?? createLogger(), limitClock, {
    linesPerWindow: limits.logLinesPerWindow,
    windowMs: limits.logWindowMs,
  });
  const logger: RelayLogger = log;
  const guard = new ClientGuard(limits, proxies, limitClock, logger);
  const clock = opts.clock ?? systemClock;
  const scrypt = opts.scrypt ?? DEFAULT_SCRYPT;
  const environment = opts.environment ?? 'default';
  const relayName = opts.name ?? 'flxra relay';
  checkActivationNames({
    ...(opts.publicUrl === undefined ? {} : { publicUrl: opts.publicUrl }),
    environment,
    relayName,
  });
  const http = createRelayServer(opts.tls, limits.headersTimeoutMs);
  const store = openSqliteStore(opts.dataDir);
  const activationLifetimeMs = opts.activationLifetimeMs ?? 15 * MINUTE;
  // Read from the store on every use: `relay keys rotate|revoke` on the same data dir apply at once.
  const key = new ActivationKeys(store, clock, { activationLifetimeMs });
  let tokenMac: ReturnType<typeof openTokenMac>;
  try {
    tokenMac = openTokenMac({
      dataDir: opts.dataDir,
      store,
      ...(opts.tokenPepper === undefined ? {} : { fromEnv: opts.tokenPepper }),
    });
    await key.signing();
    await listen(http, opts.port ?? DEFAULT_PORT, host);
  } catch (err) {
    store.close();
    throw err;
  }
  const port = (http.address() as AddressInfo).port;
  const url = `${opts.tls ? 'https' : 'http'}://${isIPv6(host) ? `[${host}]` : host}:${port}`;
  const publicUrl = opts.publicUrl ?? url;

  const machineTokens = new MachineTokens(tokenMac);
  const operators = new OperatorRegistry(store, machineTokens);
  const devices = new DeviceRegistry(store, machineTokens);
  const audit = new AuditTrail(store.audit, clock, logger);
  // A relay that ran on this data before (its heartbeat, or its start in the trail) is restarting.
  const restarted = store.lastAlive() !== null || audit.query({ action: 'relay.started', limit: 1 }).length > 0;
  const policy = new PolicySettingsStore(store);
  // Each assistance's state has one owner, which the session table, the hub and the ends all move.
  const lifecycles = new AssistanceLifecycles({ store, logger });
  const policyGate = new PolicyGate(policy, (deviceId) => agents.registry.get(deviceId));
  // Its callbacks run only once clients are connected, after `assistances` and `io` exist.
  const agents = openAgents({
    store: store.agents,
    tokenMac,
    devices,
    clock,
    logger,
    guard,
    heartbeatMs: opts.agentHeartbeatMs,
    hostStartTimeoutMs: opts.hostStartTimeoutMs,
    agentGraceMs: opts.agentGraceMs,
    endAssistances: (sessionIds, reason) => assistances.endForAgent(sessionIds, reason),
    deliver,
    disconnectHost: (conn) => io.sockets.sockets.get(conn)?.disconnect(true),
    // The agent saw the host's process end: not a network drop, so no grace.
    hostExited: (sessionId, deviceId) =>
      assistances.finish(sessionId, 'host-closed', { kind: 'device', id: deviceId, name: deviceId }),
    agentPresence: (sessionIds, present) => lifecycles.side(sessionIds, 'agent', present),
    // Acting on an agent's event re-checks that its device is still enrolled.
    deviceGone: (deviceId) => revocations.gone({ deviceId }),
    credentialReplaced: (deviceId) =>
      revocations.credentialReplaced(deviceId, { kind: 'device', id: deviceId, name: deviceId }),
    toolEvent: (sessionId, event) => tools.fromAgent(sessionId, event),
    toolsEnded: (sessionId) => tools.ended(sessionId),
    onEnrolled: ({ deviceId, hostname, reportGroup, agentVersion, reused }) =>
      audit.record({
        actor: { kind: 'device', id: deviceId, name: hostname },
        action: reused ? 'device.re-enrolled' : 'device.enrolled',
        deviceId,
        result: 'ok',
        detail: { reportGroup, agentVersion },
      }),
  });
  // Told by the session table of consent decisions and connections: the audit rows, the console's live state.
  const sessionEvents = new SessionEvents(audit, (conn, sessionId) => {
    const data = conn === null ? undefined : io.sockets.sockets.get(conn)?.data;
    return store.getAssistance(sessionId)?.deviceId ?? (data?.role === 'host' ? (data.device?.id ?? null) : null);
  });
  const assistances = new Assistances({
    store,
    devices,
    sessionObserver: sessionEvents,
    lifecycles,
    agentHosts: agents.hub,
    policy: policyGate,
    audit,
    key,
    clock,
    logger,
    settings: {
      publicUrl,
      environment,
      relayName,
      activationLifetimeMs,
      graceMs: opts.assistanceGraceMs ?? 15 * MINUTE,
      hostGraceMs: opts.hostGraceMs ?? MINUTE,
      unconnectedLifetimeMs: opts.unconnectedLifetimeMs ?? 15 * MINUTE,
      scrypt,
    },
  });
  // Tool traffic: operator ⇄ relay ⇄ the device's agent, checked here (src/relay/tools/).
  const roles = new Roles(store, clock);
  const tools = new ToolRelay({
    assistance(sessionId) {
      const record = store.getAssistance(sessionId);
      const state = lifecycles.state(sessionId);
      return record && state && { deviceId: record.deviceId, operatorId: record.operatorId, mode: record.mode, state };
    },
    parties: (sessionId) => assistances.sessions.parties(sessionId),
    operator(operatorId) {
      const record = store.getOperator(operatorId);
      return record && { id: record.id, name: record.name, organisation: record.organisation };
    },
    roleOf: (operatorId) => roles.ofOperator(operatorId),
    environmentOfOperator: (operatorId) => operators.environment(operatorId) ?? 'default',
    environmentOfDevice: (deviceId) => agents.registry.get(deviceId)?.environmentId ?? null,
    gate: capabilityToolGate((deviceId, role, capability, mode) =>
      policyGate.capability(deviceId, role, capability, mode),
    ),
    toAgent: agents.hub.sendTool,
    audit,
  });
  // Switching a tool off closes it at once, wherever the policy is saved from.
  policy.onChange(() => tools.policyChanged());
  // Released by its operator or over: its tools close at once.
  lifecycles.onChange((sessionId, state) => tools.stateChanged(sessionId, state));
  // Recorded as the relay's own doing: what ends because of a restart says so too (relay-restarted).
  audit.record({
    actor: RELAY_ACTOR,
    action: 'relay.started',
    result: 'ok',
    detail: restarted ? { restart: true, assistancesCarriedOver: assistances.carriedOver } : { restart: false },
  });
  const passwords = new PasswordCheck();
  const keySet = new KeySetPublisher(publicUrl, key, clock);
  const policyWatch = new PolicyWatch(agents.registry, roles);
  const relayConsole = createConsole({
    signingKeys: keySet,
    store,
    operators,
    assistances,
    devices: agents.registry,
    policy,
    policyWatch,
    roles,
    audit,
    clock,
    tokenMac,
    logger,
    scrypt,
    passwords,
    publicUrl,
    webDir: opts.consoleDir ?? DEFAULT_CONSOLE_DIR,
    deliver,
    revokeOperator: (operatorId, by) => revocations.revokeOperator(operatorId, by),
    removeDevice(deviceId, by) {
      if (!devices.has(deviceId)) return false;
      revocations.revokeDevice(deviceId, by);
      return true;
    },
    enrolment: agents.enrolment,
    environment,
    renameDevice: (deviceId, name) => agents.registry.has(deviceId) && devices.rename(deviceId, name),
    counters: () => counters(),
  });

  // Before socket.io attaches: engine.io passes on to the listeners present then the requests
  // that are not its own.
  const web = createRelayHttp(http, logger, (address) => proxies.trusts(address));
  registerOperatorApi(web.app, {
    operators,
    assistances,
    keys: keySet,
    deliver,
    enrol: agents.enrol,
  });
  const consoleRoutes = relayConsole.register(web.app);
  const io: RelayServer = new Server(http, {
    serveClient: false,
    maxHttpBufferSize: MAX_MESSAGE_BYTES,
    // The guard closes connections still pending at once (limits/connections.ts); socket.io's own
    // close, graceful, comes later, and would otherwise hold a polling client's up.
    connectTimeout: limits.pendingTimeoutMs + 5_000,
  });
  guard.attach(io.engine);
  agents.hub.attach(io.of(AGENT_NAMESPACE));
  // Removed operators and devices lose their connections and assistances, whoever removed them.
  const revocations = new Revocations({
    operators,
    devices,
    assistances,
    store,
    namespaces: () => [io.of('/'), io.of(AGENT_NAMESPACE)],
    deliver,
    logger,
  });
  revocations.watch();

  /** Set by close(): what connections leave behind is no longer written down (the next run carries on). */
  let stopping = false;
  const clients = serveClients(io, {
    registries: { operators, devices, hostTokens: agents.hub, hostResumes: assistances },
    assistances,
    tools,
    revocations,
    logger,
    guard,
    stopping: () => stopping,
  });
  function deliver(messages: Outgoing[]): void {
    clients.deliver(messages);
  }

  const sweep = async (): Promise<void> => deliver(assistances.sweep());
  const sweeper = setInterval(() => {
    sweep().catch((err: unknown) => logger.error('sweep failed', { error: errorMessage(err) }));
  }, SWEEP_INTERVAL_MS);
  sweeper.unref();
  // What the log left out is told once its window is over, even when nothing else is logged.
  const logRotation = setInterval(() => log.rotate(), limits.logWindowMs);
  logRotation.unref();

  await consoleRoutes;
  await web.ready();
  logger.info('listening', { url, publicUrl });
  const warnings = transportWarnings({ host, tls: opts.tls, publicUrl, now: clock.now() });
  for (const warning of warnings) logger.warn(warning);

  function counters(): RelayCounters {
    const sockets = [...io.of('/').sockets.values(), ...io.of(AGENT_NAMESPACE).sockets.values()];
    return guard.counters(sockets, log.suppressedTotal);
  }

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    publicUrl,
    get keyFingerprint() {
      return key.activeFingerprint() ?? '';
    },
    signingKeys: key,
    operators,
    devices,
    setupUrl: relayConsole.setupUrl,
    roles,
    policyWatch,
    warnings,
    reloadTls: (tls) => reloadTls(http, tls),
    audit,
    enrolment: agents.enrolment,
    agents: agents.registry,
    credentialChecks: () => machineTokens.stats(),
    passwordChecks: () => passwords.stats(),
    counters,
    sweep,
    close() {
      closing ??= (async () => {
        clearInterval(sweeper);
        revocations.stop();
        clearInterval(logRotation);
        stopping = true;
        agents.hub.close();
        // Closed under them, as a network drop would: clients reconnect by themselves (to the next
        // run), where a socket.io disconnect would tell them not to. Then engine.io and the http
        // server close, and the store, with every running assistance in it, last.
        guard.closeAll();
        await io.close();
        await web.close();
        store.close();
        logger.info('stopped');
      })();
      return closing;
    },
  };
}
