/**
 * The shapes the Graph emulator's directory parts share: a reply, a Graph error body, and one request as the
 * directory parts see it (path below `/v1.0`, query, JSON body, and the emulator's own Graph base URL for links).
 */

/** One reply of the emulator. */
export interface EmulatorReply {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

/** One Graph request, as the directory parts route it. */
export interface DirectoryRequest {
  readonly method: string;
  /** The path below `/v1.0`, e.g. `/groups/g-1/transitiveMembers`. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** The parsed JSON body (`{}` when there was none). */
  readonly body: Record<string, unknown>;
  /** The emulator's Graph base URL (`http://127.0.0.1:PORT/v1.0`), for `@odata.nextLink`. */
  readonly graphBaseUrl: string;
}

/** A Graph error reply: `{ error: { code, message } }` with its status. */
export function graphError(status: number, code: string, message: string): EmulatorReply {
  return { status, body: { error: { code, message } } };
}

/** The 404 Graph answers for a directory object that does not exist. */
export function notFound(id: string): EmulatorReply {
  return graphError(
    404,
    'Request_ResourceNotFound',
    `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
  );
}

/** `$select` as a list of property names (empty when absent). */
export function selectOf(query: URLSearchParams): string[] {
  return (
    query
      .get('$select')
      ?.split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0) ?? []
  );
}
