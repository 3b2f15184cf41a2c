/** The logger the Teams adapter writes to: the subset of pino it uses, so pino (or a fake) fits. Never given secrets. */

/** A pino-compatible logger. */
export interface TeamsLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** A logger that discards everything (the default when none is given). */
export const silentLogger: TeamsLogger = { info() {}, warn() {}, error() {} };

/** What may be logged of an error: its name, status and message, never its request (which carries tokens). */
export function describeError(err: unknown): { name: string; message: string; status?: number } {
  if (!(err instanceof Error)) return { name: 'NonError', message: String(err) };
  const status = (err as { statusCode?: unknown }).statusCode;
  return typeof status === 'number'
    ? { name: err.name, message: err.message, status }
    : { name: err.name, message: err.message };
}
