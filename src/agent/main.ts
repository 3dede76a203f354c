/**
 * The device agent's program: arguments, enrolment, the agent itself, signals and exit codes. The
 * product's entry (cli.ts) runs it with the installed app's launcher; the development entry
 * (dev/chromium-host/agent.ts) adds the Chromium launcher for tests and the demo. Exit codes: 2
 * for a usage mistake (a plain-http relay elsewhere than this computer too), 3 when someone must
 * act (no keychain on Windows, a credential file others can read, not enrolled, credential or
 * the relay's certificate refused, a damaged configuration file, a proxy setting that cannot be
 * used, a proxy that refused the credentials), 1 for anything else, which a
 * service manager may retry.
 */
import { createToolBackends } from '../platform/tools/index.js';
import { existsSync } from 'node:fs';
import { CredentialStoreUnavailable } from '../platform/credentials/credential-store.js';
import { CredentialFileRefused } from '../platform/credentials/owner-only-file-store.js';
import type { MachineIdentityReader } from '../platform/machine-identity/index.js';
import type { HostLauncher } from './launcher/launcher.js';
import { createUserSessionReader } from '../platform/user-sessions/index.js';
import { Agent } from './agent.js';
import { AgentConfigProblem, describeVerification, readAgentConfig } from './config.js';
import { AGENT_USAGE, parseAgentArgs, UsageError, type AgentArgs, type LauncherKind } from './agent-args.js';
import { openAgentCredentials } from './credentials.js';
import { AGENT_VERSION, readReport } from './device-info.js';
import { EnrolmentRefused, RelayCertificateRefused } from './enrol.js';
import { enrolDevice, EnrolmentProblem, storedEnrolment } from './enrolment.js';
import { readEnrolmentToken } from './enrolment-token-input.js';
import { chooseLauncher } from './launcher-choice.js';
import { waitForRelay } from './relay-reachable.js';
import { agentProxySetting, PROXY_URL_ENV, ProxySettingProblem } from './proxy-setting.js';
import { hostProxySetting, proxyHandoverFor } from '../platform/proxy/setting-keychain.js';
import type { ProxyHandover } from '../shared/proxy-handover.js';
import { ProxyRefused, rerouting, resolveRelayRoute } from './relay-route.js';
import { helperPlatform } from './helper/helper-platform.js';

const log = (line: string) => console.log(`[agent] ${line}`);

/** How this build starts hosts, by `--launcher` kind; a kind it lacks is a usage mistake. */
export type LauncherFactories = Partial<
  Record<
    LauncherKind,
    (args: AgentArgs, log: (line: string) => void, proxyHandover: ProxyHandover | undefined) => HostLauncher
  >
>;

async function main(argv: string[], launchers: LauncherFactories, machine?: MachineIdentityReader): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(AGENT_USAGE);
    return;
  }
  const args = parseAgentArgs(argv);
  const available = Object.keys(launchers) as LauncherKind[];
  const choice = chooseLauncher(args, available, existsSync);
  const makeLauncher = launchers[choice.kind];
  if (!makeLauncher)
    throw new UsageError(
      `this agent cannot start hosts with --launcher ${choice.kind} (the development agent, out/dev/agent.mjs, can)`,
    );
  // Read first: a damaged configuration, or a token that cannot be read, is said before anything is tried.
  const config = await readAgentConfig(args.configPath);
  const enrolmentToken =
    args.enrolmentTokenFrom === undefined
      ? undefined
      : await readEnrolmentToken(args.enrolmentTokenFrom, process.stdin);
  const credentials = await openAgentCredentials({ stateDir: args.stateDir, log });
  // The proxy's password, if the setting has one, moves to the keychain before anything connects.
  const proxySetting = await agentProxySetting({ args, config, env: process.env, credentials, log });
  // The hosts it starts reach the relay the same way: the setting, without its password, in their
  // environment; the password, if any, over a pipe only the agent and each host share (proxy-handover.ts).
  if (proxySetting.setting) process.env[PROXY_URL_ENV] = hostProxySetting(proxySetting.setting);
  const proxyHandover = proxyHandoverFor(proxySetting.setting) ?? undefined;
  const stored = enrolmentToken === undefined ? await storedEnrolment(args.stateDir, args.relayUrl, credentials) : null;
  // One resolution for every connection to the relay: the enrolment's requests and the relay connection.
  const relayUrl = stored?.state.relayUrl ?? args.relayUrl!;
  const route = await resolveRelayRoute(relayUrl, proxySetting, { log });
  const via = route.agent ? { agent: route.agent } : {};
  // A relay still starting (at boot, or the README's recipe run in one go) is waited for, not given up on.
  if (enrolmentToken !== undefined) await waitForRelay(args.relayUrl!, { log, ...via });
  const { state, agentToken } =
    stored ?? (await enrolDevice(args.relayUrl!, enrolmentToken!, args.stateDir, credentials, machine, route.agent));
  log(
    `flxra agent ${AGENT_VERSION}, device ${state.deviceId} (environment ${state.environmentId}, report group ${state.reportGroup})`,
  );
  log(describeVerification(config.verification));
  log(choice.line);

  const sessions = createUserSessionReader(process.platform, { ...(args.utmpPath ? { utmpPath: args.utmpPath } : {}) });
  const launcher = makeLauncher(args, log, proxyHandover);
  // Windows: the secure-desktop helper beside node.exe (FLXRA_DESKTOP_HELPER names another); elsewhere none, said once.
  const helper = await helperPlatform(
    process.env.FLXRA_DESKTOP_HELPER ? { exe: process.env.FLXRA_DESKTOP_HELPER } : {},
  );
  log(helper.available ? `secure-desktop helper: ${helper.exe}` : `secure-desktop helper: none (${helper.message})`);
  const agent = new Agent({
    relayUrl: state.relayUrl,
    agentToken,
    readReport: () => readReport(sessions),
    launcher,
    verification: config.verification,
    secureDesktopHelper: { platform: helper },
    ...(route.agent ? { proxyAgent: route.agent } : {}),
    reroute: rerouting(relayUrl, proxySetting, route, { log }),
    // The admin tools run here, with the agent's rights; node-pty stays outside the bundle.
    tools: createToolBackends(),
    ...(process.env.DISPLAY ? { ownDisplay: process.env.DISPLAY } : {}),
    onRefused: (reason) => {
      console.error(
        `flxra agent: the relay refused this device's credential (${reason}). It was revoked or the device removed: enrol it again with --enroll-file <file holding a new enrolment token>.`,
      );
      void agent.stop().finally(() => process.exit(3));
    },
    log,
  });
  const stop = () => {
    log('stopping');
    void agent.stop().finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  agent.start();
}

/**
 * `machine`: this machine's identity for enrolment (the platform's by default; the development
 * agent's tests give each agent its own).
 */
export function runAgent(argv: string[], launchers: LauncherFactories, machine?: MachineIdentityReader): void {
  main(argv, launchers, machine).catch((err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    if (err instanceof UsageError) {
      console.error(`flxra agent: ${message}\n${AGENT_USAGE}`);
      process.exitCode = 2;
    } else if (
      err instanceof CredentialStoreUnavailable ||
      err instanceof CredentialFileRefused ||
      err instanceof AgentConfigProblem ||
      err instanceof EnrolmentProblem ||
      err instanceof EnrolmentRefused ||
      err instanceof RelayCertificateRefused ||
      err instanceof ProxySettingProblem ||
      err instanceof ProxyRefused
    ) {
      console.error(`flxra agent: ${message}`);
      process.exitCode = 3;
    } else {
      console.error(`flxra agent: ${message}`);
      process.exitCode = 1;
    }
  });
}
