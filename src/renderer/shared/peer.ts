/**
 * The one place that knows simple-peer (unmaintained, so kept behind this small interface).
 * The host is always the initiator, so there is no glare; simple-peer has no ICE restart, so
 * recovery is a fresh peer over the same admitted session.
 *
 * Each page keeps one DTLS certificate for as long as it is open (peerCertificate), so that a
 * fresh peer between the same two pages is recognisably the same connection, whose verification
 * words hold (src/shared/sas.ts); fingerprints() reads the certificates back from getStats.
 *
 * The ICE servers are the relay's (TURN with short-lived credentials, src/shared/ice.ts), given to
 * each peer as it is made; without them the peers connect directly. The path in use is read back
 * from getStats too (src/shared/peer-path.ts).
 */
import SimplePeer from 'simple-peer/simplepeer.min.js';
import type { PeerSignal } from '../../shared/protocol';
import { ChannelMessage } from '../../shared/input-events';
import { fingerprintsFromStats, type ConnectionFingerprints } from '../../shared/sas';
import { rtcIceConfiguration, type IceConfig } from '../../shared/ice';
import { peerPathFromStats, type PeerPath } from '../../shared/peer-path';
import { FILE_CHANNEL } from '../../shared/file-transfer';

export interface PeerHandlers {
  onSignal(signal: PeerSignal): void;
  onConnect?(): void;
  onStream?(stream: MediaStream): void;
  onMessage?(message: ChannelMessage): void;
  onClose?(): void;
  onError?(error: Error): void;
  /** The connection's transport as ICE reports it: up, or down (it may come back, or close). */
  onLink?(up: boolean): void;
  /** The path in use (direct or relayed, how, round trip), read once connected and every PATH_EVERY_MS after. */
  onPath?(path: PeerPath | null): void;
  /** The connection's stats reports, read with the path (for the viewer's quality: peer-quality.ts). */
  onStats?(reports: unknown[]): void;
}

/** How often the path's round trip is read again while connected (for people to read, not to time anything). */
const PATH_EVERY_MS = 2000;

export interface Peer {
  signal(signal: PeerSignal): void;
  send(message: ChannelMessage): void;
  /** The host: the picture's hint and the sender's caps (src/shared/video-quality.ts), applied once connected. */
  tuneSender(tuning: SenderTuning): void;
  /** The operator: how long the picture's jitter buffer may hold frames (ms; null: Chromium's own), now and later. */
  setPlayout(jitterBufferTargetMs: number | null): void;
  destroy(): void;
  /** The DTLS certificates of the connected transport, as this side sees them; null before it is up. */
  fingerprints(): Promise<ConnectionFingerprints | null>;
  readonly connected: boolean;
  /** Sends `next` instead of `old`, a track of the stream the peer was made with, on the same connection. */
  replaceTrack(old: MediaStreamTrack, next: MediaStreamTrack): void;
  /**
   * The files' own data channel (ordered, reliable; file-transfer.ts): negotiated, so both peers make it with the
   * same id and neither announces it; it opens with the connection and closes with it.
   */
  readonly files: RTCDataChannel;
}

export interface SenderTuning {
  contentHint: string;
  maxFramerate: number;
  maxBitrate: number;
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
/** simple-peer's own RTCPeerConnection (private in its types): its senders and receivers. */
const connectionOf = (peer: SimplePeer.Instance) => (peer as unknown as { _pc: RTCPeerConnection })._pc;

export function createPeer(
  role: 'host' | 'operator',
  handlers: PeerHandlers,
  opts: { stream?: MediaStream; certificate: RTCCertificate | null; ice?: IceConfig | null },
): Peer {
  const { stream } = opts;
  const peer = new SimplePeer({
    initiator: role === 'host',
    trickle: true,
    ...(stream ? { stream } : {}),
    // Loopback and LAN work with host candidates; TURN (its servers and credentials) comes from the relay.
    config: { ...rtcIceConfiguration(opts.ice), ...(opts.certificate ? { certificates: [opts.certificate] } : {}) },
  });
  const pc = (peer as unknown as { _pc: RTCPeerConnection })._pc;
  const files = pc.createDataChannel(FILE_CHANNEL.label, { negotiated: true, id: FILE_CHANNEL.id, ordered: true });
  files.binaryType = 'arraybuffer';
  let destroyed = false;
  let pathTimer: ReturnType<typeof setInterval> | null = null;
  const stats = (): Promise<unknown[] | null> =>
    new Promise((resolve) => {
      if (destroyed) return resolve(null);
      (peer as unknown as StatsPeer).getStats((err, reports) => resolve(err ? null : reports));
    });
  const readPath = () =>
    void stats().then((reports) => {
      if (destroyed) return;
      handlers.onPath?.(reports && peerPathFromStats(reports));
      if (reports) handlers.onStats?.(reports);
    });
  const stopPath = () => {
    if (pathTimer) clearInterval(pathTimer);
    pathTimer = null;
  };
  // The other side may write as soon as its channel is open, a moment before this side calls
  // itself connected: what is answered meanwhile waits for that (a few messages at most).
  const early: string[] = [];
  peer.on('signal', (data) => handlers.onSignal(data));
  peer.on('connect', () => {
    for (const text of early.splice(0)) peer.send(text);
    applyTuning();
    handlers.onConnect?.();
    if (handlers.onPath && !pathTimer) {
      readPath();
      pathTimer = setInterval(readPath, PATH_EVERY_MS);
    }
  });
  let tuning: SenderTuning | null = null;
  const videoSender = () =>
    connectionOf(peer)
      .getSenders()
      .find((s) => s.track?.kind === 'video');
  const applyTuning = () => {
    const sender = videoSender();
    if (!tuning || !sender?.track) return;
    sender.track.contentHint = tuning.contentHint;
    const params = sender.getParameters();
    const [encoding] = params.encodings ?? [];
    if (!encoding) return; // not negotiated yet: applied again once connected
    encoding.maxBitrate = tuning.maxBitrate;
    encoding.maxFramerate = tuning.maxFramerate;
    void sender.setParameters(params).catch((e: Error) => handlers.onError?.(e));
  };
  let playout: number | null | undefined;
  const applyPlayout = () => {
    if (playout === undefined) return;
    for (const r of connectionOf(peer).getReceivers())
      if (r.track.kind === 'video') (r as { jitterBufferTarget: number | null }).jitterBufferTarget = playout;
  };
  peer.on('stream', (s: MediaStream) => {
    applyPlayout();
    handlers.onStream?.(s);
  });
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
  peer.on('close', () => {
    stopPath();
    handlers.onClose?.();
  });
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
    tuneSender: (t) => {
      tuning = t;
      if (!destroyed) applyTuning();
    },
    setPlayout: (ms) => {
      playout = ms;
      if (!destroyed) applyPlayout();
    },
    destroy: () => {
      destroyed = true;
      stopPath();
      peer.destroy();
    },
    fingerprints: () => stats().then((reports) => reports && fingerprintsFromStats(reports)),
    get connected() {
      return peer.connected;
    },
    replaceTrack: (old, next) => {
      if (!destroyed && stream) peer.replaceTrack(old, next, stream);
    },
    files,
  };
}
