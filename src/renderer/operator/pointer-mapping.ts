/**
 * Maps a point on the viewer's <video> (scaled to fit, aspect ratio kept: object-fit contain)
 * to normalised coordinates on the remote display, or null on the letterbox bars.
 */
export interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

export function contentBox(element: Box, videoWidth: number, videoHeight: number): Box {
  if (!videoWidth || !videoHeight) return element;
  const scale = Math.min(element.width / videoWidth, element.height / videoHeight);
  const width = videoWidth * scale;
  const height = videoHeight * scale;
  return {
    left: element.left + (element.width - width) / 2,
    top: element.top + (element.height - height) / 2,
    width,
    height,
  };
}

export function normalisePoint(clientX: number, clientY: number, box: Box): { x: number; y: number } | null {
  const x = (clientX - box.left) / box.width;
  const y = (clientY - box.top) / box.height;
  if (x < 0 || y < 0 || x > 1 || y > 1 || !Number.isFinite(x) || !Number.isFinite(y)) return null;
  return { x, y };
}

const buttons = ['left', 'middle', 'right', 'back', 'forward'] as const;
export function mouseButton(domButton: number): (typeof buttons)[number] | null {
  return buttons[domButton] ?? null;
}

/** DOM wheel deltas to notches: lines count as notches, pixels as 100 px a notch. */
export function wheelNotches(delta: number, deltaMode: number): number {
  const notches = deltaMode === 1 ? delta : deltaMode === 2 ? delta * 10 : delta / 100;
  return Math.max(-100, Math.min(100, notches));
}
