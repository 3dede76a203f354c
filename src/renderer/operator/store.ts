/** The operator window's state: the session as main reports it, and the remote screen. */
import { create } from 'zustand';
import type { DisplayInfo } from '../../shared/input-events';
import type { OperatorState } from '../../shared/ipc';

interface OperatorStore {
  session: OperatorState;
  /** The remote screen, once the host's stream arrives. */
  stream: MediaStream | null;
  displays: DisplayInfo[];
  setSession(s: OperatorState): void;
  setStream: (stream: MediaStream | null) => void;
  setDisplays: (displays: DisplayInfo[]) => void;
}

export const useOperatorStore = create<OperatorStore>((set) => ({
  session: { status: 'signed-out' },
  stream: null,
  displays: [],
  setSession: (session) => set({ session }),
  setStream: (stream) => set({ stream }),
  setDisplays: (displays) => set({ displays }),
}));
