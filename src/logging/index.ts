// Structured logging through pino: components receive a Logger and derive child loggers bound
// to their context (`component`, `controller`, `key`…). Messages are constant; variables go in fields.

import { pino, type Logger as PinoLogger, type LevelWithSilent } from 'pino';

export type Logger = Pick<PinoLogger, 'debug' | 'info' | 'warn' | 'error' | 'child'>;

export interface LoggerOptions {
  level?: LevelWithSilent;
  /** File descriptor or path; default stderr (2). */
  destination?: number | string;
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const dest = pino.destination({ dest: opts.destination ?? 2, sync: true });
  return pino({ level: opts.level ?? 'info', base: undefined, timestamp: pino.stdTimeFunctions.isoTime }, dest);
}

/** A logger that drops everything (tests, benchmarks). */
export function nopLogger(): Logger {
  return pino({ level: 'silent' });
}
