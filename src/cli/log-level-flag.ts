import type { LogLevel } from '../util/logger.js';
import type { CliIo, FlagSpec, UsageError } from './command.js';

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/** `--log-level`, defaulting to $TUGBOAT_LOG_LEVEL, of the long-running commands (server, agent). */
export const logLevelFlag: FlagSpec = {
  name: 'log-level',
  type: 'string',
  valueName: 'LEVEL',
  description: 'debug, info, warn or error',
  defaultText: '$TUGBOAT_LOG_LEVEL or info',
};

export function resolveLogLevel(
  str: (flag: string) => string | undefined,
  bad: (flag: string, value: string, why: string) => UsageError,
  io: Pick<CliIo, 'env'>,
): LogLevel {
  const levelText = str('log-level') ?? io.env.TUGBOAT_LOG_LEVEL ?? 'info';
  const logLevel = LOG_LEVELS.find((l) => l === levelText);
  if (!logLevel) throw bad('log-level', levelText, `must be one of ${LOG_LEVELS.join(', ')}`);
  return logLevel;
}
