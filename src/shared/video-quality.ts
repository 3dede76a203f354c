/**
 * How the screen's picture is made and played, in one place for the host (capture, sender), the
 * operator (receiver) and the app's Chromium switches; the operator picks one of three in the
 * viewer. The values come from the bench (`npm run bench`, docs/performance.md): each is the
 * measured better side of a trade-off on these machines, not a guess.
 */
import { z } from 'zod';

/** The operator's choice, sent to the host (a 'quality' message on the data channel). */
export const VideoQuality = z.enum(['quality', 'balanced', 'latency']);
export type VideoQuality = z.infer<typeof VideoQuality>;

export const QUALITY_LABELS: Record<VideoQuality, string> = {
  quality: 'Best quality',
  balanced: 'Balanced',
  latency: 'Lowest latency',
};

/** What the figures say (docs/performance.md). */
export const DEFAULT_QUALITY: VideoQuality = 'balanced';

/** The capture's frame rate: the encoder's ceiling (each choice may send fewer). */
export const CAPTURE_FPS = 60;

export interface QualitySettings {
  /**
   * The sent track's hint: "detail" keeps the resolution and drops frames when short of
   * bandwidth or CPU (documents, text), "motion" keeps the frame rate and lowers the resolution.
   */
  contentHint: 'detail' | 'motion';
  maxFramerate: number;
  /** The sender's cap, bits per second: on a direct path (LAN), and through a TURN relay (WAN). */
  maxBitrate: { direct: number; relayed: number };
  /** The operator's receiver: how long the jitter buffer may hold frames (ms); null: Chromium's own. */
  jitterBufferTargetMs: number | null;
}

export const QUALITY: Record<VideoQuality, QualitySettings> = {
  quality: {
    contentHint: 'detail',
    maxFramerate: 30,
    maxBitrate: { direct: 8_000_000, relayed: 2_500_000 },
    jitterBufferTargetMs: null,
  },
  balanced: {
    contentHint: 'detail',
    maxFramerate: CAPTURE_FPS,
    maxBitrate: { direct: 6_000_000, relayed: 2_000_000 },
    jitterBufferTargetMs: 0,
  },
  latency: {
    contentHint: 'motion',
    maxFramerate: CAPTURE_FPS,
    maxBitrate: { direct: 4_000_000, relayed: 1_500_000 },
    jitterBufferTargetMs: 0,
  },
};

/**
 * Chromium switches the app sets (src/main/index.ts) and the rig's Chromium gets too
 * (dev/chromium-host/renderer-harness.ts), so that what is measured is what ships. The field
 * trial plays each received frame as soon as it is decoded (the jitter buffer adds about 0.2 ms
 * instead of 5–50 ms); the operator's screen is interactive, not a film.
 */
export const CHROMIUM_SWITCHES: ReadonlyArray<readonly [string, string]> = [
  ['force-fieldtrials', 'WebRTC-ForcePlayoutDelay/min_ms:0,max_ms:0/'],
];
