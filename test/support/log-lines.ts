/** A pino logger that keeps what it writes, parsed, so tests can check what an operator would read in the log. */
import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';

/** One written log line: its message, its level name and its fields. */
export interface LogLine {
  readonly msg: string;
  readonly level: string;
  readonly [field: string]: unknown;
}

/** A debug-level logger and the lines it wrote so far. */
export function logLines(): { readonly logger: Logger; readonly lines: LogLine[] } {
  const lines: LogLine[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const text of String(chunk).split('\n')) if (text.trim() !== '') lines.push(JSON.parse(text) as LogLine);
      done();
    },
  });
  const logger = pino({ level: 'debug', formatters: { level: (label) => ({ level: label }) } }, sink);
  return { logger, lines };
}
