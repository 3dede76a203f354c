/**
 * The agent's reports: one as soon as the relay is ready for it, one whenever something changes
 * (a user signs in or out, a session is disconnected), and otherwise one every heartbeat, the
 * interval the relay asked for, so that the relay knows the device is still there.
 */
import type { AgentReport } from '../shared/agent-protocol.js';

/** How often changes are looked for; the heartbeat still comes on time when it is shorter. */
export const CHANGE_POLL_MS = 5_000;

export interface ReportingOptions {
  read(): Promise<AgentReport>;
  send(report: AgentReport): void;
  heartbeatMs: number;
  log(line: string): void;
}

/** Starts reporting; the returned function stops it. */
export function startReporting(opts: ReportingOptions): () => void {
  const pollMs = Math.min(opts.heartbeatMs, CHANGE_POLL_MS);
  let lastSent = '';
  let lastSentAt = -Infinity;
  let busy = false;
  let stopped = false;
  // Timers drift by a few ms: a heartbeat that is due within half a poll goes now, not a poll late.
  const heartbeatDue = () => Date.now() - lastSentAt >= opts.heartbeatMs - pollMs / 2;
  const tick = async () => {
    // A slow reader (loginctl under load) must not pile up reads.
    if (busy) return;
    busy = true;
    try {
      const report = await opts.read();
      const text = JSON.stringify(report);
      if (stopped || (text === lastSent && !heartbeatDue())) return;
      opts.send(report);
      lastSent = text;
      lastSentAt = Date.now();
    } catch (err) {
      // Nothing is sent rather than a guess: an empty session list would make dynamic
      // assistance skip the consent of a user who is there.
      opts.log(`cannot read the device's user sessions: ${(err as Error).message}`);
    } finally {
      busy = false;
    }
  };
  void tick();
  const timer = setInterval(() => void tick(), pollMs);
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
