/**
 * Keeps the log from growing at a client's pace: each message (by its text, the fields aside)
 * gets `linesPerWindow` lines per window; past that its lines are counted, not written, and once
 * the window is over one line says how many of each were left out. Every relay part logs through
 * it, so a flood of refusals, connections or requests costs a bounded number of lines.
 */
import type { Clock } from '../clock.js';
import type { LogFields, LogLevel, RelayLogger } from '../log.js';

export class LogLimiter implements RelayLogger {
  readonly debug = this.at('debug');
  readonly info = this.at('info');
  readonly warn = this.at('warn');
  readonly error = this.at('error');
  /** Lines left out since the relay started. */
  suppressedTotal = 0;
  private windowStart: number;
  private readonly written = new Map<string, number>();
  private readonly suppressed = new Map<string, number>();

  constructor(
    private readonly inner: RelayLogger,
    private readonly clock: Clock,
    private readonly opts: { linesPerWindow: number; windowMs: number },
  ) {
    this.windowStart = clock.now();
  }

  /** Ends the window if it is over, writing what it left out (the relay calls it on a timer too). */
  rotate(): void {
    if (this.clock.now() - this.windowStart < this.opts.windowMs) return;
    this.windowStart = this.clock.now();
    this.written.clear();
    for (const [message, count] of this.suppressed)
      this.inner.warn('log lines suppressed', { message, count, windowMs: this.opts.windowMs });
    this.suppressed.clear();
  }

  private at(level: LogLevel): (msg: string, fields?: LogFields) => void {
    return (msg, fields) => {
      this.rotate();
      const count = this.written.get(msg) ?? 0;
      if (count < this.opts.linesPerWindow) {
        this.written.set(msg, count + 1);
        this.inner[level](msg, fields);
        return;
      }
      this.suppressed.set(msg, (this.suppressed.get(msg) ?? 0) + 1);
      this.suppressedTotal += 1;
    };
  }
}
