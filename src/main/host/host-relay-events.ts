/**
 * What the relay's events do to a host session (host-session.ts), attached to each socket it
 * opens: the requests, consent and unattended starts the relay announces, its TURN servers, the
 * peer's signals, and the connection's own life: a refusal or a loss told to the user, in an
 * assistance kept through with the resume token, a one-time host given up once its assistance is
 * gone, and the way to the relay resolved again on each loss (rerouteOnLoss). Kept apart so that
 * the session file holds its state and the user's actions; the state stays the session's.
 */
import {
  readConnectRefusal,
  type ConsentDecision,
  type OperatorIdentity,
  type RelayEventName,
  type RelayEventPayload,
  type SessionId,
} from '../../shared/protocol.js';
import type { HostState } from '../../shared/ipc.js';
import type { IceConfig } from '../../shared/ice.js';
import { describeConnectionFailure } from '../../shared/relay-certificate.js';
import { onRelayEvent, retryAfterRefusal, type RelaySocket } from '../relay-client.js';
import type { RelayRoute } from '../relay-route.js';
import { startVerification, type ActiveState } from './words-check.js';
import type { HostSessionOptions } from './host-session-options.js';

/** What the relay told this host and it keeps across reconnections (in memory only). */
export interface RelayMemory {
  /** The assistance whose policy lets the operator hear the device's sound, if one does. */
  audioSession: SessionId | null;
  /** How this host comes back into its assistance after a dropped connection (from assistance:prepared). */
  resume: { sessionId: SessionId; token: string } | null;
  /**
   * What the user answered while the relay connection was down. A relay that restarted meanwhile
   * asks again once the operator is back; the user is not asked twice: this answers for them.
   */
  answeredWhileAway: { sessionId: SessionId; operatorId: string; decision: ConsentDecision } | null;
  /** The latest TURN servers and credentials the relay gave this host for a session (session:ice). */
  ice: { sessionId: SessionId; config: IceConfig } | null;
}

/** The session as its relay events see it: its state, its memory and the steps that change them. */
export interface RelayEventsHost {
  readonly opts: HostSessionOptions;
  readonly memory: RelayMemory;
  state(): HostState;
  /** The session's socket now (null once stopped): a retry or a new way is for that one only. */
  socket(): RelaySocket | null;
  setState(state: HostState): void;
  setActive(next: ActiveState): void;
  finish(sessionId: SessionId, reason: Extract<HostState, { status: 'ended' }>['reason']): void;
  joinRequest(sessionId: SessionId, operator: OperatorIdentity, recorded: boolean): void;
  /** Nothing verified carries over from one session to the next. */
  newSession(): void;
  clearConsentTimer(): void;
  audio(sessionId: SessionId): { audio?: true };
  /** The enrolled device's user sessions, reported from now on (user-sessions-report.ts). */
  startReport(): void;
  /** The way to the relay `reroute` found, shown from the next state on. */
  useRoute(route: RelayRoute): void;
  stop(): void;
  log(line: string): void;
}

export function attachRelayEvents(socket: RelaySocket, host: RelayEventsHost): void {
  const { opts, memory } = host;
  const { deviceToken, hostToken } = opts;
  const on = <E extends RelayEventName>(event: E, handler: (payload: RelayEventPayload<E>) => void) =>
    onRelayEvent(socket, event, (line) => host.log(line), handler);
  on('host:ready', ({ sessionId }) => {
    host.setState({ status: 'ready', sessionId });
    if (deviceToken) host.startReport();
  });
  // The user is told who asked before anything else happens (consent or banner come later).
  on('tool:open-list', ({ sessionId, tools }) => {
    const s = host.state();
    if (s.status === 'active' && s.sessionId === sessionId) host.setState({ ...s, tools });
  });
  // The secure desktop is up (or gone): the indicator says so; its frames never come here (the agent's path).
  on('secure-desktop:state', ({ sessionId, up }) => {
    const s = host.state();
    if (s.status !== 'active' || s.sessionId !== sessionId) return;
    const { secureDesktop: _was, ...rest } = s;
    host.setState(up ? { ...rest, secureDesktop: true } : rest);
  });
  // The operator asks for control: the indicator asks the user, whose yes is setMode('control').
  on('session:control-requested', ({ sessionId }) => {
    const s = host.state();
    if (s.status === 'active' && s.sessionId === sessionId && s.mode === 'view')
      host.setState({ ...s, controlRequested: true });
  });
  on('assistance:prepared', ({ sessionId, operator, mode, audio, hostResumeToken }) => {
    memory.audioSession = audio ? sessionId : null;
    memory.resume = { sessionId, token: hostResumeToken };
    const s = host.state();
    if (s.status !== 'active' && s.status !== 'consent') {
      host.setState({ status: 'requested', sessionId, operator, mode, ...host.audio(sessionId) });
    }
  });
  // Unattended: nobody to ask; the banner shows for as long as the session lasts.
  on('session:unattended-start', ({ sessionId, operator, recorded }) => {
    host.clearConsentTimer();
    host.newSession();
    // Where the words are required, unattended control waits for them too, unless the device says otherwise.
    const start = startVerification(opts.verification, 'control', true);
    host.setActive({
      status: 'active',
      sessionId,
      operator,
      unattended: true,
      ...host.audio(sessionId),
      ...(recorded ? { recorded: true as const } : {}),
      ...start,
    });
    if (start.mode !== 'control') host.socket()?.emit('session:mode', { sessionId, mode: start.mode });
  });
  // Back from a dropped connection: nothing changed; the peer is renewed only if it did not survive.
  on('host:resumed', ({ sessionId }) => {
    const s = host.state();
    if (!('reconnecting' in s) || s.sessionId !== sessionId) return;
    const { reconnecting: _, ...back } = s;
    host.setState(back);
    if (back.status === 'active') opts.emit('host:peer-reset', { ifDown: true });
  });
  on('assistance:expired', ({ sessionId }) => {
    memory.resume = null;
    opts.input.setEnabled(false);
    host.setState({ status: 'deactivated', sessionId });
    host.stop();
    opts.onDeactivated?.();
  });
  on('session:join-request', ({ sessionId, operator, recorded }) =>
    host.joinRequest(sessionId, operator, recorded === true),
  );
  on('session:signal', ({ signal }) => {
    if (host.state().status === 'active') opts.emit('host:signal', signal);
  });
  // Kept for the session's next peer (it may come before the state it belongs to: unattended).
  on('session:ice', ({ sessionId, ice }) => {
    memory.ice = { sessionId, config: ice };
    const s = host.state();
    if (s.status === 'active' && s.sessionId === sessionId) host.setState(s);
  });
  on('session:peer-reset', () => {
    if (host.state().status === 'active') opts.emit('host:peer-reset', { ifDown: false });
  });
  on('session:ended', ({ sessionId, reason }) => {
    if (memory.resume?.sessionId === sessionId) memory.resume = null;
    if (memory.answeredWhileAway?.sessionId === sessionId) memory.answeredWhileAway = null;
    host.finish(sessionId, reason);
  });
  on('relay:error', ({ code, message, event }) =>
    host.log(`relay refused ${event ?? 'a message'}: ${code}: ${message}`),
  );
  socket.on('connect_error', (err) => {
    const refusal = readConnectRefusal(err);
    const s = host.state();
    if (memory.resume) {
      // In an assistance: keep trying while the relay cannot be reached or check the token.
      if (refusal?.code !== 'unauthorized') {
        if (refusal) retryAfterRefusal(socket, () => host.socket());
        return host.log(`reconnecting to the relay: ${refusal?.message ?? describeConnectionFailure(err)}`);
      }
      // Refused: the relay no longer knows this host's assistance.
      memory.resume = null;
      if ('reconnecting' in s) host.finish(s.sessionId, 'host-lost');
      if (hostToken) return giveUp(socket, host);
      // Back as the device it is, with its device token.
      return retryAfterRefusal(socket, () => host.socket());
    }
    // An agent-started host another relay node expects (cluster.ts) is told to try again: the
    // proxy takes it on to another node. Any other refusal of its one-time token is final.
    if (hostToken && refusal?.code !== 'unavailable') return giveUp(socket, host);
    if (refusal?.code === 'unavailable') retryAfterRefusal(socket, () => host.socket());
    const message = refusal
      ? `The relay refused this device (${refusal.code}): ${refusal.message}`
      : `Cannot reach the relay: ${describeConnectionFailure(err)}`;
    host.setState({ status: 'connecting', message });
  });
  socket.on('disconnect', (reason) => {
    const s = host.state();
    const inAssistance = s.status === 'active' || s.status === 'consent' || s.status === 'requested';
    // Closed by the relay on purpose (its assistance is over): there is nothing to come back to.
    if (memory.resume && reason !== 'io server disconnect') {
      host.log(`relay connection lost (${reason}); coming back into session ${memory.resume.sessionId}`);
      // After the user ended it, the screen saying so stays; during it, the window says it reconnects.
      return inAssistance ? host.setState({ ...s, reconnecting: true }) : undefined;
    }
    if (s.status === 'active' || s.status === 'consent' || (hostToken && s.status === 'requested')) {
      host.finish(s.sessionId, 'host-gone');
    }
    if (!hostToken)
      return host.setState({ status: 'connecting', message: 'Connection to the relay lost; reconnecting…' });
    giveUp(socket, host);
  });
}

/**
 * A connection lost or not made: the way is resolved again (one resolution at a time), and
 * socket.io's manager opens its next engine with the new tunnel (direct: none).
 */
export function rerouteOnLoss(socket: RelaySocket, host: RelayEventsHost): void {
  const reroute = host.opts.reroute;
  if (!reroute) return;
  let running = false;
  const again = () => {
    if (running) return;
    running = true;
    reroute()
      .then((next) => {
        if (!next.ok || host.socket() !== socket) return;
        (socket.io.opts as { agent?: unknown }).agent = next.agent ?? false;
        host.useRoute(next);
      })
      .catch((err: unknown) => host.log(`the way to the relay: ${(err as Error).message}`))
      .finally(() => (running = false));
  };
  socket.on('disconnect', again);
  socket.on('connect_error', again);
}

/** A one-time host whose assistance is gone for good: no reconnecting; the user keeps reading how it ended. */
function giveUp(socket: RelaySocket, host: RelayEventsHost): void {
  socket.io.reconnection(false);
  socket.disconnect();
  const s = host.state();
  if (s.status === 'ended') host.setState({ ...s, final: true });
}
