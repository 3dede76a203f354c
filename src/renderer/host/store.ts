/** The host window's state: whatever main says, plus what the screen stream is doing. */
import { create } from 'zustand';
import type { HostState } from '../../shared/ipc';
import type { PeerPath } from '../../shared/peer-path';

/** `stopped`: the capture ended under the session (the user stopped sharing); the operator was told. */
export type StreamStatus = 'off' | 'starting' | 'streaming' | 'failed' | 'stopped';

interface HostStore {
  session: HostState;
  stream: StreamStatus;
  streamError?: string;
  /** Whether the capture has the device's sound (asked for only when the policy allows it). */
  sound: boolean;
  /** The path the peer connection takes (direct or through TURN, how, round trip), from its stats. */
  path: PeerPath | null;
  setPath(path: PeerPath | null): void;
  /** Starts the capture again after it stopped under the session (set by screen-stream.ts). */
  shareAgain: () => void;
  setSession(s: HostState): void;
  setStream(stream: StreamStatus, streamError?: string): void;
  setSound(sound: boolean): void;
}

export const useHostStore = create<HostStore>((set) => ({
  session: { status: 'connecting' },
  stream: 'off',
  sound: false,
  path: null,
  setPath: (path) => set({ path }),
  shareAgain: () => undefined,
  setSession: (session) => set({ session }),
  setStream: (stream, streamError) => set({ stream, streamError }),
  setSound: (sound) => set({ sound }),
}));
