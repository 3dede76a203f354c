/**
 * The console as the relay serves it, assembled from its parts: users, sign-in sessions, the
 * login throttle and the sign-in alerts, second factors (their secrets sealed under the pepper), the
 * one-time setup link (made only while there is no admin), the API and the pages. The server
 * registers its routes on the relay's HTTP app (every path under /console).
 */
import type { RelayCounters } from '../../shared/relay-counters.js';
import type { EnrolmentTokens } from '../agents/enrolment-tokens.js';
import type { Assistances } from '../assistances/service.js';
import type { AuditActor, AuditTrail } from '../audit/audit-trail.js';
import type { Clock } from '../clock.js';
import type { TokenMac } from '../credentials/token-mac.js';
import type { ZodApp } from '../http/app.js';
import type { RelayLogger } from '../log.js';
import type { Outgoing } from '../messages.js';
import type { OperatorRegistry } from '../operators.js';
import type { PolicySettingsStore } from '../policy/policy-settings.js';
import type { Roles } from '../policy/roles.js';
import type { RelayStore, ScryptParams } from '../store/store.js';
import { registerConsoleApi, type ConsoleApiDeps } from './api.js';
import { ConsoleSessions } from './console-sessions.js';
import type { DeviceDirectory } from './device-directory.js';
import { registerConsolePages } from './handler.js';
import { LoginThrottle } from './login-throttle.js';
import type { PasswordCheck } from './password-check.js';
import { consoleSecretBox } from './secret-box.js';
import { SecondFactors } from './second-factor.js';
import { SetupToken } from './setup-token.js';
import { recordSignInAlert } from './sign-in-api.js';
import { SignInAlerts } from './sign-in-alerts.js';
import { ConsoleUsers } from './users.js';
import { AppSignInCodes, registerAppSignIn } from './app-sign-in.js';
import { BrowserTickets } from './browser-tickets.js';
import type { RelayKeys } from '../../shared/relay-api.js';
import type { ReleaseArtifacts } from '../downloads/artifacts.js';
import type { RecordingArchive } from '../recordings/recording-archive.js';
import type { Recordings } from '../recordings/recordings.js';

export interface ConsoleOptions {
  store: RelayStore;
  operators: OperatorRegistry;
  assistances: Assistances;
  devices: DeviceDirectory;
  policy: PolicySettingsStore;
  roles: Roles;
  audit: AuditTrail;
  clock: Clock;
  /** How session ids are kept (their MAC under the token pepper). */
  tokenMac: TokenMac;
  logger: RelayLogger;
  /** The cost of new password hashes. */
  scrypt: ScryptParams;
  /** How new passwords are judged (its dictionaries load on the first one). */
  passwords: PasswordCheck;
  publicUrl: string;
  /** The built pages. */
  webDir: string;
  deliver: (out: Outgoing[]) => void;
  /** Revokes an operator identity's app token, ends what was issued to it and drops its live connections. */
  revokeOperator: (operatorId: string, by: AuditActor) => void;
  removeDevice: (deviceId: string, by: AuditActor) => boolean;
  renameDevice: (deviceId: string, name: string) => boolean;
  /** The relay's enrolment tokens (agents/enrolment-tokens.ts), for "Add devices". */
  enrolment: EnrolmentTokens;
  /** The environment its enrolment tokens enrol devices into. */
  environment: string;
  /** The relay's counters of its clients' load, for admins. */
  counters: () => RelayCounters;
  /** What the relay publishes of its signing keys (shown beside "Connect the app"). */
  signingKeys: { published(): Promise<RelayKeys> };
  /** The release artifacts it offers for download (the operator's portable .exe beside a .flxra). */
  artifacts: ReleaseArtifacts;
  /** The recordings kept, checked against their audited chain. */
  recordings: RecordingArchive;
  /** Takes the operator in the browser's chunks (the app's go to the operators' API). */
  recordingChunks: Pick<Recordings, 'chunk'>;
}

export interface RelayConsole {
  /** Adds the console's API and pages to the relay's HTTP app. */
  register(app: ZodApp): Promise<void>;
  /** The one-time link that makes the first admin; null when an admin exists. */
  setupUrl: string | null;
  /** The operators in the browser's handshake tickets, redeemed by the relay's socket handshake (auth.ts). */
  browserTickets: BrowserTickets;
}

export function createConsole(opts: ConsoleOptions): RelayConsole {
  const users = new ConsoleUsers(opts.store, opts.operators, opts.scrypt, opts.passwords);
  const setupToken = new SetupToken();
  // A restart while there is still no admin issues a new link and the last one dies with the
  // old process (the token is in memory only): `relay serve` prints the new one.
  const setupUrl = users.needsFirstAdmin() ? setupToken.issue(opts.publicUrl) : null;
  const sessions = new ConsoleSessions(
    opts.store,
    opts.tokenMac,
    opts.clock,
    new URL(opts.publicUrl).protocol === 'https:',
  );
  // Sessions that expired while the relay was down go now; later ones at each sign-in.
  sessions.purgeExpired();
  // The host name only: a colon (of a port) would end the label's issuer part in the otpauth:// URI.
  const issuer = `flxra (${new URL(opts.publicUrl).hostname})`;
  const appSignIn = new AppSignInCodes({
    clock: opts.clock,
    users,
    operators: opts.operators,
    audit: opts.audit,
  });
  const browserTickets = new BrowserTickets({ clock: opts.clock, users });
  const api: ConsoleApiDeps = {
    users,
    appSignIn,
    browserTickets,
    signingKeys: opts.signingKeys,
    publicUrl: opts.publicUrl,
    sessions,
    throttle: new LoginThrottle(opts.clock),
    alerts: new SignInAlerts(opts.clock, (alert) => recordSignInAlert(opts.audit, opts.logger, alert)),
    secondFactors: new SecondFactors(opts.store, consoleSecretBox(opts.tokenMac), opts.clock, issuer),
    setupToken,
    logger: opts.logger,
    policy: opts.policy,
    roles: opts.roles,
    store: opts.store,
    devices: opts.devices,
    assistances: opts.assistances,
    // Its lifecycle state is in its record, written by its one owner at each change.
    assistance: (sessionId) => opts.store.getAssistance(sessionId),
    recentAssistances: (limit) => opts.store.recentAssistances(limit),
    operatorName: (operatorId) => opts.store.getOperator(operatorId)?.name ?? null,
    audit: opts.audit,
    deliver: opts.deliver,
    revokeOperator: opts.revokeOperator,
    removeDevice: opts.removeDevice,
    renameDevice: opts.renameDevice,
    enrolment: opts.enrolment,
    environment: opts.environment,
    counters: opts.counters,
    artifacts: opts.artifacts,
    recordings: opts.recordings,
    recordingChunks: opts.recordingChunks,
  };
  return {
    async register(app) {
      registerConsoleApi(app, api);
      registerAppSignIn(app, appSignIn);
      await registerConsolePages(app, opts.webDir);
    },
    setupUrl,
    browserTickets,
  };
}
