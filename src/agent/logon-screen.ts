/**
 * An unattended assistance on a device with nobody signed in (issue 12, item 3; docs/secure-desktop.md,
 * "Nobody signed in"). There is no user, so no host is started: no process runs in anyone's
 * session and nobody's data is touched. The agent itself takes the assistance's place on the relay
 * with the one-time host token the relay gave it (the relay's ordinary host handshake, so the
 * relay's rules apply unchanged: the one-time password admits the operator, nothing else does),
 * and the operator is served by the secure-desktop helper's stream, the logon screen, over the
 * agent's own relay connection. This connection carries no screen and takes no input; it only
 * says when the operator was admitted (the helper is started then, not before: nothing is captured
 * before the password) and when the assistance is over.
 */
import { io, type Socket } from 'socket.io-client';
import type { Agent as HttpAgent } from 'node:http';
import { hostname } from 'node:os';
import { HandshakeAuth, readConnectRefusal, relayEvents, type SessionId } from '../shared/protocol.js';
import { describeConnectionFailure } from '../shared/relay-certificate.js';

export interface LogonScreenOptions {
  relayUrl: string;
  sessionId: SessionId;
  hostToken: string;
  proxyAgent?: HttpAgent;
  /** The operator is in (the right password): the helper may start now. */
  admitted(): void;
  log(line: string): void;
}

export interface LogonScreenPlace {
  /** Resolves when the assistance's place is given up (ended, expired, the relay gone, taken over, or closed). */
  exited: Promise<void>;
  /** The assistance's host resume token (assistance:prepared): what a host started after a sign-in comes in with. */
  resumeToken(): string | null;
  close(): void;
}

/** Takes the assistance's place on the relay; resolves once the relay accepted the token. */
export function takeLogonScreenPlace(opts: LogonScreenOptions): Promise<LogonScreenPlace> {
  const auth = HandshakeAuth.parse({
    role: 'host',
    deviceName: hostname().slice(0, 64) || 'device',
    hostToken: opts.hostToken,
  });
  const socket: Socket = io(opts.relayUrl, {
    auth,
    transports: ['websocket'],
    // One token, one connection: a lost one is the assistance's end here (the relay says so to the operator).
    reconnection: false,
    forceNew: true,
    ...(opts.proxyAgent ? { agent: opts.proxyAgent as unknown as string } : {}),
  });
  let resolveExit!: () => void;
  const exited = new Promise<void>((r) => (resolveExit = r));
  let admitted = false;
  let resumeToken: string | null = null;
  socket.on('assistance:prepared', (payload: unknown) => {
    const parsed = relayEvents['assistance:prepared'].safeParse(payload);
    if (parsed.success && parsed.data.sessionId === opts.sessionId) resumeToken = parsed.data.hostResumeToken;
  });
  const close = () => {
    socket.removeAllListeners();
    socket.disconnect();
    resolveExit();
  };
  const checked = <E extends 'session:unattended-start' | 'session:ended' | 'assistance:expired'>(
    event: E,
    handler: (sessionId: SessionId) => void,
  ) =>
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- socket.io needs the plain name
    socket.on(event as string, (payload: unknown) => {
      const parsed = relayEvents[event].safeParse(payload);
      if (parsed.success && parsed.data.sessionId === opts.sessionId) handler(parsed.data.sessionId);
    });
  checked('session:unattended-start', () => {
    if (admitted) return;
    admitted = true;
    opts.log(`assistance ${opts.sessionId}: the operator is in; nobody is signed in, so the logon screen is served`);
    opts.admitted();
  });
  // Nobody is here to answer a consent request: an attended one is declined by never being asked (see agent.ts).
  checked('session:ended', close);
  checked('assistance:expired', close);
  return new Promise<LogonScreenPlace>((resolve, reject) => {
    socket.once('connect', () => {
      socket.on('disconnect', () => close());
      resolve({ exited, close, resumeToken: () => resumeToken });
    });
    socket.once('connect_error', (err) => {
      close();
      reject(
        new Error(
          `the relay refused the logon screen's place: ${readConnectRefusal(err)?.message ?? describeConnectionFailure(err)}`,
        ),
      );
    });
  });
}
