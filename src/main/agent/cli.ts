/**
 * The device agent, plain Node, run as a service (`npm run agent -- --relay <url> --enroll <token>`
 * the first time; see agent-args.ts). Exit codes: 2 for a usage mistake, 3 when someone must act
 * (no keychain, not enrolled, credential refused), 1 for anything else, which a service manager
 * may retry.
 */
import { CredentialStoreUnavailable } from '../credentials/credential-store.js';
import { createChromiumLauncher } from '../launcher/chromium.js';
import { createElectronLauncher } from '../launcher/electron.js';
import { createUserSessionReader } from '../platform/user-sessions/index.js';
import { Agent } from './agent.js';
import { AGENT_USAGE, parseAgentArgs, UsageError } from './agent-args.js';
import { openAgentKeychain } from './credentials.js';
import { AGENT_VERSION, readReport } from './device-info.js';
import { EnrolmentRefused } from './enrol.js';
import { enrolDevice, EnrolmentProblem, storedEnrolment } from './enrolment.js';

const log = (line: string) => console.log(`[agent] ${line}`);

async function main(argv: string[]): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(AGENT_USAGE);
    return;
  }
  const args = parseAgentArgs(argv);
  const keychain = await openAgentKeychain();
  const { state, agentToken } =
    args.enrolmentToken !== undefined
      ? await enrolDevice(args.relayUrl!, args.enrolmentToken, args.stateDir, keychain)
      : await storedEnrolment(args.stateDir, args.relayUrl, keychain);
  log(`flxra agent ${AGENT_VERSION}, device ${state.deviceId} (environment ${state.environmentId}, report group ${state.reportGroup})`);

  const sessions = createUserSessionReader(process.platform, { ...(args.utmpPath ? { utmpPath: args.utmpPath } : {}) });
  const launcher = args.launcher === 'chromium' ? createChromiumLauncher({ log }) : createElectronLauncher({ executable: args.app, log });
  const agent = new Agent({
    relayUrl: state.relayUrl,
    agentToken,
    readReport: () => readReport(sessions),
    launcher,
    ...(process.env.DISPLAY ? { ownDisplay: process.env.DISPLAY } : {}),
    onRefused: (reason) => {
      console.error(`flxra agent: the relay refused this device's credential (${reason}). It was revoked or the device removed: enrol it again with --enroll <token>.`);
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

main(process.argv.slice(2)).catch((err: unknown) => {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof UsageError) {
    console.error(`flxra agent: ${message}\n${AGENT_USAGE}`);
    process.exitCode = 2;
  } else if (err instanceof CredentialStoreUnavailable || err instanceof EnrolmentProblem || err instanceof EnrolmentRefused) {
    console.error(`flxra agent: ${message}`);
    process.exitCode = 3;
  } else {
    console.error(`flxra agent: ${message}`);
    process.exitCode = 1;
  }
});
