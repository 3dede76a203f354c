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

let peer: Peer | null = null;

export function sendInput(event: InputEvent): void {
  peer?.send({ kind: 'input', event });
}

export function startRemoteScreen(api: FlxraApi): void {
  const drop = () => {
    peer?.destroy();
    peer = null;
    const { stream, setStream, setDisplays, setVerification } = useOperatorStore.getState();
    stream?.getTracks().forEach((t) => t.stop());
    setStream(null);
    setDisplays([]);
    setVerification(null);
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
    if (s.status !== 'active') drop();
  };

  const onSignal = (signal: PeerSignal, certificate: RTCCertificate | null) => {
    if (signal.type === 'offer') {
      drop();
      let exchange: SasExchange | null = null;
      const p = createPeer(
        'operator',
        {
          onSignal: (answer) => void api.operator.sendSignal(answer).catch(() => undefined),
          onStream: (stream) => {
            useOperatorStore.getState().setStream(stream);
            picture(p, link(true)); // media arrives: the transport is up
          },
          onConnect: () => picture(p, link(true)),
          onLink: (up) => picture(p, link(up)),
          onMessage: (m) => {
            if (m.kind === 'displays') useOperatorStore.getState().setDisplays(m.displays);
            else if (m.kind === 'capture-stopped') picture(p, (c) => ({ ...c, captureStoppedAt: Date.now() }));
            else if (isSasMessage(m)) exchange?.receive(m);
          },
          onClose: () => {
            picture(p, link(false));
            useOperatorStore.getState().setStream(null);
          },
          onError: (e) => console.warn('peer error', e.message),
        },
        { certificate },
      );
      exchange = createSasExchange('operator', {
        send: (m) => p.send(m),
        fingerprints: () => p.fingerprints(),
        done: (outcome) => {
          if (peer === p) useOperatorStore.getState().setVerification(outcome);
        },
      });
      peer = p;
    }
    peer?.signal(signal);
  };

  api.operator.onState(onSession);
  // In order, each once this page's certificate exists (made once, in a few milliseconds).
  const certificate = peerCertificate();
  api.operator.onSignal((signal) => void certificate.then((c) => onSignal(signal, c)));
  void api.operator.getState().then(onSession);
}
