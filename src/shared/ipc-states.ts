/**
 * What each window shows, as its main process tells it: the host's state (consent, active, the
 * verification words, the tools open on the device) and the operator's (signed in or not,
 * waiting, active, refused, the relay lost). Apart from ipc.ts's channel table, which re-exports
 * these, so that each file reads as one thing.
 */
import type { ToolKind } from './tools-protocol.js';
import type { AccessMode, AssistanceMode, EndReason, OperatorIdentity, SessionId } from './protocol.js';
import type { IceConfig } from './ice.js';
import type { SasWords } from './sas.js';
import type { ProxyChoice, ProxyRefusal } from './proxy-choice.js';

export type ChatSendResult = { sent: true } | { sent: false; message: string };

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
/**
 * How main reaches the relay, carried by every state of both windows for their connection details
 * (relayRouteLine, src/shared/proxy-choice.ts): the proxy resolution's choice once it chose, or the
 * proxy's refusal, in which case nothing connected (flxra never goes around a configured proxy).
 * Both are checked against their schemas in main before they are put here (src/main/relay-route.ts).
 */
export interface RelayRouteShown {
  relayRoute?: ProxyChoice;
  proxyRefusal?: ProxyRefusal;
}

/** One of the admin tools open in the assistance, as the user's indicator lists it. */
export interface OpenTool {
  toolId: string;
  tool: ToolKind;
}

export type HostState = RelayRouteShown &
  (
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
        /** The policy requires the session to be recorded: the user is told so before they answer. */
        recorded?: true;
      }
    | {
        status: 'active';
        sessionId: SessionId;
        operator: OperatorIdentity;
        mode: AccessMode;
        unattended?: boolean;
        audio?: true;
        reconnecting?: true;
        /** The operator's app records the session (the policy requires it): the indicator says so. */
        recorded?: true;
        verification: HostVerification;
        /** The admin tools the operator has open on this device (the relay says which); the user may close any. */
        tools?: OpenTool[];
        /** The TURN servers and credentials the relay gave this session's peers (session:ice); none: direct only. */
        ice?: IceConfig;
        /** The operator asked for control (view only now): the indicator asks the user. */
        controlRequested?: true;
        /** A secure desktop (UAC prompt, Ctrl+Alt+Del, logon screen) is up: the operator sees it through the agent. */
        secureDesktop?: true;
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
    | { status: 'deactivated'; sessionId: SessionId }
  );

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
export type OperatorState = RelayRouteShown &
  /** `relay`: the origin of the relay to sign in to (a token is only ever sent to its own relay). */
  (
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
        /** The TURN servers and credentials the relay gave this session's peers (session:ice); none: direct only. */
        ice?: IceConfig;
        /** The policy requires recording: the viewer records the screen and input and uploads it (recording.ts). */
        recorded?: true;
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
    | { status: 'refused'; message: string; again?: AskAgain }
  );
