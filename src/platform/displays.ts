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
