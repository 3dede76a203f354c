/**
 * The relay's logger: one JSON object per line on stderr, so that stdout stays free for what the
 * CLI tells people and log collectors can parse the rest. pino writes the lines; `RelayLogger` is
 * the small interface the relay calls (`info(msg, fields)`), so callers never see pino. Callers
 * pass only identifiers (socket, session, operator id, event name, error code): never tokens,
 * secrets or signal payloads; a secret field passed by mistake is redacted all the same.
 */
import { pino, stdTimeFunctions, type DestinationStream } from 'pino';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, string | number | boolean | undefined>;

/** What the relay logs through; tests pass their own to capture lines. */
export interface RelayLogger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/** Field names that carry secrets: their values never reach a line, whoever logged them. */
export const REDACTED_FIELDS = [
  'token',
  'password',
  'authorization',
  'cookie',
  '["set-cookie"]',
  'setupToken',
  'operatorToken',
  'agentToken',
  'hostToken',
  'enrolmentToken',
  'resumeToken',
  'csrf',
  'csrfToken',
  'secret',
  'activation',
];
export const REDACTED = '[redacted]';

/** The keys every line starts with; fields of these names are dropped rather than overwrite them. */
const HEAD_KEYS = new Set(['level', 'time', 'msg']);

export function isLogLevel(value: string): value is LogLevel {
  return (LEVELS as readonly string[]).includes(value);
}

export function createLogger(opts: { level?: LogLevel; write?: (line: string) => void } = {}): RelayLogger {
  const write = opts.write;
  const destination: DestinationStream = write
    ? { write: (line: string) => write(line.replace(/\n$/, '')) }
    : // Synchronous: the last lines before an exit are not lost.
      pino.destination({ dest: 2, sync: true });
  const log = pino(
    {
      level: opts.level ?? 'info',
      base: null,
      timestamp: stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACTED_FIELDS, censor: REDACTED },
    },
    destination,
  );
  const at =
    (level: LogLevel) =>
    (msg: string, fields: LogFields = {}): void => {
      if (!log.isLevelEnabled(level)) return;
      const rest = Object.fromEntries(Object.entries(fields).filter(([key]) => !HEAD_KEYS.has(key)));
      // msg first among the fields, so lines read level, time, msg, then the fields.
      log[level]({ msg, ...rest });
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
