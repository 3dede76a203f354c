/**
 * The end-to-end rig whose device is run by its agent, as a real one is: the agent itself
 * (src/agent/agent.ts, in this process) enrolled on the rig's relay with an enrolment token
 * (the agent's own enrol()), reporting the user sessions the test says and carrying the
 * Flexxible Tools on the backends the test chooses; when the relay asks it to start a host for
 * an assistance, its launcher opens the rig's real host (rig-host.ts: the app's host role with
 * the relay's one-time host token, the host page capturing the Xvfb screen, X11 input) in the
 * rig's Chromium. The operator app is session-rig's (rig-operator.ts).
 *
 *   const rig = await startAgentRig(xvfb.display, relay, { tools: createToolBackends('linux') });
 *   const assistance = await relay.requestAssistance({ deviceId: rig.device.id, mode: 'attended' });
 *   await openActivation(rig.operator, relay.url, assistance);   // operator-activation.ts
 *   const host = await rig.hostFor(assistance.sessionId);        // host.page: the consent window
 *   ...
 *   await host.exited;                                          // the launcher's: the host closed
 *
 * The launcher's host "process" is the host role and its page: `exited` resolves once they are
 * closed, by the window closing itself (the test fires its timer: host.closeTimer), or by the
 * agent's stop. A stop while the host's last screen shows leaves it to close itself, as the app
 * does on SIGTERM (src/main/index.ts); the agent's stopAll (the rig's close) closes every host now.
 */
import type { Browser } from 'playwright-core';
import { Agent, type AgentOptions } from '../../src/agent/agent.js';
import { AGENT_VERSION } from '../../src/agent/device-info.js';
import { enrol } from '../../src/agent/enrol.js';
import type { HostLauncher, HostLaunchRequest } from '../../src/agent/launcher/launcher.js';
import type { ToolBackends } from '../../src/platform/tools/index.js';
import type { SessionId } from '../../src/shared/protocol.js';
import type { UserSession } from '../../src/shared/user-sessions.js';
import { DEFAULT_VERIFICATION } from '../../src/shared/verification-policy.js';
import type { TestRelay } from './relay.js';
import { openRigHost, type RigHost, type RigHostOptions } from './rig-host.js';
import { startRigBase, type RigOperator, type RigOperatorOptions } from './rig-operator.js';
import { until } from './until.js';

export interface AgentRigOptions extends RigOperatorOptions, RigHostOptions {
  /** The agent's Flexxible Tools backends; without them it refuses every tool request as unsupported. */
  tools?: ToolBackends;
  /**
   * The device's user sessions as the agent reports them (read at every report and start, so a
   * function can change them mid-test). None by default: the host goes on the agent's own display.
   */
  userSessions?: UserSession[] | (() => UserSession[]);
  /** The report group its enrolment token puts it in ('Office' by default). */
  reportGroup?: string;
  /** The environment its enrolment token puts it in ('default' by default). */
  environmentId?: string;
  /** The device's host name ('test-desktop' by default). */
  hostname?: string;
  /**
   * false: the agent has no display of its own, as a Windows or Linux service has not, so with no
   * user session nobody is signed in (by default the rig's display is the agent's own).
   */
  ownDisplay?: boolean;
  /** The agent's secure-desktop helper platform (a stand-in on Linux; agent.ts's option). */
  secureDesktopHelper?: AgentOptions['secureDesktopHelper'];
}

/** A host the agent started: the rig's host, what the agent asked for, its life as the launcher tells it. */
export interface AgentHost extends RigHost {
  /** What the agent handed its launcher (the session, mode, display, the device's verification setting…). */
  request: HostLaunchRequest;
  /** The launcher's `exited`: resolves once the host is closed. */
  exited: Promise<void>;
  /** Whether the agent asked the launcher to stop it (the relay's agent:stop-host, or the agent stopping). */
  stopRequested(): boolean;
}

export interface AgentRig {
  relay: TestRelay;
  browser: Browser;
  operator: RigOperator;
  device: {
    id: string;
    agent: Agent;
    /** Every line the agent logged, in order. */
    log: string[];
  };
  /** Every host the agent started, in order. */
  hosts: AgentHost[];
  /** The host the agent started for this assistance, once started (fails after `timeoutMs`, 10 s by default). */
  hostFor(sessionId: SessionId, timeoutMs?: number): Promise<AgentHost>;
  /** Stops the agent (and with it every host it started), then the operator app and the browser. */
  close(): Promise<void>;
}

/** Stands for the app's wait: a stopped host gives its session's end this long to show (src/main/index.ts). */
const STOPPED_WAIT_MS = 1_000;

/** The rig on a relay its caller runs (and closes); the relay must be one the test can make enrolment tokens on. */
export async function startAgentRig(display: string, relay: TestRelay, opts: AgentRigOptions = {}): Promise<AgentRig> {
  const base = await startRigBase(display, relay, opts);
  try {
    const hostname = opts.hostname ?? 'test-desktop';
    const userSessions = () =>
      typeof opts.userSessions === 'function' ? opts.userSessions() : (opts.userSessions ?? []);
    const hosts: AgentHost[] = [];
    const launcher = rigLauncher(display, hosts, (request) =>
      openRigHost({
        browser: base.browser,
        baseUrl: base.baseUrl,
        display,
        relayUrl: request.relayUrl,
        deviceName: hostname,
        hostToken: request.hostToken,
        ...(request.takeOver ? { takeOver: request.takeOver } : {}),
        // The device's setting, as the agent passed it from its configuration.
        verification: request.verification,
        ...(opts.consentTimeoutMs !== undefined ? { consentTimeoutMs: opts.consentTimeoutMs } : {}),
        quitsWithWindow: true,
      }),
    );

    const { token } = relay.handle.enrolment.create({
      environmentId: opts.environmentId ?? 'default',
      reportGroup: opts.reportGroup ?? 'Office',
    });
    const report = { hostname, os: 'Linux (rig)', agentVersion: AGENT_VERSION };
    const enrolled = await enrol(relay.url, { enrolmentToken: token, ...report });
    const log: string[] = [];
    const agent = new Agent({
      relayUrl: relay.url,
      agentToken: enrolled.agentToken,
      readReport: () => Promise.resolve({ ...report, userSessions: userSessions() }),
      launcher,
      verification: opts.verification ?? DEFAULT_VERIFICATION,
      // The rig's desktop is the agent's own: where a host goes when no user session has a display.
      ...(opts.ownDisplay === false ? {} : { ownDisplay: display }),
      ...(opts.secureDesktopHelper ? { secureDesktopHelper: opts.secureDesktopHelper } : {}),
      ...(opts.tools ? { tools: opts.tools } : {}),
      onRefused: (reason) => log.push(`refused: ${reason}`),
      log: (line) => log.push(line),
    });
    agent.start();
    base.cleanups.push(() => agent.stop());
    // Online, with the user sessions of its first report (what dynamic and session-level requests read).
    const reported = JSON.stringify(userSessions());
    await until(
      'the agent online on the relay, its user sessions reported',
      () => {
        const device = relay.handle.agents.get(enrolled.deviceId);
        return device?.online && JSON.stringify(device.userSessions) === reported;
      },
      { everyMs: 20, seen: () => log },
    );

    return {
      relay,
      browser: base.browser,
      operator: base.operator,
      device: { id: enrolled.deviceId, agent, log },
      hosts,
      hostFor: (sessionId, timeoutMs = 10_000) =>
        until(`the agent's host for ${sessionId} started`, () => hosts.find((h) => h.request.sessionId === sessionId), {
          everyMs: 20,
          timeoutMs,
          seen: () => log,
        }),
      close: () => base.close(),
    };
  } catch (err) {
    await base.close();
    throw err;
  }
}

/**
 * The HostLauncher the agent is given: each start opens a rig host (on the rig's display only:
 * another display is not on this rig, and the agent hears why) and records it in `hosts`.
 */
function rigLauncher(
  display: string,
  hosts: AgentHost[],
  open: (request: HostLaunchRequest) => Promise<RigHost>,
): HostLauncher {
  const running = new Map<SessionId, AgentHost>();
  const stopped = new Set<SessionId>();
  const stopNow = (host: AgentHost) => {
    stopped.add(host.request.sessionId);
    return host.close();
  };
  return {
    async start(request) {
      const { sessionId } = request;
      if (running.has(sessionId)) throw new Error(`a host for session ${sessionId} is running already`);
      if (request.display !== display)
        throw new Error(`the rig has one X display, ${display}; the agent chose ${request.display ?? 'none'}`);
      const opened = await open(request);
      const host: AgentHost = Object.assign(opened, {
        request,
        exited: opened.closed,
        stopRequested: () => stopped.has(sessionId),
      });
      running.set(sessionId, host);
      void host.exited.then(() => running.delete(sessionId));
      hosts.push(host);
      return { pid: process.pid, exited: host.exited };
    },
    async stop(sessionId) {
      const host = running.get(sessionId);
      if (!host) return;
      stopped.add(sessionId);
      // As the app on SIGTERM: a moment for the session's end to show; then, unless its window is
      // closing by itself with the last screen (its timer is the test's to fire), it quits now.
      const lastScreen = () => host.closeTimer.pending() !== null;
      await until('the last screen', lastScreen, { timeoutMs: STOPPED_WAIT_MS, everyMs: 10 }).catch(() => undefined);
      if (!lastScreen()) await stopNow(host);
      await host.exited;
    },
    async stopAll() {
      await Promise.all([...running.values()].map(stopNow));
    },
  };
}
