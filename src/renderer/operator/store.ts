/** The operator window's state: the session as main reports it, the remote screen and whether it arrives. */
import { create } from 'zustand';
import type { DisplayInfo } from '../../shared/input-events';
import type { OperatorState } from '../../shared/ipc';
import type { SasOutcome } from '../../shared/sas-exchange';
import { NO_PICTURE, type Picture } from './connection-state';

interface OperatorStore {
  session: OperatorState;
  /** The remote screen, once the host's stream arrives. */
  stream: MediaStream | null;
  displays: DisplayInfo[];
  /** The connection's verification words (or why there are none), once derived with the host. */
  verification: SasOutcome | null;
  /** Whether the picture arrives (the peer, the host's word that its capture stopped): connection-state.ts. */
  picture: Picture;
  setPicture: (picture: Picture) => void;
  setSession(s: OperatorState): void;
  setStream: (stream: MediaStream | null) => void;
  setDisplays: (displays: DisplayInfo[]) => void;
  setVerification: (verification: SasOutcome | null) => void;
}

export const useOperatorStore = create<OperatorStore>((set) => ({
  session: { status: 'signed-out' },
  stream: null,
  displays: [],
  verification: null,
  picture: NO_PICTURE,
  setPicture: (picture) => set({ picture }),
  setSession: (session) => set({ session }),
  setStream: (stream) => set({ stream }),
  setDisplays: (displays) => set({ displays }),
  setVerification: (verification) => set({ verification }),
}));
