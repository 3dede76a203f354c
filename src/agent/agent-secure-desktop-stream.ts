/**
 * The agent's side of the secure desktop's way back (docs/secure-desktop.md): the helper says
 * which desktop has the input; when it is a secure one (Winlogon: a UAC prompt, the Ctrl+Alt+Del
 * screen, the logon screen) the agent tells the relay (secure-desktop:state up), then captures it
 * through the helper a few times a second and sends the bands of each capture that changed,
 * deflated (secure-desktop-bands.ts), over its own relay connection; the relay gives them to the
 * admitted operator only. When the user's desktop (Default) is back it says so and stops. It
 * captures only while an operator is watching (the relay's agent:watched): before anyone is let
 * in, the secure desktop's state may be said, but none of its pixels leave the device.
 */
import type { HelperClient } from '../platform/secure-desktop/pipe-client.js';
import type { SecureDesktopFrame } from '../shared/secure-desktop-stream.js';
import { changedBands, type SentBands } from './secure-desktop-bands.js';

/** A dialog changes little: a few captures a second are enough, and cost the relay little. */
export const SECURE_DESKTOP_CAPTURE_MS = 400;

export interface SecureDesktopSink {
  state(sessionId: string, up: boolean): void;
  /** One band of a capture (every band of the first, then those that changed). */
  frame(sessionId: string, frame: SecureDesktopFrame): void;
  log(line: string): void;
}

/** The user's own desktop; any other input desktop (Winlogon, a screen saver's) is a secure one. */
export const isSecureDesktop = (desktop: string): boolean => desktop.toLowerCase() !== 'default';

/** One assistance's stream: started by the helper's desktop changes, stopped by the user's desktop or the end. */
export class SecureDesktopStreamer {
  private up = false;
  private watched = false;
  private timer: NodeJS.Timeout | null = null;
  /** What was sent of the last capture (null: nothing yet, send every band). */
  private sent: SentBands | null = null;
  private closed = false;
  /** Counts the times the secure desktop came up: a capture loop of an earlier time stops. */
  private run = 0;

  constructor(
    private readonly sessionId: string,
    private readonly helper: HelperClient,
    private readonly sink: SecureDesktopSink,
    private readonly intervalMs = SECURE_DESKTOP_CAPTURE_MS,
  ) {}

  desktop(name: string): void {
    const up = isSecureDesktop(name);
    if (this.closed || up === this.up) return;
    this.up = up;
    this.sink.state(this.sessionId, up);
    this.restart();
  }

  /** An operator is watching the assistance, or no longer: captures start or stop with it. */
  watch(watched: boolean): void {
    if (this.closed || watched === this.watched) return;
    this.watched = watched;
    this.restart();
  }

  /** A new capture loop (every band again) while up and watched; none otherwise. */
  private restart(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.sent = null;
    const run = ++this.run;
    if (this.up && this.watched) void this.tick(run);
  }

  /** Captures once and sends the bands that changed; then again after the interval, while up. */
  private async tick(run: number): Promise<void> {
    this.timer = null;
    const current = () => !this.closed && run === this.run;
    const reply = await this.helper.capture();
    if (!current()) return;
    if (reply.ok) {
      const { bands, sent } = await changedBands(reply.value, this.sent);
      if (!current()) return;
      this.sent = sent;
      for (const band of bands) this.sink.frame(this.sessionId, band);
    } else this.sink.log(`secure-desktop capture failed: ${reply.message}`);
    this.timer = setTimeout(() => void this.tick(run), this.intervalMs);
    this.timer.unref?.();
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
