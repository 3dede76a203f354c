/**
 * What a HostSession is built with (host-session.ts): the device's relay and credentials, the
 * input it drives, where its window's events go, and the device's own settings. Kept apart from
 * the session's logic so that both stay readable.
 */
import type { DisplayInfo, InputEvent } from '../../shared/input-events.js';
import type { InputRefusal } from '../../shared/special-keys.js';
import type { EventPayloads } from '../../shared/ipc.js';
import type { UserSession } from '../../shared/user-sessions.js';
import type { VerificationPolicy } from '../../shared/verification-policy.js';
import type { RelayRoute } from '../relay-route.js';
import type { ClipboardAccess } from '../../platform/clipboard/clipboard.js';
import type { HostTakeOver } from '../../shared/host-takeover-env.js';

/** The slice of the input controller the session needs (see input/input-controller.ts). */
export interface SessionInput {
  setEnabled(enabled: boolean): void;
  handle(event: InputEvent): unknown;
  releaseAll(): void;
  /** Ctrl+Alt+Del: null when sent, else why not (input-controller.ts). */
  secureAttention?(): InputRefusal | null;
}

export interface HostSessionOptions {
  relayUrl: string;
  deviceName: string;
  /** An enrolled device's token: assistances can then be requested for it, unattended too. */
  deviceToken?: string;
  /**
   * Set when the device's agent started this host for one assistance: the relay's one-time token
   * for it. Such a host lives for that assistance only, so it never reconnects: once its
   * connection is gone, so is the assistance.
   */
  hostToken?: string;
  /**
   * Set when the agent starts this host inside an unattended assistance already running (it served
   * the logon screen until someone signed in; src/shared/host-takeover-env.ts): the host comes in
   * with the assistance's resume token and takes it up as it stands, banner shown, no consent.
   */
  takeOver?: HostTakeOver;
  /** The device's user sessions, reported to the relay for dynamic assistance. */
  userSessions?: () => Promise<UserSession[]>;
  /** The assistance is over for good (15 minutes after it ended): the host service stops. */
  onDeactivated?: () => void;
  input: SessionInput;
  displays: () => DisplayInfo[];
  /** The device's own setting (its agent's configuration), never the relay's: whether control needs the words. */
  verification: VerificationPolicy;
  /** Pushes an event to the host window. */
  emit: <
    E extends
      | 'host:state'
      | 'host:signal'
      | 'host:peer-reset'
      | 'host:assist'
      | 'host:clipboard-shared'
      | 'host:files'
      | 'host:file-stopped',
  >(
    channel: E,
    payload: EventPayloads[E],
  ) => void;
  /** The device's clipboard (Electron's in the app; xclip or PowerShell under plain Node): none refuses transfers. */
  clipboard?: ClipboardAccess;
  /** The user's Downloads folder, where files sent to the device go by default (Electron's; else ~/Downloads). */
  downloads?: string;
  /** The way to the relay (relay-route.ts), shown in every state; a proxy's refusal connects nothing. None: direct. */
  route?: RelayRoute;
  /**
   * The way again, asked when the relay connection is lost or cannot be made (relay-route.ts,
   * `RelayRoutes.again`): the next attempt takes it, as the agent's does; a refusal keeps the way.
   */
  reroute?: () => Promise<RelayRoute>;
  /** How long the consent window waits before denying by itself. */
  consentTimeoutMs?: number;
  log?: (message: string) => void;
}

export const CONSENT_TIMEOUT_MS = 60_000;
