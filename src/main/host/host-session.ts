/**
 * The host (assisted device) side of a session, in the main process. It owns the relay
 * connection, the consent decision and the access mode: the renderer draws the consent window
 * and streams the screen, but only this module decides whether capture and input are allowed.
 *
 * In an assistance the relay gives the host a resume token (kept here, in memory only): when the
 * relay connection drops the host keeps its state (the peer may well still carry the screen and
 * the input), says it is reconnecting, and comes back with that token into the same assistance,
 * no consent asked again; the relay decides how long it may take (its host grace period).
 *
 * Where the device's configuration requires the verification words (docs/security.md), control
 * waits, the screen view only, until the user confirmed them for the current connection
 * (words-check.ts); the host page reports each connection's words.
 */
import {
  readConnectRefusal,
  type AccessMode,
  type ConsentDecision,
  type HandshakeAuth,
  type OperatorIdentity,
  type PeerSignal,
  type RelayEventName,
  type RelayEventPayload,
  type SessionId,
} from '../../shared/protocol.js';
import type { DisplayInfo, InputEvent } from '../../shared/input-events.js';
import type { UserSession } from '../../shared/user-sessions.js';
import type { HostState } from '../../shared/ipc.js';
import type { SasWords } from '../../shared/sas.js';
import { connectToRelay, onRelayEvent, retryAfterRefusal, type RelaySocket } from '../relay-client.js';
import {
  connectionOpened,
  modeChosen,
  startVerification,
  wordsConfirmed,
  wordsDerived,
  type ActiveState,
  type Step,
} from './words-check.js';
import { UserSessionsReport } from './user-sessions-report.js';
import { describeConnectionFailure } from '../../shared/relay-certificate.js';
import { secureRelayUrl } from '../../shared/relay-url.js';
import { CONSENT_TIMEOUT_MS, type HostSessionOptions } from './host-session-options.js';

export { CONSENT_TIMEOUT_MS, type HostSessionOptions, type SessionInput } from './host-session-options.js';

export class HostSession {
  private socket: RelaySocket | null = null;
  private current: HostState = { status: 'connecting' };
  private consentTimer: ReturnType<typeof setTimeout> | null = null;
  /** An enrolled device's user sessions, reported while the relay knows it (user-sessions-report.ts). */
  private readonly report: UserSessionsReport;
  /** The assistance whose policy lets the operator hear the device's sound, if one does. */
  private audioSession: SessionId | null = null;
  /** How this host comes back into its assistance after a dropped connection (from assistance:prepared). */
  private resume: { sessionId: SessionId; token: string } | null = null;
  /**
   * What the user answered while the relay connection was down. A relay that restarted meanwhile
   * asks again once the operator is back; the user is not asked twice: this answers for them.
   */
  private answeredWhileAway: { sessionId: SessionId; operatorId: string; decision: ConsentDecision } | null = null;
  /** The host page's current connection (its certificates' identity), once it reported its words. */
  private connection: string | null = null;
  /** Connections of this session whose words the user confirmed: the same two pages, reconnected. */
  private verifiedConnections = new Set<string>();

  constructor(private readonly opts: HostSessionOptions) {
    const send = (sessions: UserSession[]) => this.socket?.emit('device:user-sessions', { sessions });
    this.report = new UserSessionsReport(opts.userSessions, send, (line) => this.log(line));
  }

  get state(): HostState {
    return this.current;
  }

  /** Capture is allowed only while a session the user allowed is active. */
  captureAllowed(): boolean {
    return this.current.status === 'active';
  }

  /** Sound too, only when the active session's policy allows audio redirection (the user was told). */
  audioCaptureAllowed(): boolean {
    return this.current.status === 'active' && this.current.audio === true;
  }

  start(): void {
    const { deviceName, deviceToken, hostToken } = this.opts;
    // Never over plain http to another computer: the user reads why nothing connects.
    const checked = secureRelayUrl(this.opts.relayUrl);
    if (!checked.ok) return this.setState({ status: 'connecting', message: checked.message });
    // Read at every (re)connection: inside an assistance the resume token is the credential.
    const auth = (): HandshakeAuth =>
      this.resume
        ? { role: 'host', deviceName, resume: this.resume }
        : { role: 'host', deviceName, ...(deviceToken ? { deviceToken } : {}), ...(hostToken ? { hostToken } : {}) };
    const socket = connectToRelay(this.opts.relayUrl, auth);
    this.socket = socket;
    const on = <E extends RelayEventName>(event: E, handler: (payload: RelayEventPayload<E>) => void) =>
      onRelayEvent(socket, event, (line) => this.log(line), handler);
    on('host:ready', ({ sessionId }) => {
      this.setState({ status: 'ready', sessionId });
      if (deviceToken) this.report.start();
    });
    // The user is told who asked before anything else happens (consent or banner come later).
    on('tool:open-list', ({ sessionId, tools }) => {
      const s = this.current;
      if (s.status === 'active' && s.sessionId === sessionId) this.setState({ ...s, tools });
    });
    on('assistance:prepared', ({ sessionId, operator, mode, audio, hostResumeToken }) => {
      this.audioSession = audio ? sessionId : null;
      this.resume = { sessionId, token: hostResumeToken };
      if (this.current.status !== 'active' && this.current.status !== 'consent') {
        this.setState({ status: 'requested', sessionId, operator, mode, ...this.audio(sessionId) });
      }
    });
    // Unattended: nobody to ask; the banner shows for as long as the session lasts.
    on('session:unattended-start', ({ sessionId, operator }) => {
      this.clearConsentTimer();
      this.newSession();
      // Where the words are required, unattended control waits for them too, unless the device says otherwise.
      const start = startVerification(this.opts.verification, 'control', true);
      this.setActive({ status: 'active', sessionId, operator, unattended: true, ...this.audio(sessionId), ...start });
      if (start.mode !== 'control') this.socket?.emit('session:mode', { sessionId, mode: start.mode });
    });
    // Back from a dropped connection: nothing changed; the peer is renewed only if it did not survive.
    on('host:resumed', ({ sessionId }) => {
      const s = this.current;
      if (!('reconnecting' in s) || s.sessionId !== sessionId) return;
      const { reconnecting: _, ...back } = s;
      this.setState(back);
      if (back.status === 'active') this.opts.emit('host:peer-reset', { ifDown: true });
    });
    on('assistance:expired', ({ sessionId }) => {
      this.resume = null;
      this.opts.input.setEnabled(false);
      this.setState({ status: 'deactivated', sessionId });
      this.stop();
      this.opts.onDeactivated?.();
    });
    on('session:join-request', ({ sessionId, operator }) => this.onJoinRequest(sessionId, operator));
    on('session:signal', ({ signal }) => {
      if (this.current.status === 'active') this.opts.emit('host:signal', signal);
    });
    on('session:peer-reset', () => {
      if (this.current.status === 'active') this.opts.emit('host:peer-reset', { ifDown: false });
    });
    on('session:ended', ({ sessionId, reason }) => {
      if (this.resume?.sessionId === sessionId) this.resume = null;
      if (this.answeredWhileAway?.sessionId === sessionId) this.answeredWhileAway = null;
      this.finish(sessionId, reason);
    });
    on('relay:error', ({ code, message, event }) =>
      this.log(`relay refused ${event ?? 'a message'}: ${code}: ${message}`),
    );
    socket.on('connect_error', (err) => {
      const refusal = readConnectRefusal(err);
      const s = this.current;
      if (this.resume) {
        // In an assistance: keep trying while the relay cannot be reached or check the token.
        if (refusal?.code !== 'unauthorized') {
          if (refusal) retryAfterRefusal(socket, () => this.socket);
          return this.log(`reconnecting to the relay: ${refusal?.message ?? describeConnectionFailure(err)}`);
        }
        // Refused: the relay no longer knows this host's assistance.
        this.resume = null;
        if ('reconnecting' in s) this.finish(s.sessionId, 'host-lost');
        if (hostToken) return this.giveUp(socket);
        // Back as the device it is, with its device token.
        return retryAfterRefusal(socket, () => this.socket);
      }
      if (hostToken) return this.giveUp(socket);
      if (refusal?.code === 'unavailable') retryAfterRefusal(socket, () => this.socket);
      const message = refusal
        ? `The relay refused this device (${refusal.code}): ${refusal.message}`
        : `Cannot reach the relay: ${describeConnectionFailure(err)}`;
      this.setState({ status: 'connecting', message });
    });
    socket.on('disconnect', (reason) => {
      const s = this.current;
      const inAssistance = s.status === 'active' || s.status === 'consent' || s.status === 'requested';
      // Closed by the relay on purpose (its assistance is over): there is nothing to come back to.
      if (this.resume && reason !== 'io server disconnect') {
        this.log(`relay connection lost (${reason}); coming back into session ${this.resume.sessionId}`);
        // After the user ended it, the screen saying so stays; during it, the window says it reconnects.
        return inAssistance ? this.setState({ ...s, reconnecting: true }) : undefined;
      }
      if (s.status === 'active' || s.status === 'consent' || (hostToken && s.status === 'requested')) {
        this.finish(s.sessionId, 'host-gone');
      }
      if (!hostToken)
        return this.setState({ status: 'connecting', message: 'Connection to the relay lost; reconnecting…' });
      this.giveUp(socket);
    });
  }

  /** A one-time host whose assistance is gone for good: no reconnecting; the user keeps reading how it ended. */
  private giveUp(socket: RelaySocket): void {
    socket.io.reconnection(false);
    socket.disconnect();
    if (this.current.status === 'ended') this.setState({ ...this.current, final: true });
  }

  answerConsent(decision: ConsentDecision, timedOut = false): void {
    const s = this.current;
    if (s.status !== 'consent') throw new Error('There is no request waiting for your answer.');
    this.clearConsentTimer();
    // Control the user gave waits for the words where they are required: the relay hears "view" until then.
    const start = decision === 'deny' ? null : startVerification(this.opts.verification, decision, false);
    const answer = start?.mode ?? 'deny';
    // Sent once back (socket.io holds it); kept too, should the relay have to ask again.
    this.socket?.emit('session:consent', { sessionId: s.sessionId, decision: answer, timedOut });
    if (s.reconnecting)
      this.answeredWhileAway = { sessionId: s.sessionId, operatorId: s.operator.id, decision: answer };
    if (!start) {
      this.setState({
        status: 'ended',
        sessionId: s.sessionId,
        reason: timedOut ? 'consent-timeout' : 'declined',
        operator: s.operator,
        ...(timedOut ? { waitedMs: this.opts.consentTimeoutMs ?? CONSENT_TIMEOUT_MS } : {}),
      });
      return;
    }
    this.newSession();
    this.setActive({
      status: 'active',
      sessionId: s.sessionId,
      operator: s.operator,
      ...start,
      ...this.audio(s.sessionId),
      ...(s.reconnecting ? { reconnecting: true as const } : {}),
    });
  }

  /** The user closes one of the operator's admin tools from the indicator: the relay has the agent close it. */
  closeTool(toolId: string): void {
    const s = this.active();
    this.socket?.emit('tool:close-by-user', { sessionId: s.sessionId, toolId });
  }

  /** The user's switch between view-only and control, from the indicator. */
  setMode(mode: AccessMode): void {
    this.apply(modeChosen(this.active(), mode));
  }

  /** From the host page: its connection's words, or null as it opens a new connection. */
  reportVerification(report: { words: SasWords; connection: string } | null): void {
    const s = this.current;
    if (s.status !== 'active') return; // a page late with the words of a session already over
    this.connection = report?.connection ?? null;
    this.apply(
      report ? wordsDerived(s, report.words, this.verifiedConnections.has(report.connection)) : connectionOpened(s),
    );
  }

  /** The user confirmed that the operator read out these words. */
  confirmWords(words: SasWords): void {
    const step = wordsConfirmed(this.active(), words);
    if (this.connection) this.verifiedConnections.add(this.connection);
    this.apply(step);
  }

  /** The operator's words were not these: someone may be in the middle; the session ends at once. */
  rejectWords(): void {
    const s = this.active();
    this.log(`the user ended session ${s.sessionId}: the operator's verification words were different`);
    this.end();
    if (this.current.status === 'ended') this.setState({ ...this.current, wordsDiffered: true });
  }

  /**
   * The user's Decline on the request notice, before anyone is let in: the relay ends the
   * assistance (its operator is told) and this window says nothing is shared.
   */
  decline(): void {
    const s = this.current;
    if (s.status !== 'requested') return;
    this.socket?.emit('assistance:decline', { sessionId: s.sessionId });
    this.finish(s.sessionId, 'request-declined');
  }

  /** The user's End session: input stops and the operator is told at once. */
  end(): void {
    const s = this.current;
    if (s.status !== 'active' && s.status !== 'consent') return;
    this.clearConsentTimer();
    this.socket?.emit('session:end', { sessionId: s.sessionId });
    this.finish(s.sessionId, 'user-ended');
  }

  sendSignal(signal: PeerSignal): void {
    const s = this.current;
    if (s.status !== 'active') throw new Error('No session is active.');
    this.socket?.emit('session:signal', { sessionId: s.sessionId, signal });
  }

  handleInput(event: InputEvent): void {
    // The controller drops everything while disabled (view-only, or no session).
    if (this.current.status === 'active') this.opts.input.handle(event);
  }

  displays(): DisplayInfo[] {
    return this.opts.displays();
  }

  /** Drops the relay connection as a network failure would (the session reconnects by itself). */
  dropConnection(): void {
    this.socket?.io.engine?.close();
  }

  stop(): void {
    this.clearConsentTimer();
    this.report.stop();
    this.opts.input.setEnabled(false);
    this.socket?.removeAllListeners();
    this.socket?.disconnect();
    this.socket = null;
  }

  private onJoinRequest(sessionId: SessionId, operator: OperatorIdentity): void {
    const answered = this.answeredWhileAway;
    if (answered?.sessionId === sessionId && answered.operatorId === operator.id) {
      this.answeredWhileAway = null;
      this.log(`answered the request for session ${sessionId} as the user did while the relay was away`);
      this.socket?.emit('session:consent', { sessionId, decision: answered.decision, timedOut: false });
      return;
    }
    const timeout = this.opts.consentTimeoutMs ?? CONSENT_TIMEOUT_MS;
    this.clearConsentTimer();
    this.consentTimer = setTimeout(() => this.answerConsent('deny', true), timeout);
    this.setState({
      status: 'consent',
      sessionId,
      operator,
      deadline: Date.now() + timeout,
      ...this.audio(sessionId),
      ...(this.opts.verification.required ? { wordsRequired: true as const } : {}),
    });
  }

  private active(): ActiveState {
    const s = this.current;
    if (s.status !== 'active') throw new Error('No session is active.');
    return s;
  }

  /** An active state, with input allowed exactly when it is in control. */
  private setActive(next: ActiveState): void {
    this.opts.input.setEnabled(next.mode === 'control');
    this.setState(next);
  }

  private apply(step: Step): void {
    this.setActive(step.next);
    if (step.tellRelay) this.socket?.emit('session:mode', { sessionId: step.next.sessionId, mode: step.tellRelay });
  }

  /** Nothing verified carries over from one session to the next. */
  private newSession(): void {
    this.connection = null;
    this.verifiedConnections.clear();
  }

  private finish(sessionId: SessionId, reason: Extract<HostState, { status: 'ended' }>['reason']): void {
    this.newSession();
    this.clearConsentTimer();
    this.opts.input.setEnabled(false);
    const operator = 'operator' in this.current ? this.current.operator : undefined;
    this.setState({ status: 'ended', sessionId, reason, ...(operator ? { operator } : {}) });
  }

  private audio(sessionId: SessionId): { audio?: true } {
    return this.audioSession === sessionId ? { audio: true } : {};
  }

  private clearConsentTimer(): void {
    if (this.consentTimer) clearTimeout(this.consentTimer);
    this.consentTimer = null;
  }

  private setState(next: HostState): void {
    this.current = next;
    this.opts.emit('host:state', next);
  }

  private log(message: string): void {
    this.opts.log?.(`[host] ${message}`);
  }
}
