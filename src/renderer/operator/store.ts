/** The operator window's state: the session as main reports it, the remote screen and whether it arrives. */
import { create } from 'zustand';
import type { Rect } from '../../shared/display-view';
import type { DisplayInfo } from '../../shared/input-events';
import type { OperatorState } from '../../shared/ipc';
import type { PeerPath } from '../../shared/peer-path';
import type { SasOutcome } from '../../shared/sas-exchange';
import { NO_PICTURE, type Picture } from './connection-state';

interface OperatorStore {
  session: OperatorState;
  /** The remote screen, once the host's stream arrives. */
  stream: MediaStream | null;
  displays: DisplayInfo[];
  /** What the video shows, as the host last said: one display (its id) or all (null), and where on the desktop. */
  showing: { display: string | null; rect: Rect } | null;
  /** The connection's verification words (or why there are none), once derived with the host. */
  verification: SasOutcome | null;
  /** Whether the picture arrives (the peer, the host's word that its capture stopped): connection-state.ts. */
  picture: Picture;
  /** The path the peer connection takes (direct or through TURN, how, round trip), from its stats. */
  path: PeerPath | null;
  setPath: (path: PeerPath | null) => void;
  setPicture: (picture: Picture) => void;
  setSession(s: OperatorState): void;
  setStream: (stream: MediaStream | null) => void;
  setDisplays: (displays: DisplayInfo[]) => void;
  setShowing: (showing: { display: string | null; rect: Rect } | null) => void;
  setVerification: (verification: SasOutcome | null) => void;
}

export const useOperatorStore = create<OperatorStore>((set) => ({
  session: { status: 'signed-out' },
  stream: null,
  displays: [],
  showing: null,
  verification: null,
  picture: NO_PICTURE,
  path: null,
  setPath: (path) => set({ path }),
  setPicture: (picture) => set({ picture }),
  setSession: (session) => set({ session }),
  setStream: (stream) => set({ stream }),
  setDisplays: (displays) => set({ displays }),
  setShowing: (showing) => set({ showing }),
  setVerification: (verification) => set({ verification }),
}));
