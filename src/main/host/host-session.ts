/**
 * The host (assisted device) side of a session, in the main process. It owns the relay
 * connection, the consent decision and the access mode: the renderer draws the consent window
 * and streams the screen, but only this module decides whether capture and input are allowed.
 *
 * In an assistance the relay gives the host a resume token (kept here, in memory only): when the
 * relay connection drops the host keeps its state (the peer may well still carry the screen and
 * the input), says it is reconnecting, and comes back with that token into the same assistance,
 * no consent asked again; the relay decides how long it may take (its host grace period). What
 * each relay event does to the state, the loss and its way back included, is host-relay-events.ts.
 *
 * Where the device's configuration requires the verification words (docs/security.md), control
 * waits, the screen view only, until the user confirmed them for the current connection
 * (words-check.ts); the host page reports each connection's words.
 */
import os from 'node:os';
import path from 'node:path';
import { sasRefusal, specialKeyOf, VIEW_ONLY_REFUSAL, type InputRefusal } from '../../shared/special-keys.js';
import type {
  AccessMode,
  ConsentDecision,
  HandshakeAuth,
  OperatorIdentity,
  PeerSignal,
  SessionId,
} from '../../shared/protocol.js';
import type { DisplayInfo, InputEvent } from '../../shared/input-events.js';
import type { UserSession } from '../../shared/user-sessions.js';
import type { HostState } from '../../shared/ipc.js';
import type { SasWords } from '../../shared/sas.js';
import { connectToRelay, type RelaySocket } from '../relay-client.js';
import { shownRoute, type RelayRoute } from '../relay-route.js';
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
import { hostAssistFor, type HostAssist } from './host-assist.js';
import { HostView } from './host-view.js';
import { FILES_REPORT_EVENT, HostFiles } from './host-files.js';
import { attachRelayEvents, rerouteOnLoss, type RelayEventsHost, type RelayMemory } from './host-relay-events.js';
import { secureRelayUrl } from '../../shared/relay-url.js';
import { CONSENT_TIMEOUT_MS, type HostSessionOptions } from './host-session-options.js';

export { CONSENT_TIMEOUT_MS, type HostSessionOptions, type SessionInput } from './host-session-options.js';

export class HostSession {
  private socket: RelaySocket | null = null;
  private current: HostState = { status: 'connecting' };
  private consentTimer: ReturnType<typeof setTimeout> | null = null;
  /** An enrolled device's user sessions, reported while the relay knows it (user-sessions-report.ts). */
  private readonly report: UserSessionsReport;
  /** What the relay told this host: sound, resume token, an answer given while away, TURN (host-relay-events.ts). */
  private readonly memory: RelayMemory = { audioSession: null, resume: null, answeredWhileAway: null, ice: null };
  /** The host page's current connection (its certificates' identity), once it reported its words. */
  private connection: string | null = null;
  /** Connections of this session whose words the user confirmed: the same two pages, reconnected. */
  private verifiedConnections = new Set<string>();
  /** The way to the relay now: the start's, then each working one `reroute` found. */
  private route: RelayRoute | undefined;
  /** The clipboard and the chat of the active session (host-assist.ts). */
  readonly assist: HostAssist;
  /** The file transfers of the active session (host-files.ts). */
  readonly files: HostFiles;
  /** What the operator sees of the displays, as the policy allows it (host-view.ts). */
  readonly view: HostView;

  constructor(private readonly opts: HostSessionOptions) {
    this.route = opts.route;
    this.assist = hostAssistFor(opts, (line) => this.log(line));
    this.files = new HostFiles({
      state: () => this.current,
      features: () => this.assist.view.features,
      report: (report) => this.socket?.emit(FILES_REPORT_EVENT, report),
      show: (transfers) => opts.emit('host:files', transfers),
      stopped: (id, message) => opts.emit('host:file-stopped', { id, message }),
      downloads: opts.downloads ?? path.join(os.homedir(), 'Downloads'),
      log: (line) => this.log(line),
    });
    this.view = new HostView({ state: () => this.current, displays: opts.displays, assist: this.assist });
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
    // A proxy that said no is not gone around: the user reads why, and nothing reaches the relay.
    const route = this.route;
    if (route && !route.ok) return this.setState({ status: 'connecting', message: route.refusal.message });
    // Read at every (re)connection: inside an assistance the resume token is the credential.
    const auth = (): HandshakeAuth =>
      this.memory.resume
        ? { role: 'host', deviceName, resume: this.memory.resume }
        : { role: 'host', deviceName, ...(deviceToken ? { deviceToken } : {}), ...(hostToken ? { hostToken } : {}) };
    const takenOver = this.takeOverAssistance();
    const socket = connectToRelay(this.opts.relayUrl, auth, route?.ok && route.agent ? { agent: route.agent } : {});
    this.socket = socket;
    // Control the password gave waits for the words where the device requires them: the relay hears "view" until then.
    if (takenOver && takenOver.mode !== 'control')
      socket.once('host:resumed', () =>
        socket.emit('session:mode', { sessionId: takenOver.sessionId, mode: takenOver.mode }),
      );
    const host: RelayEventsHost = {
      opts: this.opts,
      memory: this.memory,
      state: () => this.current,
      socket: () => this.socket,
      setState: (state) => this.setState(state),
      setActive: (next) => this.setActive(next),
      finish: (sessionId, reason) => this.finish(sessionId, reason),
      joinRequest: (sessionId, operator, recorded) => this.onJoinRequest(sessionId, operator, recorded),
      newSession: () => this.newSession(),
      clearConsentTimer: () => this.clearConsentTimer(),
      audio: (sessionId) => this.audio(sessionId),
      startReport: () => this.report.start(),
      useRoute: (next) => (this.route = next),
      stop: () => this.stop(),
      log: (line) => this.log(line),
    };
    rerouteOnLoss(socket, host);
    this.assist.attach(socket);
    attachRelayEvents(socket, host);
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
      this.memory.answeredWhileAway = { sessionId: s.sessionId, operatorId: s.operator.id, decision: answer };
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
      ...(s.recorded ? { recorded: true as const } : {}),
    });
  }

  /** The user closes one of the operator's admin tools from the indicator: the relay has the agent close it. */
  closeTool(toolId: string): void {
    const s = this.active();
    this.socket?.emit('tool:close-by-user', { sessionId: s.sessionId, toolId });
  }

  /** The user's switch between view-only and control, from the indicator. */
  setMode(mode: AccessMode): void {
    const { controlRequested: _, ...s } = this.active();
    this.apply(modeChosen(s, mode));
  }

  /** The user answered the operator's request for control with "Keep view only". */
  keepViewOnly(): void {
    const { controlRequested: _, ...s } = this.active();
    this.setState(s);
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

  /**
   * The operator's input; what the device refuses to do comes back as data for the operator (special-keys.ts). A
   * special key while the operator has control is the policy's keys.special (the relay's session:features decide):
   * refused where it says no or before it said anything, and reported to the relay for the audit either way.
   */
  handleInput(event: InputEvent): InputRefusal | null {
    const special = this.current.status === 'active' && this.current.mode === 'control' ? specialKeyOf(event) : null;
    if (!special) return this.carryOut(event);
    const refused = this.assist.featureRefusal('specialKeys') ?? this.carryOut(event);
    this.assist.reportFeature('special-key', special, refused);
    return refused;
  }

  private carryOut(event: InputEvent): InputRefusal | null {
    // The controller drops everything while disabled (view-only, or no session).
    if (this.current.status !== 'active') return null;
    if (event.t !== 'sas') {
      this.opts.input.handle(event);
      return null;
    }
    if (this.current.mode !== 'control') return VIEW_ONLY_REFUSAL;
    return this.opts.input.secureAttention ? this.opts.input.secureAttention() : sasRefusal(process.platform, false);
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
    this.assist.stop();
    this.files.stop();
    this.opts.input.setEnabled(false);
    this.socket?.removeAllListeners();
    this.socket?.disconnect();
    this.socket = null;
  }

  private onJoinRequest(sessionId: SessionId, operator: OperatorIdentity, recorded = false): void {
    const answered = this.memory.answeredWhileAway;
    if (answered?.sessionId === sessionId && answered.operatorId === operator.id) {
      this.memory.answeredWhileAway = null;
      this.log(`answered the request for session ${sessionId} as the user did while the relay was away`);
      this.socket?.emit('session:consent', { sessionId, decision: answered.decision, timedOut: false });
      return;
    }
    // The words cannot guard a connection whose operator's page the relay itself serves: refused, and said so.
    if (operator.via === 'browser' && this.opts.verification.required) {
      this.log(`refused an operator in the browser for session ${sessionId}: this device requires the words`);
      this.socket?.emit('session:consent', { sessionId, decision: 'deny', timedOut: false, browserRefused: true });
      this.setState({ status: 'ended', sessionId, reason: 'browser-refused', operator });
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
      ...(recorded ? { recorded: true as const } : {}),
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

  /**
   * A host started inside a running unattended assistance (HostSessionOptions.takeOver): it is
   * that assistance's, as if back from a drop (its resume token is the credential; host:resumed
   * then renews the peer), with the banner an unattended start shows.
   */
  private takeOverAssistance(): { sessionId: SessionId; mode: AccessMode } | null {
    const takeOver = this.opts.takeOver;
    if (!takeOver || this.memory.resume) return null;
    const { sessionId, resumeToken, operator } = takeOver;
    this.memory.resume = { sessionId, token: resumeToken };
    const start = startVerification(this.opts.verification, 'control', true);
    this.setActive({ status: 'active', sessionId, operator, unattended: true, ...start, reconnecting: true });
    return { sessionId, mode: start.mode };
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
    return this.memory.audioSession === sessionId ? { audio: true } : {};
  }

  private clearConsentTimer(): void {
    if (this.consentTimer) clearTimeout(this.consentTimer);
    this.consentTimer = null;
  }

  private setState(state: HostState): void {
    // The session's TURN servers go with its active state, whatever built it.
    const ice =
      state.status === 'active' && this.memory.ice?.sessionId === state.sessionId ? this.memory.ice.config : null;
    // How this app reaches the relay goes with every state, for the window's connection details.
    const next = { ...(ice ? { ...state, ice } : state), ...shownRoute(this.route) };
    this.current = next;
    this.opts.emit('host:state', next);
    this.assist.onState(next);
    this.files.onState(next);
  }

  private log(message: string): void {
    this.opts.log?.(`[host] ${message}`);
  }
}
