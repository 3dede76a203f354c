/**
 * The host's displays as the operator gets them: one DisplayInfo per monitor, in the desktop
 * pixels the input injector takes, so the operator's normalised coordinates land on the pixel
 * they point at.
 */
import type { DisplayInfo } from '../shared/input-events.js';

export interface DisplayProvider {
  /** The current displays, primary first; kept up to date as monitors change. */
  list(): DisplayInfo[];
  close(): Promise<void>;
}

export interface DisplayProviderOptions {
  /** X11: the display to describe; defaults to $DISPLAY. */
  display?: string;
  /** Failures after creation (a lost connection, a failed update); by default they are logged. */
  onError?: (err: Error) => void;
}

export async function createDisplayProvider(
  opts: DisplayProviderOptions = {},
  platform: NodeJS.Platform = process.platform,
): Promise<DisplayProvider> {
  const onError = opts.onError ?? ((err: Error) => console.error(`displays: ${err.message}`));
  if (platform === 'linux' || platform === 'freebsd' || platform === 'openbsd') {
    const { createX11DisplayProvider } = await import('./x11-displays.js');
    return createX11DisplayProvider({ display: opts.display, onError });
  }
  throw new Error(`no display provider for ${platform}: describe displays with Electron's screen module there`);
}
