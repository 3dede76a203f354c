/**
 * What a HostSession is built with (host-session.ts): the device's relay and credentials, the
 * input it drives, where its window's events go, and the device's own settings. Kept apart from
 * the session's logic so that both stay readable.
 */
import type { DisplayInfo, InputEvent } from '../../shared/input-events.js';
import type { EventPayloads } from '../../shared/ipc.js';
import type { UserSession } from '../../shared/user-sessions.js';
import type { VerificationPolicy } from '../../shared/verification-policy.js';

/** The slice of the input controller the session needs (see input/input-controller.ts). */
export interface SessionInput {
  setEnabled(enabled: boolean): void;
  handle(event: InputEvent): unknown;
  releaseAll(): void;
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
  /** The device's user sessions, reported to the relay for dynamic assistance. */
  userSessions?: () => Promise<UserSession[]>;
  /** The assistance is over for good (15 minutes after it ended): the host service stops. */
  onDeactivated?: () => void;
  input: SessionInput;
  displays: () => DisplayInfo[];
  /** The device's own setting (its agent's configuration), never the relay's: whether control needs the words. */
  verification: VerificationPolicy;
  /** Pushes an event to the host window. */
  emit: <E extends 'host:state' | 'host:signal' | 'host:peer-reset'>(channel: E, payload: EventPayloads[E]) => void;
  /** How long the consent window waits before denying by itself. */
  consentTimeoutMs?: number;
  log?: (message: string) => void;
}

export const CONSENT_TIMEOUT_MS = 60_000;
