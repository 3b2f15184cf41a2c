/**
 * The connector's HTTP server with explicit limits on slow clients: how long the request headers may take
 * (`headersTimeout`), the whole request, body included (`requestTimeout`), and how long an idle keep-alive connection
 * is kept (`keepAliveTimeout`). A client too slow gets 408 and its connection is closed. Responses are not limited:
 * event streams stay open.
 */
import { createServer, type RequestListener, type Server } from 'node:http';

/** The server's time limits, in milliseconds. */
export interface HttpServerTimeouts {
  /** Receiving the request line and headers. */
  readonly headersMs: number;
  /** Receiving the whole request, body included (at least `headersMs`). */
  readonly requestMs: number;
  /** Keeping an idle keep-alive connection open after a response. */
  readonly keepAliveMs: number;
}

/** Creates (does not start) an HTTP server for `handler` with these limits. */
export function createHttpServer(handler: RequestListener, timeouts: HttpServerTimeouts): Server {
  return createServer(
    {
      headersTimeout: timeouts.headersMs,
      requestTimeout: timeouts.requestMs,
      keepAliveTimeout: timeouts.keepAliveMs,
      // Node checks the header and request limits this often (30 s by default, too coarse for short limits).
      connectionsCheckingInterval: Math.max(50, Math.min(30_000, Math.floor(timeouts.headersMs / 2))),
    },
    handler,
  );
}
