/**
 * A real connector logger (pino, with its redaction) whose lines are kept in memory, for tests that read what a part
 * logged: its records, and the messages logged at one level.
 */
import type { Logger } from 'pino';
import { createLogger } from '../../src/logger.js';

/** One logged line, parsed: pino's fields (`level`, `msg`, …) and the logged object's. */
export type LogRecord = Record<string, unknown> & { readonly level: number; readonly msg: string };

/** pino's numeric levels. */
const levels = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 } as const;

/** A logger and what it logged. */
export interface CapturedLogs {
  readonly logger: Logger;
  /** Every record, in order. */
  readonly records: LogRecord[];
  /** The messages logged at `level` (default `warn`), in order. */
  messages(level?: keyof typeof levels): string[];
}

/** Creates a logger at `level` (default `debug`) that keeps its records. */
export function captureLogs(level: keyof typeof levels = 'debug'): CapturedLogs {
  const records: LogRecord[] = [];
  const logger = createLogger(level, { write: (line: string) => void records.push(JSON.parse(line) as LogRecord) });
  return {
    logger,
    records,
    messages: (at = 'warn') => records.filter((r) => r.level === levels[at]).map((r) => r.msg),
  };
}
