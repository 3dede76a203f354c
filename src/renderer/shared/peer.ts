/**
 * The one place that knows simple-peer (unmaintained, so kept behind this small interface).
 * The host is always the initiator, so there is no glare; simple-peer has no ICE restart, so
 * recovery is a fresh peer over the same admitted session.
 */
import SimplePeer from 'simple-peer/simplepeer.min.js';
import type { PeerSignal } from '../../shared/protocol';
import { ChannelMessage } from '../../shared/input-events';

export interface PeerHandlers {
  onSignal(signal: PeerSignal): void;
  onConnect?(): void;
  onStream?(stream: MediaStream): void;
  onMessage?(message: ChannelMessage): void;
  onClose?(): void;
  onError?(error: Error): void;
}

export interface Peer {
  signal(signal: PeerSignal): void;
  send(message: ChannelMessage): void;
  destroy(): void;
  readonly connected: boolean;
}

export function createPeer(role: 'host' | 'operator', handlers: PeerHandlers, stream?: MediaStream): Peer {
  const peer = new SimplePeer({
    initiator: role === 'host',
    trickle: true,
    ...(stream ? { stream } : {}),
    // Loopback and LAN work with host candidates; TURN comes from the relay in a later step.
    config: { iceServers: [] },
  });
  let destroyed = false;
  peer.on('signal', (data) => handlers.onSignal(data));
  peer.on('connect', () => handlers.onConnect?.());
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
  peer.on('close', () => handlers.onClose?.());
  peer.on('error', (err: Error) => handlers.onError?.(err));
  return {
    signal: (s) => {
      if (!destroyed) peer.signal(s as SimplePeer.SignalData);
    },
    send: (m) => {
      if (!destroyed && peer.connected) peer.send(JSON.stringify(m));
    },
    destroy: () => {
      destroyed = true;
      peer.destroy();
    },
    get connected() {
      return peer.connected;
    },
  };
}
