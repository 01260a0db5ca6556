/**
 * Structured logs: one JSON object per line on stdout, so that operators can pipe them into any log
 * store and tests can wait for `"msg":"listening"` without parsing prose.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line (e.g. `{component: 'http'}`). */
  child(fields: LogFields): Logger;
}

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LoggerOptions {
  level?: LogLevel;
  /** where lines go; stdout by default */
  write?: (line: string) => void;
  fields?: LogFields;
}

let stdoutGuarded = false;

/**
 * Lines to stdout. When the reader of the pipe goes away (a crashed log collector, `| head`),
 * Node emits EPIPE on stdout, and an unhandled stream error would end the process: every customer's
 * socket closed over a lost log. Losing the log lines instead is the lesser harm.
 */
function writeStdout(line: string): void {
  if (!stdoutGuarded) {
    stdoutGuarded = true;
    process.stdout.on('error', () => undefined);
  }
  if (!process.stdout.destroyed) process.stdout.write(line + '\n');
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const min = rank[options.level ?? 'info'];
  const write = options.write ?? writeStdout;
  const base = options.fields ?? {};
  const emit = (level: LogLevel, msg: string, fields?: LogFields): void => {
    if (rank[level] < min) return;
    write(JSON.stringify({ time: new Date().toISOString(), level, msg, ...base, ...errorsToPlain(fields) }));
  };
  return {
    debug: (msg, fields) => emit('debug', msg, fields),
    info: (msg, fields) => emit('info', msg, fields),
    warn: (msg, fields) => emit('warn', msg, fields),
    error: (msg, fields) => emit('error', msg, fields),
    child: (fields) => createLogger({ ...options, fields: { ...base, ...fields } }),
  };
}

/** A logger that drops everything; for in-process tests that do not look at logs. */
export const silentLogger: Logger = createLogger({ write: () => {} });

// Error objects stringify to `{}`; keep their name and message so that a log line says what broke.
function errorsToPlain(fields: LogFields | undefined): LogFields | undefined {
  if (!fields) return fields;
  let out: LogFields | undefined;
  for (const [key, value] of Object.entries(fields)) {
    if (value instanceof Error) {
      out ??= { ...fields };
      out[key] = { name: value.name, message: value.message, stack: value.stack?.split('\n').slice(0, 4).join('\n') };
    }
  }
  return out ?? fields;
}
