/**
 * The relay server: an http server carrying socket.io and the HTTP app (src/relay/http/app.ts:
 * fastify with the operators' API and the console). It builds the relay's parts from its options
 * and its store, and hands the default namespace's clients to client-sockets.ts and the agents'
 * namespace to the agent hub; close() stops it so that the next run carries on.
 */
import { Server } from 'socket.io';
import { AGENT_NAMESPACE } from '../shared/agent-protocol.js';
import { KeySetPublisher } from './activation/key-set.js';
import { openAgents } from './agents/index.js';
import { AssistanceLifecycles } from './assistances/lifecycles.js';
import { Assistances } from './assistances/service.js';
import { AuditTrail, RELAY_ACTOR } from './audit/audit-trail.js';
import { SessionEvents } from './audit/session-events.js';
import { ViewerRequests } from './viewer-requests.js';
import { createConsole } from './console/console.js';
import { DEFAULT_CONSOLE_DIR } from './console/handler.js';
import { PasswordCheck } from './console/password-check.js';
import { MachineTokens } from './credentials/machine-tokens.js';
import { DeviceRegistry } from './devices.js';
import { ReleaseArtifacts } from './downloads/artifacts.js';
import { registerOperatorApi } from './http/api.js';
import { createRelayHttp } from './http/app.js';
import { DEFAULT_HOST, DEFAULT_PORT } from './listen-defaults.js';
import { Revocations } from './revocation.js';
import type { Outgoing } from './messages.js';
import { errorMessage, serveClients, type RelayServer } from './client-sockets.js';
import { OperatorRegistry } from './operators.js';
import { PolicyGate } from './policy/gate.js';
import { PolicySettingsStore } from './policy/policy-settings.js';
import { Roles } from './policy/roles.js';
import { wireToolRelay } from './tools/tools-wiring.js';
import { wireAssistRelay } from './tools/assist-wiring.js';
import { wireRecordings } from './recordings/recording-wiring.js';
import { registerRecordingApi } from './http/recording-api.js';
import { wireSecureDesktop } from './secure-desktop/secure-desktop-wiring.js';
import { bothObservers, UNOBSERVED } from './session-model.js';
import { openFoundations } from './relay-foundations.js';
import type { RelayCounters } from '../shared/relay-counters.js';
import { reloadTls, transportWarnings } from './tls.js';
import { openIceGrants } from './turn/ice-grants.js';
import { NODE_HEARTBEAT_MS } from './assistances/takeover.js';

export { DEFAULT_HOST, DEFAULT_PORT };

const MINUTE = 60_000;
/** How often expired assistances are looked for (they are also checked whenever touched). */
const SWEEP_INTERVAL_MS = 10_000;

/**
 * The largest signal the protocol accepts is 80 kB of JSON; anything far beyond that is refused
 * by socket.io (closing the connection) before the relay spends time parsing it.
 */
const MAX_MESSAGE_BYTES = 256 * 1024;

import type { RelayHandle, RelayOptions } from './relay-handle.js';
export type { RelayHandle, RelayOptions };

export async function startRelay(opts: RelayOptions): Promise<RelayHandle> {
  const {
    host,
    limits,
    proxies,
    log,
    logger,
    guard,
    clock,
    scrypt,
    environment,
    relayName,
    http,
    store,
    activationLifetimeMs,
    key,
    tokenMac,
    cluster,
    node,
    port,
    url,
    publicUrl,
  } = await openFoundations(opts);
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
    secureDesktopRefused: (sessionId, refusal) => secureDesktop.fromAgent(sessionId, refusal),
    secureDesktopStream: (sessionId, update) => secureDesktopStream.fromAgent(sessionId, update),
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
  // An admitted operator's connection is told which tools it may use (the tools' relay, below), and both parties
  // what the clipboard and the chat may do (the assist relay, below).
  const sessionObserver = bothObservers(sessionEvents, {
    ...UNOBSERVED,
    connected: (sessionId) => {
      agents.hub.sendWatched(sessionId, true);
      deliver([
        ...tools.announce(sessionId),
        ...assist.announce(sessionId),
        ...secureDesktopStream.announce(sessionId),
      ]);
    },
    left: (sessionId) => agents.hub.sendWatched(sessionId, false),
    gone: (sessionId) => {
      assist.ended(sessionId);
      secureDesktopStream.ended(sessionId);
      recordings.ended(sessionId);
    },
  });
  const assistances = new Assistances({
    store,
    node,
    devices,
    sessionObserver,
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
    // The operator in the browser, as the capability matrix says for the identity's role (read at each open).
    browserOperators: (deviceId, operator, mode) => {
      const decision = policyGate.capability(deviceId, roles.ofOperator(operator.id), 'browser-operator', mode);
      return decision.allowed ? null : decision.reason;
    },
  });
  // Tool traffic: operator ⇄ relay ⇄ the device's agent, checked here (src/relay/tools/).
  const roles = new Roles(store, clock);
  // What the tools' and the clipboard's and chat's relays both decide with.
  const decisionParts = {
    store,
    lifecycles,
    sessions: () => assistances.sessions,
    operators,
    roles,
    agents,
    policy,
    policyGate,
    audit,
    deliver,
  };
  const tools = wireToolRelay(decisionParts);
  const assist = wireAssistRelay({
    ...decisionParts,
    now: () => clock.now(),
    deviceOfHost: deviceOfHostConn,
  });
  function deviceOfHostConn(conn: string): string | null {
    const data = io.sockets.sockets.get(conn)?.data;
    return data?.role === 'host' ? (data.device?.id ?? null) : null;
  }
  // Recording where the policy requires it (src/relay/recordings/): chunks in the data folder, chained in the audit.
  const { recordings, archive: recordingArchive } = wireRecordings({
    ...decisionParts,
    now: () => clock.now(),
    deviceOfHost: deviceOfHostConn,
    dataDir: opts.dataDir,
    clock,
    retentionMs: opts.recordingRetentionMs,
    assistances: () => assistances,
  });
  // Recorded as the relay's own doing: what ends because of a restart says so too (relay-restarted).
  audit.record({
    actor: RELAY_ACTOR,
    action: 'relay.started',
    result: 'ok',
    detail: restarted ? { restart: true, assistancesCarriedOver: assistances.carriedOver } : { restart: false },
  });
  const passwords = new PasswordCheck();
  const keySet = new KeySetPublisher(publicUrl, key, clock);
  const relayConsole = createConsole({
    signingKeys: keySet,
    store,
    operators,
    assistances,
    devices: agents.registry,
    policy,
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
    artifacts: new ReleaseArtifacts(opts.artifactsDir),
    recordings: recordingArchive,
    recordingChunks: recordings,
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
  registerRecordingApi(web.app, { operators, recordings });
  const consoleRoutes = relayConsole.register(web.app);
  const io: RelayServer = new Server(http, {
    serveClient: false,
    maxHttpBufferSize: MAX_MESSAGE_BYTES,
    // The guard closes connections still pending at once (limits/connections.ts); socket.io's own
    // close, graceful, comes later, and would otherwise hold a polling client's up.
    connectTimeout: limits.pendingTimeoutMs + 5_000,
    ...(cluster ? { adapter: cluster.adapter } : {}),
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
  // The admitted peers' TURN credentials (turn/ice-grants.ts), added to what is delivered and renewed by the sweep.
  const parties = (sessionId: string) => assistances.sessions.parties(sessionId);
  const grants = opts.turn ? openIceGrants(opts.turn, { clock, parties, store }) : null;
  // Secure-desktop input (the admitted operator with control → the agent) and its way back (src/relay/secure-desktop/).
  const { input: secureDesktop, stream: secureDesktopStream } = wireSecureDesktop({
    ...decisionParts,
    assist,
    deviceOf: (sessionId) => assistances.deviceOf(sessionId),
    logger,
  });
  const clients = serveClients(io, {
    registries: {
      operators,
      devices,
      hostTokens: agents.hub,
      hostResumes: assistances,
      browserTickets: relayConsole.browserTickets,
    },
    assistances,
    tools,
    viewer: new ViewerRequests({
      parties,
      deviceOf: (id) => assistances.deviceOf(id),
      features: (id) => assist.features(id),
      trail: audit,
    }),
    assist,
    secureDesktop,
    revocations,
    logger,
    guard,
    stopping: () => stopping,
    expand: (messages: Outgoing[]) => recordings.expand(grants ? grants.expand(messages) : messages),
    ...(cluster ? { cluster } : {}),
    hostTokenMac: (token) => agents.hub.hostTokenMac(token),
    holdsHostToken: (mac) => agents.hub.holdsHostToken(mac),
  });
  function deliver(messages: Outgoing[]): void {
    clients.deliver(messages);
  }

  const sweep = async (): Promise<void> =>
    deliver([...assistances.sweep(), ...recordings.sweep(), ...(grants?.renew() ?? [])]);
  const sweeper = setInterval(() => {
    sweep().catch((err: unknown) => logger.error('sweep failed', { error: errorMessage(err) }));
  }, SWEEP_INTERVAL_MS);
  sweeper.unref();
  // Of several nodes: this one says it is alive, so that no other takes its assistances over (takeover.ts).
  const heartbeat = node === null ? null : setInterval(() => store.markNodeAlive(clock.now()), NODE_HEARTBEAT_MS);
  heartbeat?.unref();
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
        if (heartbeat) clearInterval(heartbeat);
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
        await cluster?.close();
        store.close();
        logger.info('stopped');
      })();
      return closing;
    },
  };
}
