/**
 * The one place that knows simple-peer (unmaintained, so kept behind this small interface).
 * The host is always the initiator, so there is no glare; simple-peer has no ICE restart, so
 * recovery is a fresh peer over the same admitted session.
 *
 * Each page keeps one DTLS certificate for as long as it is open (peerCertificate), so that a
 * fresh peer between the same two pages is recognisably the same connection, whose verification
 * words hold (src/shared/sas.ts); fingerprints() reads the certificates back from getStats.
 */
import SimplePeer from 'simple-peer/simplepeer.min.js';
import type { PeerSignal } from '../../shared/protocol';
import { ChannelMessage } from '../../shared/input-events';
import { fingerprintsFromStats, type ConnectionFingerprints } from '../../shared/sas';

export interface PeerHandlers {
  onSignal(signal: PeerSignal): void;
  onConnect?(): void;
  onStream?(stream: MediaStream): void;
  onMessage?(message: ChannelMessage): void;
  onClose?(): void;
  onError?(error: Error): void;
  /** The connection's transport as ICE reports it: up, or down (it may come back, or close). */
  onLink?(up: boolean): void;
}

export interface Peer {
  signal(signal: PeerSignal): void;
  send(message: ChannelMessage): void;
  destroy(): void;
  /** The DTLS certificates of the connected transport, as this side sees them; null before it is up. */
  fingerprints(): Promise<ConnectionFingerprints | null>;
  readonly connected: boolean;
}

const ECDSA_P256: EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };
let certificate: Promise<RTCCertificate | null> | null = null;

/** This page's DTLS certificate, made once (null where the browser cannot: each peer then makes its own). */
export function peerCertificate(): Promise<RTCCertificate | null> {
  certificate ??= RTCPeerConnection.generateCertificate(ECDSA_P256).catch(() => null);
  return certificate;
}

const MAX_EARLY_MESSAGES = 16;

/** simple-peer's getStats, which its types leave out: the connection's stats reports, flattened. */
type StatsPeer = { getStats(cb: (err: Error | null, reports: unknown[]) => void): void };

export function createPeer(
  role: 'host' | 'operator',
  handlers: PeerHandlers,
  opts: { stream?: MediaStream; certificate: RTCCertificate | null },
): Peer {
  const { stream } = opts;
  const peer = new SimplePeer({
    initiator: role === 'host',
    trickle: true,
    ...(stream ? { stream } : {}),
    // Loopback and LAN work with host candidates; TURN comes from the relay in a later step.
    config: { iceServers: [], ...(opts.certificate ? { certificates: [opts.certificate] } : {}) },
  });
  let destroyed = false;
  // The other side may write as soon as its channel is open, a moment before this side calls
  // itself connected: what is answered meanwhile waits for that (a few messages at most).
  const early: string[] = [];
  peer.on('signal', (data) => handlers.onSignal(data));
  peer.on('connect', () => {
    for (const text of early.splice(0)) peer.send(text);
    handlers.onConnect?.();
  });
  peer.on('stream', (s: MediaStream) => handlers.onStream?.(s));
  peer.on('data', (raw: Uint8Array | string) => {
    const text = typeof raw === 'string' ? raw : new TextDecoder().decode(raw);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return; // not ours: ignore rather than trust
    }
    const parsed = ChannelMessage.safeParse(json);
    if (parsed.success) handlers.onMessage?.(parsed.data);
  });
  peer.on('iceStateChange', (state: RTCIceConnectionState) => {
    if (state === 'connected' || state === 'completed') handlers.onLink?.(true);
    else if (state === 'disconnected' || state === 'failed' || state === 'closed') handlers.onLink?.(false);
  });
  peer.on('close', () => handlers.onClose?.());
  peer.on('error', (err: Error) => handlers.onError?.(err));
  return {
    signal: (s) => {
      if (!destroyed) peer.signal(s as SimplePeer.SignalData);
    },
    send: (m) => {
      if (destroyed) return;
      if (peer.connected) peer.send(JSON.stringify(m));
      else if (early.length < MAX_EARLY_MESSAGES) early.push(JSON.stringify(m));
    },
    destroy: () => {
      destroyed = true;
      peer.destroy();
    },
    fingerprints: () =>
      new Promise((resolve) => {
        if (destroyed) return resolve(null);
        (peer as unknown as StatsPeer).getStats((err, reports) => resolve(err ? null : fingerprintsFromStats(reports)));
      }),
    get connected() {
      return peer.connected;
    },
  };
}
