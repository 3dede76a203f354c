/**
 * The connection's quality as the viewer toolbar shows it: frames per second and bitrate of the
 * picture received, from two successive getStats readings (the inbound video RTP report), and the
 * round trip from the path (peer-path.ts). For people to read; nothing is timed by it.
 */
export interface QualitySample {
  /** ms, the report's own clock */
  timestamp: number;
  bytesReceived: number;
  framesDecoded: number;
  /** What the browser reports itself, when it does. */
  framesPerSecond: number | null;
}

export interface PeerQuality {
  fps: number | null;
  /** kbit/s */
  kbps: number | null;
}

/** The inbound video's counters from a getStats report list; null when no video is received. */
export function qualitySample(reports: Iterable<unknown>): QualitySample | null {
  for (const r of reports) {
    const report = r as Record<string, unknown>;
    if (report.type !== 'inbound-rtp' || (report.kind ?? report.mediaType) !== 'video') continue;
    const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
    const timestamp = num(report.timestamp);
    const bytes = num(report.bytesReceived);
    if (timestamp === null || bytes === null) continue;
    return {
      timestamp,
      bytesReceived: bytes,
      framesDecoded: num(report.framesDecoded) ?? 0,
      framesPerSecond: num(report.framesPerSecond),
    };
  }
  return null;
}

/** Quality between two samples of the same stream (the later one's fps when the browser gives it). */
export function qualityBetween(before: QualitySample | null, now: QualitySample | null): PeerQuality {
  if (!now) return { fps: null, kbps: null };
  const seconds = before ? (now.timestamp - before.timestamp) / 1000 : 0;
  const valid = before !== null && seconds > 0 && now.bytesReceived >= before.bytesReceived;
  const kbps = valid ? Math.round(((now.bytesReceived - before.bytesReceived) * 8) / 1000 / seconds) : null;
  const measuredFps = valid ? (now.framesDecoded - before.framesDecoded) / seconds : null;
  const fps = now.framesPerSecond ?? (measuredFps === null ? null : Math.round(measuredFps));
  return { fps, kbps };
}

export function qualityText(q: PeerQuality | null, rttMs: number | null): string {
  const parts = [
    q?.fps != null ? `${q.fps} fps` : null,
    rttMs != null ? `${rttMs} ms round trip` : null,
    q?.kbps != null ? (q.kbps >= 1000 ? `${(q.kbps / 1000).toFixed(1)} Mbit/s` : `${q.kbps} kbit/s`) : null,
  ].filter(Boolean);
  return parts.length ? parts.join(' · ') : 'Measuring…';
}

/**
 * How many key frames the receiving side asked of the outgoing video (PLI and FIR counts of the
 * outbound video RTP report), or null when none is sent. The host reads it to send a fresh frame
 * when the viewer asks: on a still screen its encoder has nothing to make a key frame of.
 */
export function keyFrameRequests(reports: Iterable<unknown>): number | null {
  for (const r of reports) {
    const report = r as Record<string, unknown>;
    if (report.type !== 'outbound-rtp' || (report.kind ?? report.mediaType) !== 'video') continue;
    const count = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
    return count(report.pliCount) + count(report.firCount);
  }
  return null;
}
