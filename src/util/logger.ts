/** Minimal leveled logger writing one line per message to stderr. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const order: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(component: string): Logger;
}

export function createLogger(component = 'tugboat', level: LogLevel = envLevel()): Logger {
  const emit = (lvl: LogLevel, msg: string, fields?: Record<string, unknown>): void => {
    if (order[lvl] < order[level]) return;
    const extra = fields ? ' ' + formatFields(fields) : '';
    process.stderr.write(`${new Date().toISOString()} ${lvl.toUpperCase()} [${component}] ${msg}${extra}\n`);
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (c) => createLogger(`${component}/${c}`, level),
  };
}

/** A log call must never throw: bigints (CIDRs, for one) print as numbers, anything else unserializable says so. */
export function formatFields(fields: Record<string, unknown>): string {
  try {
    return JSON.stringify(fields);
  } catch {
    // Rare, so the plain (faster) encoding is tried first.
  }
  try {
    return JSON.stringify(fields, (_key, value: unknown) =>
      typeof value === 'bigint' ? value.toString() : value,
    );
  } catch (err) {
    return JSON.stringify({ unserializableFields: String(err) });
  }
}

function envLevel(): LogLevel {
  const v = process.env.TUGBOAT_LOG_LEVEL;
  return v === 'debug' || v === 'info' || v === 'warn' || v === 'error' ? v : 'info';
}

export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  child: () => silentLogger,
};
