/**
 * A relay in the middle, for the verification words' end-to-end test: what the relay a help desk
 * runs could do if it turned hostile (or was taken over). Host and operator connect to it as to
 * their relay, and it passes every event on to a real relay and back, except the WebRTC
 * signalling: that it answers itself, with peers of its own in a Chromium page, one connection
 * facing the host and one facing the operator. The host's screen goes on to the operator and
 * every data-channel message both ways (input, displays, the words' exchange), so both sides
 * have a working session; but each one's connection ends in the middle, with the middle's
 * certificates, so their words differ.
 *
 *   const relay = await startTestRelay();
 *   const middle = await startMitmRelay(relay, await launchChromium());
 *   const rig = await startSessionRigOn(display, middle.relay, …);   // rig.relay.url is the middle's
 *   middle.hostConnections();                                         // peers it opened to the host
 */
import http from 'node:http';
import { createRequire } from 'node:module';
import type { Browser } from 'playwright-core';
import { Server } from 'socket.io';
import { io as connectUpstream } from 'socket.io-client';
import type { PeerSignal } from '../../src/shared/protocol.js';
import type { RigRelay } from './session-rig.js';

type Side = 'host' | 'operator';
type Upstream = ReturnType<typeof connectUpstream>;

// Page-side code stays a string: functions transpiled by tsx do not survive serialisation.
const MIDDLE = `
  (() => {
    const peers = { host: null, operator: null };
    // What one side sent before the other side's connection was up.
    const waiting = { host: [], operator: [] };
    const other = { host: 'operator', operator: 'host' };
    let hostConnections = 0;
    const send = (side, text) => {
      const p = peers[side];
      if (p && p.connected) p.send(text);
      else waiting[side].push(text);
    };
    const open = (side, opts) => {
      peers[side]?.destroy();
      const p = new SimplePeer({ trickle: true, config: { iceServers: [] }, ...opts });
      peers[side] = p;
      p.on('signal', (s) => window.__middleSignal(side, JSON.stringify(s)));
      p.on('connect', () => { for (const text of waiting[side].splice(0)) p.send(text); });
      p.on('data', (d) => send(other[side], typeof d === 'string' ? d : new TextDecoder().decode(d)));
      p.on('error', () => undefined);
      return p;
    };
    window.__middleDeliver = (side, text) => {
      const signal = JSON.parse(text);
      // The host starts every connection: a new offer is a new pair of connections in the middle.
      if (side === 'host' && signal.type === 'offer') {
        waiting.host = [];
        waiting.operator = [];
        hostConnections++;
        open('host', { initiator: false }).on('stream', (stream) => open('operator', { initiator: true, stream }));
      }
      peers[side]?.signal(signal);
    };
    window.__middleHostConnections = () => hostConnections;
  })();
`;

export interface MitmRelay<R extends RigRelay> {
  /** The upstream relay as the rig sees it, but at the middle's address. */
  relay: R;
  /** How many connections the middle answered for the host (one per host offer). */
  hostConnections(): Promise<number>;
  close(): Promise<void>;
}

export async function startMitmRelay<R extends RigRelay>(upstream: R, browser: Browser): Promise<MitmRelay<R>> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const server = http.createServer();
  const io = new Server(server, { serveClient: false });
  /** Where each side's signals go: its socket, and the session the host named in its own. */
  const sides: Partial<Record<Side, { emit(event: string, payload: unknown): void }>> = {};
  let sessionId: string | null = null;
  /** Each client's connection to the real relay, and what the relay sent before the client was in. */
  const upstreams = new WeakMap<object, { up: Upstream; early: unknown[][] }>();

  await page.exposeFunction('__middleSignal', (side: Side, text: string) => {
    const signal = JSON.parse(text) as PeerSignal;
    if (sessionId) sides[side]?.emit('session:signal', { sessionId, signal });
  });
  await page.setContent('<!doctype html><title>relay in the middle</title>');
  await page.addScriptTag({ path: createRequire(import.meta.url).resolve('simple-peer/simplepeer.min.js') });
  await page.addScriptTag({ content: MIDDLE });

  // Each client gets in only when the real relay lets the same handshake in (its refusals pass through).
  io.use((socket, next) => {
    const up = connectUpstream(upstream.url, {
      auth: socket.handshake.auth,
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    const early: unknown[][] = [];
    up.onAny((...args: unknown[]) => void early.push(args));
    up.once('connect', () => {
      upstreams.set(socket, { up, early });
      next();
    });
    up.once('connect_error', (err: Error & { data?: unknown }) => {
      up.close();
      next(Object.assign(new Error(err.message), { data: err.data }));
    });
  });
  io.on('connection', (socket) => {
    const { up, early } = upstreams.get(socket)!;
    const role = (socket.handshake.auth as { role?: unknown }).role;
    const side: Side | null = role === 'host' || role === 'operator' ? role : null;
    if (side) sides[side] = socket;
    // Relay → client: all of it (no signal comes, since the middle forwards none).
    const down = (args: unknown[]) => void socket.emit(...(args as [string, ...unknown[]]));
    up.offAny();
    up.onAny((...args: unknown[]) => down(args));
    for (const args of early.splice(0)) down(args);
    // Client → relay: all of it but the signalling, which the middle's own peers answer.
    socket.onAny((event: string, ...args: unknown[]) => {
      const payload = args[0] as { sessionId?: string; signal?: unknown } | undefined;
      if (event !== 'session:signal' || !side) return void up.emit(event, ...args);
      if (side === 'host' && typeof payload?.sessionId === 'string') sessionId = payload.sessionId;
      void page
        .evaluate(`window.__middleDeliver(${JSON.stringify(side)}, ${JSON.stringify(JSON.stringify(payload?.signal))})`)
        .catch(() => undefined);
    });
    socket.on('disconnect', () => up.disconnect());
    up.on('disconnect', (reason) =>
      reason === 'io server disconnect' ? socket.disconnect(true) : socket.conn.close(),
    );
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    relay: { ...upstream, url: `http://127.0.0.1:${port}` },
    hostConnections: () => page.evaluate<number>('window.__middleHostConnections()'),
    close: async () => {
      await io.close();
      await context.close().catch(() => undefined);
    },
  };
}
