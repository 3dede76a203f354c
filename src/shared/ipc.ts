/**
 * The IPC contract between a renderer and the main process: channel names, the schema every
 * invoke payload is validated against in main, and the events main pushes to the renderer.
 * The preload allowlists exactly these channels.
 */
import { ToolId, type ToolKind } from './tools-protocol.js';
import { z } from 'zod';
import {
  AccessMode,
  AssistanceMode,
  ConsentDecision,
  EndReason,
  OperatorIdentity,
  PeerSignal,
  SessionId,
} from './protocol.js';
import { DisplayInfo, InputEvent } from './input-events.js';
import { SasWords } from './sas.js';
import { ACTIVATION_MAX_BYTES } from './activation-file.js';
import { RegistryPath, ToolRequest, type ToolEvent, type ToolsAvailable } from './tools-protocol.js';

/**
 * The verification words of an active session, as the indicator shows them (docs/security.md).
 * `required`: the device's configuration wants them confirmed before control. `words`: the
 * current connection's, once both sides derived them. `confirmed`: the user confirmed them (or
 * this same connection's, earlier). `controlPending`: the user gave control, which starts once
 * the words are confirmed; meanwhile the operator has the screen, view only.
 */
export interface HostVerification {
  required: boolean;
  words: SasWords | null;
  confirmed: boolean;
  controlPending: boolean;
}

/**
 * What the host window shows; main is the source of truth, the renderer only draws it. `audio`:
 * the device's policy lets the operator hear its sound too (audio redirection), and the user is
 * told so; absent, sound is never captured. `reconnecting`: the relay connection dropped and the
 * host is coming back into the same assistance (nothing the user decided changes meanwhile).
 */
/** One of the admin tools open in the assistance, as the user's indicator lists it. */
export interface OpenTool {
  toolId: string;
  tool: ToolKind;
}

export type HostState =
  | { status: 'connecting'; message?: string }
  | { status: 'ready'; sessionId: SessionId }
  /** An assistance was requested for this device: the user learns who asked before anyone connects. */
  | {
      status: 'requested';
      sessionId: SessionId;
      operator: OperatorIdentity;
      mode: AssistanceMode;
      audio?: true;
      reconnecting?: true;
    }
  | {
      status: 'consent';
      sessionId: SessionId;
      operator: OperatorIdentity;
      deadline: number;
      audio?: true;
      reconnecting?: true;
      /** The device requires the verification words before control: the user is told so before they answer. */
      wordsRequired?: true;
    }
  | {
      status: 'active';
      sessionId: SessionId;
      operator: OperatorIdentity;
      mode: AccessMode;
      unattended?: boolean;
      audio?: true;
      reconnecting?: true;
      verification: HostVerification;
      /** The admin tools the operator has open on this device (the relay says which); the user may close any. */
      tools?: OpenTool[];
    }
  /**
   * `final`: a host the agent started for one assistance, whose connection is gone for good.
   * `wordsDiffered`: the user ended it because the operator's words were not theirs.
   * `waitedMs`: a consent-timeout's real wait, so that the user is told how long it was.
   */
  | {
      status: 'ended';
      sessionId: SessionId;
      reason: EndReason;
      operator?: OperatorIdentity;
      final?: boolean;
      wordsDiffered?: true;
      waitedMs?: number;
    }
  /** The assistance is over for good: the host service stops. */
  | { status: 'deactivated'; sessionId: SessionId };

/** The operator app's relay connection dropped at `since` (epoch ms); `unreachable`: for longer than its grace. */
export interface RelayLost {
  since: number;
  /** The relay's origin, as the viewer names it. */
  relay: string;
  unreachable?: true;
}

/**
 * A device the operator's last assistance was for, which "Ask again" requests a new assistance
 * for (in one click, where the policy allows: the relay says when it does not).
 */
export interface AskAgain {
  deviceName: string;
}

/** What the operator window shows. */
export type OperatorState =
  /** `relay`: the origin of the relay to sign in to (a token is only ever sent to its own relay). */
  | { status: 'signed-out'; relay?: string; message?: string }
  /** `relayFingerprint`: signed in by the console's link, the relay's key as this app sees it, to compare. */
  | { status: 'idle'; operator: OperatorIdentity; message?: string; relayFingerprint?: string }
  /**
   * `deviceAway` (here and in active): the device lost its relay connection and is reconnecting,
   * since `awaySince`. `relayLost`: this app lost its own relay connection (it keeps trying);
   * `unreachable` once it has tried for longer than its grace period.
   * `expiresAt` (ms since the epoch): when the request stops being answerable, for the countdown.
   */
  | {
      status: 'waiting';
      operator: OperatorIdentity;
      sessionId: SessionId;
      deviceName: string;
      deviceAway?: true;
      awaySince?: number;
      relayLost?: RelayLost;
      expiresAt?: number;
    }
  | {
      status: 'active';
      operator: OperatorIdentity;
      sessionId: SessionId;
      deviceName: string;
      mode: AccessMode;
      deviceAway?: true;
      awaySince?: number;
      relayLost?: RelayLost;
    }
  | { status: 'ended'; operator: OperatorIdentity; sessionId: SessionId; reason: EndReason; again?: AskAgain }
  /**
   * A sign-in link (which any web page can open) waits for the operator's yes before its code is
   * redeemed; `current`: who the app is signed in as now, which the link's account would replace.
   */
  | { status: 'confirm-sign-in'; relay: string; current?: { operator: OperatorIdentity; relay: string } }
  /** An activation file names a relay not trusted yet: the operator compares its fingerprint. */
  | { status: 'trust-relay'; relay: string; fingerprint: string }
  /** Unattended: the one-time password is asked for (the relay said the file is still unused). */
  | {
      status: 'password';
      sessionId: SessionId;
      deviceName?: string;
      message?: string;
      attemptsLeft?: number;
      retryAt?: number;
    }
  /** The activation file (or a sign-in link, or Ask again) was refused: why, in the operator's words. */
  | { status: 'refused'; message: string; again?: AskAgain };

/** At most this many characters of base64 for a dropped file's bytes (ACTIVATION_MAX_BYTES, and a little). */
export const DROPPED_FILE_MAX_BASE64 = Math.ceil((ACTIVATION_MAX_BYTES + 1) / 3) * 4;

/** invoke channels: payload schema (validated in main) and the result type (documented by `Result`). */
export const invokeChannels = {
  'host:get-state': z.null(),
  'host:consent': z.object({ decision: ConsentDecision }),
  'host:set-mode': z.object({ mode: AccessMode }),
  'host:end': z.null(),
  /** The user's Decline on the request notice: the assistance ends before anyone is let in. */
  'host:decline': z.null(),
  'host:signal': z.object({ signal: PeerSignal }),
  'host:input': z.object({ event: InputEvent }),
  'host:displays': z.null(),
  /** The host page's words for its connection; null when it opens a new one (nothing verified yet). */
  'host:verification': z.object({ words: SasWords, connection: z.string().min(1).max(600) }).nullable(),
  /** The user confirmed that the operator read out these words. */
  'host:confirm-words': z.object({ words: SasWords }),
  /** The user says the operator's words were different: the session ends. */
  'host:reject-words': z.null(),
  /** The user closes one of the operator's admin tools from the indicator. */
  'host:close-tool': z.object({ toolId: ToolId }),
  'operator:get-state': z.null(),
  'operator:join': z.object({ sessionId: SessionId }),
  'operator:leave': z.null(),
  'operator:signal': z.object({ signal: PeerSignal }),
  'operator:trust-relay': z.object({ trust: z.boolean() }),
  'operator:password': z.object({ password: z.string().min(1).max(64) }),
  'operator:sign-in': z.object({ token: z.string().trim().min(1).max(512) }),
  /** The operator's answer to a sign-in link from the console: redeem its code, or not. */
  'operator:confirm-sign-in': z.object({ yes: z.boolean() }),
  /** "Open activation file…": main shows the system's file dialog (no path crosses from the page). */
  'operator:open-file': z.null(),
  /** A `.flxra` dropped on the window: its name (for messages) and its bytes in base64, bounded. */
  'operator:open-dropped': z.object({
    name: z.string().min(1).max(255),
    base64: z
      .string()
      .max(DROPPED_FILE_MAX_BASE64)
      .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'not base64'),
  }),
  /** Opens the configured relay's console in the system browser (main builds the URL; none comes from the page). */
  'operator:open-console': z.null(),
  /** A new assistance for the device of the last one (AskAgain), opened at once. */
  'operator:ask-again': z.null(),
  /** A request of the tools' panel (tools-protocol.ts), for the relay to check and carry to the device's agent. */
  'operator:tool-request': z.object({ request: ToolRequest }),
  /** The tools this operator may use in the active assistance (null until the relay said). */
  'operator:tools-available': z.null(),
  /** A registry key's export, saved through the system's "save" dialog (main chooses nothing but the name). */
  'operator:save-export': z.object({ key: RegistryPath, text: z.string().max(64 * 1024 * 1024) }),
  /** A terminal's copy and paste, through main (the pages have no clipboard permission). */
  'operator:clipboard-write': z.object({ text: z.string().max(1024 * 1024) }),
  'operator:clipboard-read': z.null(),
} as const;
export type InvokeChannel = keyof typeof invokeChannels;
export type InvokePayload<C extends InvokeChannel> = z.input<(typeof invokeChannels)[C]>;

export interface InvokeResults {
  'host:get-state': HostState;
  'host:consent': void;
  'host:set-mode': void;
  'host:end': void;
  'host:decline': void;
  'host:signal': void;
  'host:input': void;
  'host:displays': DisplayInfo[];
  'host:verification': void;
  'host:confirm-words': void;
  'host:reject-words': void;
  'host:close-tool': void;
  'operator:get-state': OperatorState;
  'operator:join': void;
  'operator:leave': void;
  'operator:signal': void;
  'operator:trust-relay': void;
  'operator:password': void;
  'operator:sign-in': void;
  'operator:confirm-sign-in': void;
  'operator:open-file': void;
  'operator:open-dropped': void;
  'operator:open-console': void;
  'operator:ask-again': void;
  'operator:tool-request': { sent: true } | { sent: false; message: string };
  'operator:tools-available': ToolsAvailable | null;
  'operator:save-export': { saved: string | null; message: string };
  'operator:clipboard-write': void;
  'operator:clipboard-read': string;
}
export type InvokeResult<C extends InvokeChannel> = InvokeResults[C];

/** Events main pushes to a renderer. */
export interface EventPayloads {
  'host:state': HostState;
  /** A signal from the operator's peer. */
  'host:signal': PeerSignal;
  /**
   * Start a fresh peer: the admitted operator reconnected (always), or this host is back from its
   * own drop (`ifDown`: only if the peer did not survive it).
   */
  'host:peer-reset': { ifDown: boolean };
  'operator:state': OperatorState;
  'operator:signal': PeerSignal;
  /** An event of a tool open on the device, checked in main against the contract. */
  'operator:tool-event': ToolEvent;
  'operator:tools-available': ToolsAvailable | null;
}
export type EventChannel = keyof EventPayloads;
export const eventChannels = [
  'host:state',
  'host:signal',
  'host:peer-reset',
  'operator:state',
  'operator:signal',
  'operator:tool-event',
  'operator:tools-available',
] as const satisfies readonly EventChannel[];

/** Which window may use a channel: the host window speaks host:*, the viewer operator:*. */
export type WindowRole = 'host' | 'operator';
export function channelRole(channel: InvokeChannel | EventChannel): WindowRole {
  return channel.startsWith('host:') ? 'host' : 'operator';
}

export function isInvokeChannel(c: unknown): c is InvokeChannel {
  return typeof c === 'string' && Object.prototype.hasOwnProperty.call(invokeChannels, c);
}
export function isEventChannel(c: unknown): c is EventChannel {
  return typeof c === 'string' && (eventChannels as readonly string[]).includes(c);
}

export { DisplayInfo, InputEvent };
