/**
 * Streams the screen to the admitted operator. Nothing is captured and no track exists until
 * main reports an active session (the user allowed it); the moment the session leaves that
 * state, the peer is closed and the capture stopped. Should the capture stop by itself, the
 * operator is told (a capture-stopped message on the data channel).
 *
 * Each connection's verification words are derived with the operator (src/shared/sas-exchange.ts)
 * and reported to main, which alone decides what they allow; a new connection is reported first
 * as unverified, before it exists.
 */
import type { FlxraApi } from '../../shared/api';
import type { HostState } from '../../shared/ipc';
import { createSasExchange, isSasMessage, type SasExchange } from '../../shared/sas-exchange';
import { createPeer, peerCertificate, type Peer } from '../shared/peer';
import { useHostStore } from './store';

export function startScreenStreaming(api: FlxraApi): void {
  let capture: MediaStream | null = null;
  let peer: Peer | null = null;
  let starting = false;

  const closePeer = () => {
    peer?.destroy();
    peer = null;
  };

  const stopAll = () => {
    closePeer();
    capture?.getTracks().forEach((t) => t.stop());
    capture = null;
    useHostStore.getState().setStream('off');
    useHostStore.getState().setSound(false);
  };

  const openPeer = async () => {
    if (!capture) return;
    closePeer();
    const [displays, certificate] = await Promise.all([api.host.getDisplays(), peerCertificate()]);
    // Main holds control back until this connection's words are in (where the device requires them).
    await api.host.reportVerification(null).catch(() => undefined);
    if (!capture) return;
    closePeer(); // should another one have opened meanwhile
    let exchange: SasExchange | null = null;
    const p = createPeer(
      'host',
      {
        onSignal: (signal) => void api.host.sendSignal(signal).catch(() => undefined),
        onConnect: () => {
          p.send({ kind: 'displays', displays });
          useHostStore.getState().setStream('streaming');
          exchange?.start();
        },
        onMessage: (m) => {
          if (m.kind === 'input') void api.host.injectInput(m.event).catch(() => undefined);
          else if (isSasMessage(m)) exchange?.receive(m);
        },
        onError: (e) => console.warn('peer error', e.message),
      },
      { stream: capture, certificate },
    );
    exchange = createSasExchange('host', {
      send: (m) => p.send(m),
      fingerprints: () => p.fingerprints(),
      done: (outcome) => {
        if (peer !== p) return; // a connection replaced since
        if (!outcome.ok) return console.warn(`verification words: ${outcome.problem}`);
        void api.host
          .reportVerification({ words: outcome.words, connection: outcome.connection })
          .catch(() => undefined);
      },
    });
    peer = p;
  };

  /**
   * The capture can stop under the session (the user stopped sharing, the source went away): the
   * operator is told at once over the data channel, so that its viewer says so instead of showing
   * a frozen picture as if it were live; this window says so too.
   */
  const watchCaptureEnd = (stream: MediaStream) => {
    const [video] = stream.getVideoTracks();
    video?.addEventListener('ended', () => {
      if (capture !== stream) return;
      peer?.send({ kind: 'capture-stopped' });
      useHostStore.getState().setStream('stopped');
    });
  };

  const startCapture = async () => {
    if (starting || capture) return;
    starting = true;
    useHostStore.getState().setStream('starting');
    try {
      const [display] = await api.host.getDisplays();
      const session = useHostStore.getState().session;
      capture = await navigator.mediaDevices.getDisplayMedia({
        // Explicit size: otherwise the track takes the page's viewport size.
        video: display ? { width: display.width, height: display.height, frameRate: 30 } : { frameRate: 30 },
        // Sound only where the policy allows audio redirection (off by default) and the user was told.
        audio: session.status === 'active' && session.audio === true,
      });
      // Asked for, sound may still be missing: the system cannot share it (Linux, no loopback).
      useHostStore.getState().setSound(capture.getAudioTracks().length > 0);
      watchCaptureEnd(capture);
      if (useHostStore.getState().session.status !== 'active') return stopAll();
      await openPeer();
    } catch (err) {
      useHostStore.getState().setStream('failed', (err as Error).message);
    } finally {
      starting = false;
    }
  };

  // The user shares again after the capture stopped: a fresh capture and a fresh peer (the operator's viewer follows).
  useHostStore.setState({
    shareAgain: () => {
      if (useHostStore.getState().stream !== 'stopped') return;
      closePeer();
      capture?.getTracks().forEach((t) => t.stop());
      capture = null;
      void startCapture();
    },
  });

  const onSession = (s: HostState) => {
    useHostStore.getState().setSession(s);
    if (s.status === 'active') void startCapture();
    else stopAll();
  };

  api.host.onState(onSession);
  api.host.onSignal((signal) => peer?.signal(signal));
  // After this host's own drop the peer may have survived (it does not pass through the relay).
  api.host.onPeerReset(({ ifDown }) => {
    if (ifDown && peer?.connected) return;
    void openPeer();
  });
  void api.host.getState().then(onSession);
}
