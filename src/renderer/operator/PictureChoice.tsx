/**
 * The toolbar's picture choice: best quality, balanced or lowest latency (src/shared/video-quality.ts
 * says what each means). The choice is the operator's for the whole session: sent to the host on
 * every connection (remote-screen.ts), and applied to this side's receiver (its jitter buffer).
 */
import { create } from 'zustand';
import { DEFAULT_QUALITY, QUALITY_LABELS, VideoQuality } from '../../shared/video-quality';
import { useViewerStore } from './viewer-store';

export const usePictureStore = create<{ choice: VideoQuality; choose: (q: VideoQuality) => void }>((set) => ({
  choice: DEFAULT_QUALITY,
  choose: (choice) => set({ choice }),
}));

export function PictureChoice() {
  const choice = usePictureStore((s) => s.choice);
  const choose = (v: string) => {
    const parsed = VideoQuality.safeParse(v);
    if (!parsed.success) return;
    usePictureStore.getState().choose(parsed.data);
    useViewerStore.getState().markUsed('Picture choice');
  };
  return (
    <label className="toolbar-group" data-testid="picture-choice">
      Picture{' '}
      <select value={choice} onChange={(e) => choose(e.target.value)}>
        {VideoQuality.options.map((q) => (
          <option key={q} value={q}>
            {QUALITY_LABELS[q]}
          </option>
        ))}
      </select>
    </label>
  );
}
