/**
 * The relay's logger: one JSON object per line on stderr, so that stdout stays free for what the
 * CLI tells people and log collectors can parse the rest. Callers pass only identifiers (socket,
 * session, operator id, event name, error code): never tokens, secrets or signal payloads.
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, string | number | boolean | undefined>;

/** What the relay logs through; tests pass their own to capture lines. */
export interface RelayLogger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

const rank: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

export function isLogLevel(value: string): value is LogLevel {
  return Object.hasOwn(rank, value);
}

export function createLogger(opts: { level?: LogLevel; write?: (line: string) => void } = {}): RelayLogger {
  const threshold = rank[opts.level ?? 'info'];
  const write = opts.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const at =
    (level: LogLevel) =>
    (msg: string, fields: LogFields = {}): void => {
      if (rank[level] < threshold) return;
      const head = { time: new Date().toISOString(), level, msg };
      // The head goes in last as well, so a field named like it can never overwrite it
      // (the keys keep their first position, so lines still start with time, level, msg).
      write(JSON.stringify(Object.assign({ ...head }, fields, head)));
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
