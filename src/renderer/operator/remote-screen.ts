/**
 * Receives the host's screen. The host starts every peer with an offer, so an offer always
 * begins a fresh peer (that is how a reconnect recovers: simple-peer has no ICE restart).
 */
import type { FlxraApi } from '../../shared/api';
import type { InputEvent } from '../../shared/input-events';
import type { OperatorState } from '../../shared/ipc';
import { createPeer, type Peer } from '../shared/peer';
import { useOperatorStore } from './store';

let peer: Peer | null = null;

export function sendInput(event: InputEvent): void {
  peer?.send({ kind: 'input', event });
}

export function startRemoteScreen(api: FlxraApi): void {
  const drop = () => {
    peer?.destroy();
    peer = null;
    const { stream, setStream, setDisplays } = useOperatorStore.getState();
    stream?.getTracks().forEach((t) => t.stop());
    setStream(null);
    setDisplays([]);
  };

  const onSession = (s: OperatorState) => {
    useOperatorStore.getState().setSession(s);
    if (s.status !== 'active') drop();
  };

  api.operator.onState(onSession);
  api.operator.onSignal((signal) => {
    if (signal.type === 'offer') {
      drop();
      peer = createPeer('operator', {
        onSignal: (answer) => void api.operator.sendSignal(answer).catch(() => undefined),
        onStream: (stream) => useOperatorStore.getState().setStream(stream),
        onMessage: (m) => {
          if (m.kind === 'displays') useOperatorStore.getState().setDisplays(m.displays);
        },
        onClose: () => useOperatorStore.getState().setStream(null),
        onError: (e) => console.warn('peer error', e.message),
      });
    }
    peer?.signal(signal);
  });
  void api.operator.getState().then(onSession);
}
