/**
 * Streams the screen to the admitted operator: the display it chose, or all (shown-display.ts).
 * Nothing is captured and no track exists until main reports an active session (the user allowed
 * it); the moment the session leaves that state, the peer is closed and the capture stopped.
 * Should the capture stop by itself, the operator is told (a capture-stopped message on the data
 * channel).
 *
 * Each connection's verification words are derived with the operator (src/shared/sas-exchange.ts)
 * and reported to main, which alone decides what they allow; a new connection is reported first
 * as unverified, before it exists.
 *
 * A connection lost to a change of network comes back as a fresh peer (simple-peer has no ICE
 * restart): at the relay's word that this host is back, unless its transport is up, and when a
 * connection that was up fails, while the session is still active.
 */
import type { FlxraApi } from '../../shared/api';
import { clipboardFromOperator } from './clipboard-channel';
import { hostFileChannel } from './files-channel';
import type { HostState } from '../../shared/ipc';
import { createSasExchange, isSasMessage, type SasExchange } from '../../shared/sas-exchange';
import { createPeer, peerCertificate, type Peer } from '../shared/peer';
import { captureSize, showDisplays, type ShownDisplay } from './shown-display';
import { useHostStore } from './store';
import { CAPTURE_FPS, DEFAULT_QUALITY, QUALITY, type VideoQuality } from '../../shared/video-quality';
import type { PeerPath } from '../../shared/peer-path';
import { keyFrameRequests } from '../../shared/peer-quality';

export function startScreenStreaming(api: FlxraApi): void {
  let capture: MediaStream | null = null;
  /** What of the capture goes to the operator (one display, or all): shown-display.ts. */
  let shown: ShownDisplay | null = null;
  let peer: Peer | null = null;
  /** The files channel's engine: one for the page, given each peer's channel (transfers resume across peers). */
  const files = hostFileChannel(api);
  /** Whether the current peer was made with the relay's TURN servers. */
  let peerHasIce = false;
  /** Whether the current peer's transport is up now (ICE connected), as its link last said. */
  let linkUp = false;
  let starting = false;
  /** The displays' layout, read while the consent window is shown (onSession). */
  let displaysEarly: ReturnType<FlxraApi['host']['getDisplays']> | null = null;
  // This page's DTLS certificate, made ahead (kept for the page's life: peer.ts).
  void peerCertificate();
  /** The operator's choice of picture (it says so on each connection), and the path its caps depend on. */
  let quality: VideoQuality = DEFAULT_QUALITY;
  let route: PeerPath['route'] = 'direct';
  const tune = (p = peer) => {
    const q = QUALITY[quality];
    p?.tuneSender({ contentHint: q.contentHint, maxFramerate: q.maxFramerate, maxBitrate: q.maxBitrate[route] });
  };

  // The user's shared clipboard, as main reads it changed: to the operator on the current peer.
  api.host.onClipboardShared(({ text }) => peer?.send({ kind: 'clipboard-text', text, how: 'shared' }));
  // The policy took the other displays away (session:features): the primary one is shown again.
  api.host.onAssist((view) => {
    if (view.features && !view.features.otherDisplays.allowed) shown?.primaryOnly();
  });

  const closePeer = () => {
    peer?.destroy();
    peer = null;
    useHostStore.getState().setPath(null);
  };
  const sessionIce = () => {
    const s = useHostStore.getState().session;
    return s.status === 'active' ? (s.ice ?? null) : null;
  };

  const stopAll = () => {
    closePeer();
    shown?.stream.getAudioTracks().forEach((t) => t.stop()); // a swapped capture's sound (recapture below)
    files.reset('The assistance ended.');
    shown?.stop();
    shown = null;
    capture?.getTracks().forEach((t) => t.stop());
    capture = null;
    useHostStore.getState().setStream('off');
    useHostStore.getState().setSound(false);
  };

  const openPeer = async (reported?: Promise<unknown>) => {
    if (!capture) return;
    closePeer();
    // Main holds control back until this connection's words are in (where the device requires them);
    // a first connection's report was sent alongside the capture's start (startCapture).
    const [certificate] = await Promise.all([
      peerCertificate(),
      reported ?? api.host.reportVerification(null).catch(() => undefined),
    ]);
    if (!capture || !shown) return;
    closePeer(); // should another one have opened meanwhile
    const sending = shown;
    let exchange: SasExchange | null = null;
    let wasConnected = false;
    /** The key frames the viewer had asked for at the last stats reading (each new ask sends a fresh frame). */
    let keyFramesAsked = 0;
    const ice = sessionIce();
    linkUp = false;
    const p = createPeer(
      'host',
      {
        onSignal: (signal) => void api.host.sendSignal(signal).catch(() => undefined),
        onLink: (up) => {
          if (peer === p) linkUp = up;
        },
        // A connection that was up and died (its network went away: ICE failed) is made again, as
        // the operator's reconnection would; one that never connected is not retried in a loop.
        onClose: () => {
          if (peer !== p || !wasConnected || !capture) return;
          if (useHostStore.getState().session.status === 'active') void openPeer();
        },
        onConnect: () => {
          wasConnected = true;
          for (const m of sending.greeting()) p.send(m);
          sending.refresh();
          useHostStore.getState().setStream('streaming');
          exchange?.start();
        },
        onMessage: (m) => {
          if (m.kind === 'input')
            void api.host
              .injectInput(m.event)
              .then((refused) => {
                // Refusals are the operator's to read (Ctrl+Alt+Del on Linux, a key the policy forbids): as data.
                if (refused) p.send({ kind: 'input-refused', input: m.event.t === 'sas' ? 'sas' : 'key', ...refused });
              })
              .catch(() => undefined);
          else if (m.kind === 'view')
            // Main decides (the policy's displays.switch); a refusal is the operator's to read.
            void api.host
              .chooseView(m.display)
              .then((refused) =>
                refused ? p.send({ kind: 'input-refused', input: 'view', ...refused }) : shown?.view(m.display),
              )
              .catch(() => undefined);
          else if (m.kind === 'quality') {
            quality = m.quality;
            if (peer === p) tune();
          } else if (isSasMessage(m)) exchange?.receive(m);
          else clipboardFromOperator(api, m, (answer) => p.send(answer));
        },
        onError: (e) => console.warn('peer error', e.message),
        // The viewer asked for a key frame (it lost one, or it joined late): a still screen sends
        // no frame of itself, so one goes now rather than at the next repair.
        onStats: (reports) => {
          const asked = keyFrameRequests(reports);
          if (peer !== p || asked === null) return;
          if (asked > keyFramesAsked) sending.refresh();
          keyFramesAsked = asked;
        },
        onPath: (path) => {
          if (peer !== p) return;
          useHostStore.getState().setPath(path);
          if (path && path.route !== route) {
            route = path.route;
            tune();
          }
        },
      },
      { stream: sending.stream, certificate, ice },
    );
    peerHasIce = ice !== null;
    tune(p); // applied once connected
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
    files.attach(p.files);
  };

  /**
   * The capture can stop under the session (the user stopped sharing, the source went away): the
   * operator is told at once over the data channel, so that its viewer says so instead of showing
   * a frozen picture as if it were live; this window says so too. Either track's end counts: the
   * capture's own, or the cropped one that is sent (shown-display.ts).
   */
  const watchCaptureEnd = (stream: MediaStream, sent: MediaStream) => {
    let told = false;
    const ended = () => {
      if (capture !== stream || told) return;
      told = true;
      peer?.send({ kind: 'capture-stopped' });
      useHostStore.getState().setStream('stopped');
    };
    for (const video of [...stream.getVideoTracks(), ...sent.getVideoTracks()]) video.addEventListener('ended', ended);
  };

  const startCapture = async () => {
    if (starting || capture) return;
    starting = true;
    useHostStore.getState().setStream('starting');
    try {
      // The peer to come is reported unverified at once, while the capture starts (it is made after both).
      const reported = api.host.reportVerification(null).catch(() => undefined);
      const early = displaysEarly;
      const displays = await (early ? early.catch(() => api.host.getDisplays()) : api.host.getDisplays());
      displaysEarly = null;
      const size = captureSize(displays);
      const session = useHostStore.getState().session;
      capture = await navigator.mediaDevices.getDisplayMedia({
        // Explicit size, the whole desktop's: otherwise the track takes the page's viewport size.
        video: size ? { ...size, frameRate: CAPTURE_FPS } : { frameRate: CAPTURE_FPS },
        // Sound only where the policy allows audio redirection (off by default) and the user was told.
        audio: session.status === 'active' && session.audio === true,
      });
      // Asked for, sound may still be missing: the system cannot share it (Linux, no loopback).
      useHostStore.getState().setSound(capture.getAudioTracks().length > 0);
      // Which display main captured, where the platform captures one per source (null: the whole desktop).
      const covers = await api.host.capturedDisplay();
      shown = showDisplays(api, capture, displays, (m) => peer?.send(m), {
        covers,
        recapture: (display) => void recapture(display),
        replaced: (old, next) => peer?.replaceTrack(old, next),
      });
      watchCaptureEnd(capture, shown.stream);
      if (useHostStore.getState().session.status !== 'active') return stopAll();
      await openPeer(reported);
    } catch (err) {
      useHostStore.getState().setStream('failed', (err as Error).message);
    } finally {
      starting = false;
    }
  };

  /**
   * Where each display is a capture source of its own (Electron with several): the operator chose
   * another display (main allowed it and knows the wish), so that one is captured and swapped in on
   * the same connection; the old capture's picture stops, its sound (if any) goes on.
   */
  let recapturing = false;
  const recapture = async (display: string | null) => {
    if (!shown || !capture || recapturing) return;
    recapturing = true;
    try {
      const size = captureSize(await api.host.getDisplays(), display);
      const next = await navigator.mediaDevices.getDisplayMedia({
        video: size ? { ...size, frameRate: 30 } : { frameRate: 30 },
        audio: false,
      });
      const covers = await api.host.capturedDisplay();
      if (!shown || !capture) return next.getTracks().forEach((t) => t.stop());
      const old = capture;
      capture = next;
      shown.swap(next, covers);
      watchCaptureEnd(next, shown.stream);
      old.getVideoTracks().forEach((t) => t.stop());
    } catch (err) {
      console.warn(`capture of display ${display ?? 'all'}: ${(err as Error).message}`);
    } finally {
      recapturing = false;
    }
  };

  // The user shares again after the capture stopped: a fresh capture and a fresh peer (the operator's viewer follows).
  useHostStore.setState({
    shareAgain: () => {
      if (useHostStore.getState().stream !== 'stopped') return;
      closePeer();
      shown?.stop();
      shown = null;
      capture?.getTracks().forEach((t) => t.stop());
      capture = null;
      void startCapture();
    },
  });

  const onSession = (s: HostState) => {
    useHostStore.getState().setSession(s);
    // While the user is asked: the displays' layout is read ahead (main's own list, nothing leaves
    // the device and nothing is captured), so that Allow goes straight to the capture.
    if (s.status === 'consent' && !displaysEarly) {
      displaysEarly = api.host.getDisplays();
      displaysEarly.catch(() => undefined); // asked again at Allow (startCapture)
    } else if (s.status !== 'active') displaysEarly = null;
    if (s.status !== 'active') return stopAll();
    // The relay's TURN servers came after this peer was made (they follow the user's consent):
    // a fresh peer with them, so that the connection can go through TURN where it must.
    if (peer && !peerHasIce && s.ice) {
      peerHasIce = true; // one fresh peer, however many states follow
      void openPeer();
    }
    void startCapture();
  };

  api.host.onState(onSession);
  api.host.onSignal((signal) => peer?.signal(signal));
  // After this host's own drop the peer may have survived (it does not pass through the relay):
  // kept only if its transport is up now, not merely not failed yet (a network change takes both).
  api.host.onPeerReset(({ ifDown }) => {
    if (ifDown && peer?.connected && linkUp) return;
    void openPeer();
  });
  void api.host.getState().then(onSession);
}
