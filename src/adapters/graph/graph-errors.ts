/**
 * Errors of Microsoft Graph calls, split by cause: Graph answered no (API), the network failed, or no token.
 * Messages carry context (method, path, status, Graph error code, request id) but never tokens.
 */

/** Graph answered with a non-success status (after the throttling wrapper gave up retrying). */
export class GraphApiError extends Error {
  override readonly name = 'GraphApiError';
  /**
   * @param status - HTTP status from Graph.
   * @param code - Graph's `error.code` (e.g. `TooManyRequests`, `ResourceNotFound`), or `unknown`.
   * @param method - HTTP method of the call.
   * @param path - Path of the call (without query secrets).
   * @param requestId - Graph's `request-id` header, when sent.
   */
  constructor(
    readonly status: number,
    readonly code: string,
    readonly method: string,
    readonly path: string,
    readonly requestId?: string,
  ) {
    super(`Graph ${method} ${path} failed with ${status} ${code}`);
  }
}

/** The call never got an HTTP answer (connection refused, reset, timeout). */
export class GraphNetworkError extends Error {
  override readonly name = 'GraphNetworkError';
  /** @param cause - The underlying network failure. */
  constructor(
    readonly method: string,
    readonly path: string,
    cause: unknown,
  ) {
    super(`Graph ${method} ${path}: network failure`, { cause });
  }
}

/** No access token could be acquired (bad credentials, consent missing, identity platform unreachable). */
export class GraphAuthError extends Error {
  override readonly name = 'GraphAuthError';
  /** @param reason - A short, secret-free reason (e.g. MSAL's error code). */
  constructor(
    readonly reason: string,
    cause?: unknown,
  ) {
    super(`Could not acquire a Graph token: ${reason}`, { cause });
  }
}
