/**
 * Errors of outbound sends to the Bot Connector, split by cause, and the helpers that read botbuilder's errors
 * (an `@azure/core-rest-pipeline` RestError with `statusCode` and response headers).
 */

/** The Bot Connector refused a send (an HTTP status), after any retries. */
export class BotConnectorError extends Error {
  override readonly name = 'BotConnectorError';
  constructor(
    /** The HTTP status of the last attempt. */
    readonly status: number,
    /** How many attempts were made. */
    readonly attempts: number,
    options?: { cause?: unknown },
  ) {
    super(`The Bot Connector answered ${status} after ${attempts} attempt(s).`, options);
  }
}

/** The send never got an HTTP answer (connection refused, reset, timeout), after any retries. */
export class BotConnectorNetworkError extends Error {
  override readonly name = 'BotConnectorNetworkError';
  constructor(
    readonly attempts: number,
    options?: { cause?: unknown },
  ) {
    super(`The Bot Connector could not be reached after ${attempts} attempt(s).`, options);
  }
}

interface ErrorShape {
  statusCode?: unknown;
  status?: unknown;
  code?: unknown;
  message?: unknown;
  details?: unknown;
  response?: { status?: unknown; headers?: unknown; bodyAsText?: unknown };
}

/** The HTTP status carried by an error thrown by botbuilder's connector (or our own), if any. */
export function statusOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as ErrorShape;
  for (const v of [e.statusCode, e.status, e.response?.status]) if (typeof v === 'number') return v;
  return undefined;
}

/** The Retry-After of an error's response in milliseconds (seconds, possibly fractional, or an HTTP date). */
export function retryAfterMsOf(err: unknown, now: number): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const headers = (err as ErrorShape).response?.headers as
    | { get?: (name: string) => string | undefined | null }
    | Record<string, string>
    | undefined;
  if (!headers) return undefined;
  const raw =
    typeof headers.get === 'function'
      ? headers.get('retry-after')
      : ((headers as Record<string, string>)['retry-after'] ?? (headers as Record<string, string>)['Retry-After']);
  if (raw === undefined || raw === null || raw === '') return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(String(raw));
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The error's body text, where the connector kept it (for sub-codes such as `MessageWritesBlocked`). */
export function bodyTextOf(err: unknown): string {
  if (typeof err !== 'object' || err === null) return '';
  const e = err as ErrorShape;
  const parts = [e.response?.bodyAsText, e.message, e.code, e.details === undefined ? undefined : safeJson(e.details)];
  return parts.filter((p) => typeof p === 'string').join(' ');
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v);
  } catch {
    return '';
  }
}
