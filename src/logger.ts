/** The connector's logger: pino, JSON lines, with secrets and tokens redacted wherever they appear. */
import pino, { type Logger } from 'pino';

/** Paths whose values are never logged. */
export const redactedPaths = [
  '*.password',
  '*.secret',
  '*.clientSecret',
  '*.token',
  '*.accessToken',
  '*.refreshToken',
  '*.apiKey',
  '*.authorization',
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'headers.authorization',
];

/** Creates the root logger. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    { level, redact: { paths: redactedPaths, censor: '[redacted]' }, base: { service: 'uc-connector' } },
    destination,
  );
}
