// The structured logger the storage layer accepts in its options: the pino call shape
// (`log.info({ field }, 'constant message')`), so a pino logger or child logger fits as is.

export interface Logger {
  debug(obj: Record<string, unknown>, msg: string): void;
  info(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
  error(obj: Record<string, unknown>, msg: string): void;
}

const noop = (): void => {};

/** Discards everything; the default when no logger is given. */
export const noopLogger: Logger = Object.freeze({ debug: noop, info: noop, warn: noop, error: noop });
