/**
 * Receives the host's screen. The host starts every peer with an offer, so an offer always
 * begins a fresh peer (that is how a reconnect recovers: simple-peer has no ICE restart). Each
 * connection's verification words are derived with the host (src/shared/sas-exchange.ts), for the
 * operator to read out to the user. Whether the picture arrives (the peer's link, the host's word
 * that its capture stopped) goes to the store for the viewer's banner (connection-state.ts).
 */
import type { FlxraApi } from '../../shared/api';
import type { InputEvent } from '../../shared/input-events';
import type { OperatorState } from '../../shared/ipc';
import type { PeerSignal } from '../../shared/protocol';
import { createSasExchange, isSasMessage, type SasExchange } from '../../shared/sas-exchange';
import { createPeer, peerCertificate, type Peer } from '../shared/peer';
import type { Picture } from './connection-state';
import { useOperatorStore } from './store';
import { watchSecureDesktop } from './SecureDesktopScreen';
import { useViewerStore } from './viewer-store';
import { clipboardFromDevice, setClipboardSender } from './clipboard-store';
import { attachFilesChannel, resetFiles } from './files-store';
import { usePictureStore } from './PictureChoice';
import { QUALITY } from '../../shared/video-quality';

let peer: Peer | null = null;
let activeSession: string | null = null;

export function sendInput(event: InputEvent): void {
  peer?.send({ kind: 'input', event });
}

/** Asks the host to show one display (its id) or all of them (null); its 'showing' answer moves the picture. */
export function sendView(display: string | null): void {
  peer?.send({ kind: 'view', display });
}

/** The operator's choice of picture, to the host and to this side's receiver. */
function applyPicture(p: Peer | null, tellHost: boolean): void {
  const { choice } = usePictureStore.getState();
  p?.setPlayout(QUALITY[choice].jitterBufferTargetMs);
  if (tellHost) p?.send({ kind: 'quality', quality: choice });
}

export function startRemoteScreen(api: FlxraApi): void {
  usePictureStore.subscribe(() => applyPicture(peer, true));
  const drop = () => {
    peer?.destroy();
    peer = null;
    setClipboardSender(null);
    const { stream, setStream, setDisplays, setShowing, setVerification } = useOperatorStore.getState();
    stream?.getTracks().forEach((t) => t.stop());
    setStream(null);
    setDisplays([]);
    setShowing(null);
    setVerification(null);
    useOperatorStore.getState().setPath(null);
    useOperatorStore.getState().setPicture({ peer: 'connecting', since: Date.now() });
  };
  /** The picture's state moves on for the current peer only. */
  const picture = (p: Peer, change: (current: Picture) => Picture) => {
    if (peer !== p) return;
    const { picture: current, setPicture } = useOperatorStore.getState();
    setPicture(change(current));
  };
  const link =
    (up: boolean) =>
    (current: Picture): Picture => {
      const next = up && useOperatorStore.getState().stream ? 'connected' : up ? current.peer : 'lost';
      return next === current.peer ? current : { ...current, peer: next, since: Date.now() };
    };

  const onSession = (s: OperatorState) => {
    useOperatorStore.getState().setSession(s);
    const viewer = useViewerStore.getState();
    // Another session, or none: the last one's transfers end with it (none is offered to another device).
    if ((s.status === 'active' ? s.sessionId : null) !== activeSession) resetFiles();
    activeSession = s.status === 'active' ? s.sessionId : null;
    if (s.status === 'active') viewer.sessionActive(s.sessionId, s.deviceName);
    else if (s.status === 'ended') viewer.sessionEnded();
    if (s.status !== 'active') drop();
  };

  const onSignal = (signal: PeerSignal, certificate: RTCCertificate | null) => {
    if (signal.type === 'offer') {
      drop();
      let exchange: SasExchange | null = null;
      // The TURN servers the relay gave this session (it sends them before the host's offer can come).
      const session = useOperatorStore.getState().session;
      const ice = session.status === 'active' ? session.ice : undefined;
      const p = createPeer(
        'operator',
        {
          onSignal: (answer) => void api.operator.sendSignal(answer).catch(() => undefined),
          onStream: (stream) => {
            useOperatorStore.getState().setStream(stream);
            picture(p, link(true)); // media arrives: the transport is up
          },
          onConnect: () => {
            applyPicture(p, true);
            picture(p, link(true));
          },
          onLink: (up) => picture(p, link(up)),
          onPath: (path) => {
            if (peer === p) useOperatorStore.getState().setPath(path);
          },
          onStats: (reports) => {
            if (peer === p) useViewerStore.getState().readStats(reports);
          },
          onMessage: (m) => {
            if (m.kind === 'displays') useOperatorStore.getState().setDisplays(m.displays);
            else if (m.kind === 'showing') useOperatorStore.getState().setShowing({ display: m.display, rect: m.rect });
            else if (m.kind === 'capture-stopped') picture(p, (c) => ({ ...c, captureStoppedAt: Date.now() }));
            else if (m.kind === 'input-refused')
              useViewerStore.getState().setRefusal({ code: m.code, message: m.message });
            else if (isSasMessage(m)) exchange?.receive(m);
            else clipboardFromDevice(m);
          },
          onClose: () => {
            picture(p, link(false));
            useOperatorStore.getState().setStream(null);
          },
          onError: (e) => console.warn('peer error', e.message),
        },
        { certificate, ice: ice ?? null },
      );
      exchange = createSasExchange('operator', {
        send: (m) => p.send(m),
        fingerprints: () => p.fingerprints(),
        done: (outcome) => {
          if (peer === p) useOperatorStore.getState().setVerification(outcome);
        },
      });
      peer = p;
      applyPicture(p, false);
      setClipboardSender((m) => p.send(m));
      attachFilesChannel(p.files);
    }
    peer?.signal(signal);
  };

  api.operator.onState(onSession);
  api.operator.viewer.onNotesSaved((notes) => useViewerStore.getState().setNotesSaved(notes));
  watchSecureDesktop();
  // In order, each once this page's certificate exists (made once, in a few milliseconds).
  const certificate = peerCertificate();
  api.operator.onSignal((signal) => void certificate.then((c) => onSignal(signal, c)));
  void api.operator.getState().then(onSession);
}
