/**
 * What starting a relay takes and gives, as types: the options `startRelay` (server.ts) reads and
 * the handle it answers, which the CLI, the tests and the demo drive a running relay through.
 * Kept apart from server.ts, which builds the parts in dependency order.
 */
import type { ActivationKeys } from './activation/keys.js';
import type { EnrolmentTokens } from './agents/enrolment-tokens.js';
import type { AgentRegistry } from './agents/registry.js';
import type { AuditTrail } from './audit/audit-trail.js';
import type { Clock } from './clock.js';
import type { PasswordCheckStats } from './console/password-check.js';
import type { CredentialCheckStats } from './credentials/machine-tokens.js';
import type { DeviceRegistry } from './devices.js';
import type { RelayLimits } from './limits/settings.js';
import type { RelayLogger } from './log.js';
import type { OperatorRegistry } from './operators.js';
import type { Roles } from './policy/roles.js';
import type { ScryptParams } from './store/store.js';
import type { RelayCounters } from '../shared/relay-counters.js';
import type { RelayTls } from './tls.js';
import type { TurnSettings } from './turn/ice-grants.js';

export interface RelayOptions {
  host?: string;
  /** 0 picks a free port (tests). */
  port?: number;
  /**
   * redis://… : this relay is one of several nodes, their messages carried by socket.io's Redis
   * Streams adapter (cluster.ts; docs/deployment.md). Nodes share one store.
   */
  redisUrl?: string;
  /**
   * This node's name among several (with redisUrl): stable across its restarts, so that it carries
   * over its own assistances and leaves the other nodes' alone; default <hostname>:<port>.
   */
  node?: string;
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
  /** The TURN server (coturn) whose short-lived credentials the admitted peers get; none without. */
  turn?: TurnSettings;
  /**
   * The folder of release artifacts the console offers for download (the operator's portable .exe
   * beside a .flxra: src/relay/downloads/artifacts.ts); none without.
   */
  artifactsDir?: string;
  /** How long recorded chunks are kept before the sweep removes them (audited); default 90 days. */
  recordingRetentionMs?: number;
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
  /** The capability matrix's roles and who has which. */
  roles: Roles;
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
