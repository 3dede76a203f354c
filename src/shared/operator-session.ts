/**
 * The operator side of a session, for one relay: authenticates (the relay, not this client,
 * states who the operator is), joins a session by ID or opens an assistance with its activation
 * token (and password, unattended), resumes after a network drop, and carries WebRTC signals
 * between the viewer and the relay. One logic for both operators: the app's main process
 * (src/main/operator/operator-session.ts connects it with the operator's token, through the
 * app's proxy route) and the operator viewer the relay serves to browsers (src/renderer/browser/,
 * with a ticket of the console session). No Node here: the browser page imports it.
 */
import {
  readConnectRefusal,
  type AssistanceMode,
  type OperatorIdentity,
  type PeerSignal,
  type RelayEventName,
  type RelayEventPayload,
  type SessionId,
} from './protocol.js';
import type { EventPayloads, OperatorState, RelayRouteShown } from './ipc.js';
import { describeConnectionFailure } from './relay-certificate.js';
import { secureRelayUrl } from './relay-url.js';
import { onRelayEvent, retryAfterRefusal, type RelaySocket } from './relay-socket.js';
import { passwordAgain, refusalMessage, type RelayError } from './operator-refusals.js';

export interface OperatorSessionCoreOptions {
  relayUrl: string;
  /** Why nothing may connect (no credential, a proxy's refusal): the window says it. Absent: connect. */
  cannotConnect?: string;
  /** Makes the relay connection, with this client's credential (called once; socket.io reconnects it). */
  connect: () => RelaySocket;
  /** What the window says when the relay refuses the credential ('unauthorized'), for the relay's origin. */
  refusedMessage?: (origin: string) => string;
  /** How this client reaches the relay, shown with every state (the app's proxy route). */
  shown?: RelayRouteShown;
  emit: <E extends 'operator:state' | 'operator:signal'>(channel: E, payload: EventPayloads[E]) => void;
  /**
   * How long the viewer says "reconnecting" after this app lost the relay inside a session,
   * before it says the relay is unreachable (it keeps trying either way). RELAY_GRACE_MS by default.
   */
  relayGraceMs?: number;
  now?: () => number;
  log?: (message: string) => void;
  /** Each relay connection as it is made, for what else travels on it (the tools: operator-tools.ts). */
  onSocket?: (socket: RelaySocket) => void;
}

export const RELAY_GRACE_MS = 20_000;

/** An assistance opened from an activation file, kept in memory only for the session's life. */
interface OpenedAssistance {
  token: string;
  sessionId: SessionId;
  mode: AssistanceMode;
  /** What the file says of itself: its device's name and when it stops being accepted (ms). */
  deviceName?: string;
  expiresAt?: number;
  /** Unattended, asked for by this app (Ask again): the relay gave it the password with the file. */
  password?: string;
  /** Given by the relay at the first admission; reconnects use it instead of the password. */
  resumeToken?: string;
}

/** Node's timers keep a process alive unless unref'd; a browser's are numbers. */
const unref = (timer: unknown) => (timer as { unref?: () => void } | null)?.unref?.();

/** How long opening an assistance waits for the relay's first answer before the caller goes on. */
const OPEN_ANSWER_MS = 10_000;

export class OperatorSessionCore {
  private socket: RelaySocket | null = null;
  private current: OperatorState = { status: 'signed-out' };
  private identity: OperatorIdentity | null = null;
  /** The session ID last asked for, to name it in a refusal. */
  private pendingJoin: SessionId | null = null;
  private assistance: OpenedAssistance | null = null;
  /** Runs while the relay connection is lost inside a session: its end makes it "unreachable". */
  private relayGrace: ReturnType<typeof setTimeout> | null = null;
  /** Set while an assistance:open awaits the relay's first answer. */
  private answered: (() => void) | null = null;

  constructor(private readonly opts: OperatorSessionCoreOptions) {}

  get state(): OperatorState {
    return this.current;
  }

  get relayUrl(): string {
    return this.opts.relayUrl;
  }

  /** Resolves once the relay has said who we are (or refused us). */
  start(): Promise<void> {
    // Whichever way the address came (configuration, activation file), never over plain http to another computer.
    const checked = secureRelayUrl(this.opts.relayUrl);
    if (!checked.ok) {
      this.setState({ status: 'signed-out', message: checked.message });
      return Promise.resolve();
    }
    // A proxy that said no is not gone around, a missing credential is not sent: the window says why.
    if (this.opts.cannotConnect !== undefined) {
      this.signedOut(this.opts.cannotConnect);
      return Promise.resolve();
    }
    const socket = this.opts.connect();
    this.socket = socket;
    this.opts.onSocket?.(socket);
    const on = <E extends RelayEventName>(event: E, handler: (payload: RelayEventPayload<E>) => void) =>
      onRelayEvent(socket, event, (line) => this.log(line), handler);
    // Resolved by the first valid operator:ready or by a failed connection, whichever comes first.
    const started = new Promise<void>((resolve) => {
      on('operator:ready', ({ operator }) => {
        this.onReady(socket, operator);
        resolve();
      });
      socket.once('connect_error', () => resolve());
    });
    on('session:waiting', ({ sessionId, deviceName }) => {
      const expiresAt = this.assistance?.sessionId === sessionId ? this.assistance.expiresAt : undefined;
      this.setState({
        status: 'waiting',
        operator: this.me(),
        sessionId,
        deviceName,
        ...(expiresAt === undefined ? {} : { expiresAt }),
      });
    });
    on('session:admitted', ({ sessionId, mode, resumeToken, recorded }) => {
      if (this.assistance && resumeToken) this.assistance.resumeToken = resumeToken;
      // Unattended there was no waiting: the file named the device.
      const deviceName =
        this.current.status === 'waiting' || this.current.status === 'active'
          ? this.current.deviceName
          : (this.assistance?.deviceName ?? '');
      this.setState({
        status: 'active',
        operator: this.me(),
        sessionId,
        deviceName,
        mode,
        ...(recorded ? { recorded: true as const } : {}),
      });
    });
    // The TURN servers for this session's peer, from the relay (only ever to an admitted operator).
    on('session:ice', ({ sessionId, ice }) => {
      if (this.current.status === 'active' && this.current.sessionId === sessionId)
        this.setState({ ...this.current, ice });
    });
    // The device lost its relay connection: it may come back (its peer may even carry on meanwhile).
    // Waiting for consent too: the user is asked once the device is back.
    on('session:away', ({ sessionId }) => {
      const s = this.current;
      if ((s.status === 'active' || s.status === 'waiting') && s.sessionId === sessionId && !s.deviceAway)
        this.setState({ ...s, deviceAway: true, awaySince: this.now() });
    });
    on('session:back', ({ sessionId }) => {
      const s = this.current;
      if ((s.status !== 'active' && s.status !== 'waiting') || s.sessionId !== sessionId || !s.deviceAway) return;
      const { deviceAway: _, awaySince: __, ...back } = s;
      this.setState(back);
    });
    socket.on('disconnect', (reason) => this.onRelayLost(reason));
    on('session:mode', ({ mode }) => {
      if (this.current.status === 'active') this.setState({ ...this.current, mode });
    });
    on('session:signal', ({ signal }) => {
      if (this.current.status === 'active') this.opts.emit('operator:signal', signal);
    });
    on('session:ended', ({ sessionId, reason }) => {
      const operator = this.me(); // throws before anything changes when the relay has not said who we are
      this.assistance = null;
      this.setState({ status: 'ended', operator, sessionId, reason });
    });
    on('relay:error', (error) => this.onRelayError(error));
    socket.on('connect_error', (err) => {
      const refusal = readConnectRefusal(err);
      if (refusal?.code === 'unauthorized') {
        this.log(`the relay refused the operator token: ${refusal.message}`);
        socket.disconnect();
        this.assistance = null;
        return this.signedOut(
          this.opts.refusedMessage?.(this.origin) ??
            `The relay at ${this.origin} did not accept your operator token. Ask its administrator for a new one.`,
        );
      }
      const reason = refusal?.message ?? describeConnectionFailure(err);
      // Inside a session a failed reconnect attempt changes nothing: the client keeps trying,
      // and the session resumes when the relay answers again.
      if (['waiting', 'active', 'password'].includes(this.current.status)) {
        if (refusal) retryAfterRefusal(socket, () => this.socket);
        return this.log(`reconnecting to the relay: ${reason}`);
      }
      this.signedOut(
        refusal
          ? `The relay at ${this.origin} could not check your operator token just now (${reason}). Try again in a moment.`
          : `Cannot reach the relay at ${this.origin}: ${reason}`,
      );
    });
    return started;
  }

  join(sessionId: SessionId): void {
    this.requireIdle();
    this.pendingJoin = sessionId;
    this.socket!.emit('session:join', { sessionId });
  }

  /**
   * Opens an assistance from a verified activation token. Attended: the user is asked at once.
   * Unattended: the relay is asked first, without a password, whether the file is still good
   * (a used one says so before anyone types), then the password (submitPassword); one the app
   * was given with the file (Ask again) is sent at once.
   */
  openAssistance(
    token: string,
    sessionId: SessionId,
    mode: AssistanceMode,
    about: Pick<OpenedAssistance, 'deviceName' | 'expiresAt' | 'password'> = {},
  ): Promise<void> {
    this.requireIdle();
    this.assistance = { token, sessionId, mode, ...about };
    this.pendingJoin = sessionId;
    const password = mode === 'unattended' ? about.password : undefined;
    // Settled by the relay's first answer (the next state), or given up on after a while.
    const answered = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, OPEN_ANSWER_MS);
      unref(timer);
      this.answered = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.socket!.emit('assistance:open', { activation: token, ...(password ? { password } : {}) });
    return answered;
  }

  submitPassword(password: string): void {
    const s = this.current;
    if (s.status !== 'password' || !this.assistance) throw new Error('No password is asked for now.');
    if (s.retryAt && s.retryAt > Date.now()) throw new Error('Wait a moment before trying again.');
    this.socket?.emit('assistance:open', { activation: this.assistance.token, password });
  }

  leave(): void {
    const s = this.current;
    if (s.status === 'password' && this.assistance) {
      this.assistance = null;
      this.setState({ status: 'idle', operator: this.me() });
      return;
    }
    if (s.status !== 'waiting' && s.status !== 'active') return;
    this.assistance = null;
    this.socket?.emit('session:end', { sessionId: s.sessionId });
    this.setState({ status: 'ended', operator: this.me(), sessionId: s.sessionId, reason: 'operator-left' });
  }

  sendSignal(signal: PeerSignal): void {
    const s = this.current;
    if (s.status !== 'active') throw new Error('No session is active.');
    this.socket?.emit('session:signal', { sessionId: s.sessionId, signal });
  }

  /** Drops the relay connection as a network failure would (the client reconnects by itself). */
  dropConnection(): void {
    this.socket?.io.engine?.close();
  }

  stop(): void {
    this.clearRelayGrace();
    this.leave();
    this.socket?.removeAllListeners();
    this.socket?.disconnect();
    this.socket = null;
  }

  /** The relay connection dropped: inside a session the viewer says so, after the grace that it is unreachable. */
  private onRelayLost(reason: string): void {
    const s = this.current;
    if ((s.status !== 'active' && s.status !== 'waiting') || s.relayLost) return;
    this.log(`relay connection lost (${reason}); reconnecting`);
    const since = this.now();
    const relay = this.origin;
    this.setState({ ...s, relayLost: { since, relay } });
    this.clearRelayGrace();
    this.relayGrace = setTimeout(() => {
      this.relayGrace = null;
      const now = this.current;
      if ((now.status === 'active' || now.status === 'waiting') && now.relayLost?.since === since)
        this.setState({ ...now, relayLost: { since, relay, unreachable: true } });
    }, this.opts.relayGraceMs ?? RELAY_GRACE_MS);
    unref(this.relayGrace);
  }

  private clearRelayGrace(): void {
    if (this.relayGrace) clearTimeout(this.relayGrace);
    this.relayGrace = null;
  }

  private now(): number {
    return this.opts.now?.() ?? Date.now();
  }

  private onReady(socket: RelaySocket, operator: OperatorIdentity): void {
    this.identity = operator;
    this.clearRelayGrace();
    let s = this.current;
    // Reached again: whatever the session's state, the relay connection is back.
    if ((s.status === 'waiting' || s.status === 'active') && s.relayLost) {
      const { relayLost: _, ...back } = s;
      this.setState(back);
      s = back;
    }
    // Back after a network drop inside a session: an assistance resumes with its token (no
    // new password or consent); a session joined by ID joins again and the relay, seeing the
    // same operator, admits it without a new consent if the user had already allowed it.
    if (s.status === 'waiting' || s.status === 'active') {
      const resumeToken = this.assistance?.resumeToken;
      if (resumeToken) socket.emit('session:resume', { sessionId: s.sessionId, resumeToken });
      else if (this.assistance) socket.emit('assistance:open', { activation: this.assistance.token });
      else socket.emit('session:join', { sessionId: s.sessionId });
      return;
    }
    if (s.status === 'signed-out') this.setState({ status: 'idle', operator });
  }

  private onRelayError(error: RelayError): void {
    this.log(`relay refused ${error.event ?? 'a message'}: ${error.code}: ${error.message}`);
    if (!this.identity) return;
    const sessionId = this.pendingJoin ?? '';
    // The relay checked the file (unused, not locked, not over, allowed): now the password.
    if (error.event === 'assistance:open' && error.code === 'password-required' && this.assistance) {
      const { deviceName } = this.assistance;
      return this.setState({ status: 'password', sessionId, ...(deviceName ? { deviceName } : {}) });
    }
    if (error.event === 'assistance:open' && this.current.status === 'password') {
      const again = passwordAgain(error, this.current, sessionId, Date.now());
      if (again) return this.setState(again);
    }
    // An assistance that is over: how it really ended (a decline, say), never a timeout that did not happen.
    if (error.event === 'session:resume' || (error.event === 'assistance:open' && error.endReason)) {
      this.assistance = null;
      const reason = error.endReason ?? 'expired';
      return this.setState({ status: 'ended', operator: this.identity, sessionId, reason });
    }
    if (error.event === 'session:join' || error.event === 'assistance:open') {
      this.assistance = null;
      const message = refusalMessage(error, sessionId);
      if (error.event === 'assistance:open') this.setState({ status: 'refused', message });
      else this.setState({ status: 'idle', operator: this.identity, message });
    }
  }

  private requireIdle(): void {
    if (!this.identity || !this.socket?.connected) throw new Error('Not connected to the relay yet.');
    const busy = ['waiting', 'active', 'password'].includes(this.current.status);
    if (busy) throw new Error('Leave the current session before starting another.');
  }

  private me(): OperatorIdentity {
    if (!this.identity) throw new Error('not authenticated');
    return this.identity;
  }

  /** Not signed in to this relay: the window says which relay, and why. */
  private signedOut(message: string): void {
    this.setState({ status: 'signed-out', relay: this.origin, message });
  }

  private get origin(): string {
    return new URL(this.opts.relayUrl).origin;
  }

  private setState(state: OperatorState): void {
    // How this app reaches the relay goes with every state, for the connection details.
    const next = { ...state, ...this.opts.shown };
    this.current = next;
    this.answered?.();
    this.answered = null;
    this.opts.emit('operator:state', next);
  }

  private log(message: string): void {
    this.opts.log?.(`[operator] ${message}`);
  }
}
