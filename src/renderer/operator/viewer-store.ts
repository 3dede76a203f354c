/**
 * The viewer toolbar's state (Toolbar.tsx and its parts): how the remote screen is sized, whether
 * the toolbar is open, the connection's quality, what the device refused to do, the request for
 * control, the ticket and notes, and what the end-of-session summary tells (duration, what was
 * used). Kept apart from store.ts, which holds what main and the peer report.
 */
import { create } from 'zustand';
import type { AssistanceNotes } from '../../shared/protocol';
import { qualityBetween, qualitySample, type PeerQuality, type QualitySample } from '../../shared/peer-quality';
import type { InputRefusal } from '../../shared/special-keys';

export type ViewSize = 'fit' | 'actual';

export interface SessionSummary {
  sessionId: string;
  deviceName: string;
  startedAt: number;
  endedAt: number | null;
  /** What the operator used, in the order first used ("Ctrl+Alt+Del", "Request control", …). */
  used: string[];
}

interface ViewerStore {
  size: ViewSize;
  toolbarOpen: boolean;
  quality: PeerQuality | null;
  sample: QualitySample | null;
  refusal: InputRefusal | null;
  /** Sent "Request control", not answered yet (the mode has not changed). */
  controlAsked: boolean;
  notesSaved: AssistanceNotes | null;
  summary: SessionSummary | null;
  setSize: (size: ViewSize) => void;
  setToolbarOpen: (open: boolean) => void;
  setRefusal: (refusal: InputRefusal | null) => void;
  setControlAsked: (asked: boolean) => void;
  setNotesSaved: (notes: AssistanceNotes | null) => void;
  /** A new getStats reading: the quality since the last one. */
  readStats: (reports: unknown[]) => void;
  markUsed: (what: string) => void;
  sessionActive: (sessionId: string, deviceName: string) => void;
  sessionEnded: () => void;
}

export const useViewerStore = create<ViewerStore>((set, get) => ({
  size: 'fit',
  toolbarOpen: true,
  quality: null,
  sample: null,
  refusal: null,
  controlAsked: false,
  notesSaved: null,
  summary: null,
  setSize: (size) => set({ size }),
  setToolbarOpen: (toolbarOpen) => set({ toolbarOpen }),
  setRefusal: (refusal) => set({ refusal }),
  setControlAsked: (controlAsked) => set({ controlAsked }),
  setNotesSaved: (notesSaved) => set({ notesSaved }),
  readStats: (reports) => {
    const now = qualitySample(reports);
    set({ quality: qualityBetween(get().sample, now), sample: now });
  },
  markUsed: (what) => {
    const s = get().summary;
    if (s && !s.used.includes(what)) set({ summary: { ...s, used: [...s.used, what] } });
  },
  sessionActive: (sessionId, deviceName) => {
    if (get().summary?.sessionId === sessionId && get().summary?.endedAt === null) return;
    set({
      summary: { sessionId, deviceName, startedAt: Date.now(), endedAt: null, used: [] },
      refusal: null,
      controlAsked: false,
      notesSaved: null,
      quality: null,
      sample: null,
    });
  },
  sessionEnded: () => {
    const s = get().summary;
    if (s && s.endedAt === null) set({ summary: { ...s, endedAt: Date.now() }, controlAsked: false });
  },
}));
