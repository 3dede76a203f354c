/**
 * The operator side of a session, in the main process: authenticates to the relay with the
 * operator's token (the relay, not this app, states who the operator is), joins a session by
 * ID, and carries WebRTC signals between the viewer and the relay.
 */
import type { OperatorIdentity, PeerSignal, SessionId } from '../../shared/protocol.js';
import type { EventPayloads, OperatorState } from '../../shared/ipc.js';
import { connectToRelay, type RelaySocket } from '../relay-client.js';

export interface OperatorSessionOptions {
  relayUrl: string;
  /** The operator's relay token; null when the app has none (the reason says why). */
  token: string | null;
  missingTokenReason?: string;
  emit: <E extends 'operator:state' | 'operator:signal'>(channel: E, payload: EventPayloads[E]) => void;
  log?: (message: string) => void;
}

/** What the relay's refusals mean to the operator. */
const refusalMessages: Record<string, (sessionId: string) => string> = {
  'no-such-session': (id) => `No device is waiting with session ID ${id}. Check the number with the user.`,
  'session-busy': () => 'Another operator is already in this session.',
  forbidden: () => 'The relay refused this request.',
};

export class OperatorSession {
  private socket: RelaySocket | null = null;
  private current: OperatorState = { status: 'signed-out' };
  private identity: OperatorIdentity | null = null;
  /** The session ID last asked for, to name it in a refusal. */
  private pendingJoin: SessionId | null = null;

  constructor(private readonly opts: OperatorSessionOptions) {}

  get state(): OperatorState {
    return this.current;
  }

  start(): void {
    if (!this.opts.token) {
      this.setState({ status: 'signed-out', message: this.opts.missingTokenReason ?? 'No operator token is set up for this relay.' });
      return;
    }
    const socket = connectToRelay(this.opts.relayUrl, { role: 'operator', token: this.opts.token });
    this.socket = socket;
    socket.on('operator:ready', ({ operator }) => {
      this.identity = operator;
      const s = this.current;
      // Back after a network drop inside a session: join again; the relay replaces the old
      // connection and, if the user had already allowed us, admits us without a new consent.
      if (s.status === 'waiting' || s.status === 'active') {
        socket.emit('session:join', { sessionId: s.sessionId });
        return;
      }
      this.setState({ status: 'idle', operator });
    });
    socket.on('session:waiting', ({ sessionId, deviceName }) =>
      this.setState({ status: 'waiting', operator: this.me(), sessionId, deviceName }),
    );
    socket.on('session:admitted', ({ sessionId, mode }) => {
      const deviceName = this.current.status === 'waiting' || this.current.status === 'active' ? this.current.deviceName : '';
      this.setState({ status: 'active', operator: this.me(), sessionId, deviceName, mode });
    });
    socket.on('session:mode', ({ mode }) => {
      if (this.current.status === 'active') this.setState({ ...this.current, mode });
    });
    socket.on('session:signal', ({ signal }) => {
      if (this.current.status === 'active') this.opts.emit('operator:signal', signal);
    });
    socket.on('session:ended', ({ sessionId, reason }) => this.setState({ status: 'ended', operator: this.me(), sessionId, reason }));
    socket.on('relay:error', ({ code, message, event }) => {
      this.log(`relay refused ${event ?? 'a message'}: ${code}: ${message}`);
      if (event === 'session:join' && this.identity) {
        const pending = this.pendingJoin ?? '';
        const text = refusalMessages[code]?.(pending) ?? message;
        this.setState({ status: 'idle', operator: this.identity, message: text });
      }
    });
    socket.on('connect_error', (err) => {
      const unauthorized = err.message.startsWith('unauthorized');
      if (unauthorized) socket.disconnect();
      this.setState({
        status: 'signed-out',
        message: unauthorized
          ? 'The relay did not accept your operator token. Ask your relay administrator for a new one.'
          : `Cannot reach the relay at ${this.opts.relayUrl}: ${err.message}`,
      });
    });
  }

  join(sessionId: SessionId): void {
    if (!this.identity || !this.socket?.connected) throw new Error('Not connected to the relay yet.');
    if (this.current.status === 'waiting' || this.current.status === 'active') {
      throw new Error('Leave the current session before joining another.');
    }
    this.pendingJoin = sessionId;
    this.socket.emit('session:join', { sessionId });
  }

  leave(): void {
    const s = this.current;
    if (s.status !== 'waiting' && s.status !== 'active') return;
    this.socket?.emit('session:end', { sessionId: s.sessionId });
    this.setState({ status: 'ended', operator: this.me(), sessionId: s.sessionId, reason: 'operator-left' });
  }

  sendSignal(signal: PeerSignal): void {
    const s = this.current;
    if (s.status !== 'active') throw new Error('No session is active.');
    this.socket?.emit('session:signal', { sessionId: s.sessionId, signal });
  }

  stop(): void {
    this.leave();
    this.socket?.removeAllListeners();
    this.socket?.disconnect();
    this.socket = null;
  }

  private me(): OperatorIdentity {
    if (!this.identity) throw new Error('not authenticated');
    return this.identity;
  }

  private setState(next: OperatorState): void {
    this.current = next;
    this.opts.emit('operator:state', next);
  }

  private log(message: string): void {
    this.opts.log?.(`[operator] ${message}`);
  }
}
