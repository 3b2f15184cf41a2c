/**
 * The agent API client: every call carries the agent's key; errors arrive as RFC 9457 problem documents and are
 * thrown as {@link ApiError} with a sentence an agent can read.
 */

/** An error answered by the API. */
export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {{ title?: string, detail?: string, code?: string, 'invalid-params'?: { name: string, reason: string }[] }} problem
   */
  constructor(status, problem) {
    const fields = (problem['invalid-params'] ?? []).map((p) => `${p.name}: ${p.reason}`).join('; ');
    super(problem.detail ?? (fields || problem.title) ?? `The connector answered ${status}.`);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
  }
}

/** Calls `/api/v1` with a key. */
export class ApiClient {
  /** @param {string} key */
  constructor(key) {
    this.key = key;
    this.base = '/api/v1';
  }

  /** The headers every request carries. */
  headers() {
    return { authorization: `Bearer ${this.key}`, accept: 'application/json' };
  }

  /**
   * Sends a request; returns the JSON body (undefined for 204).
   * @param {'GET'|'POST'|'DELETE'} method
   * @param {string} path relative to /api/v1
   * @param {unknown} [body]
   */
  async request(method, path, body) {
    /** @type {{ method: string, headers: Record<string, string>, body?: string }} */
    const init = { method, headers: this.headers() };
    if (body !== undefined) {
      init.headers = { ...init.headers, 'content-type': 'application/json' };
      init.body = JSON.stringify(body);
    }
    let res;
    try {
      res = await fetch(`${this.base}${path}`, init);
    } catch {
      throw new ApiError(0, { title: 'The connector cannot be reached. Check the network and try again.' });
    }
    if (res.status === 204) return undefined;
    const text = await res.text();
    let json;
    try {
      json = text ? JSON.parse(text) : {};
    } catch {
      json = { title: `The connector answered ${res.status}.` };
    }
    if (!res.ok) throw new ApiError(res.status, json);
    return json;
  }

  /** @param {string} path */
  get(path) {
    return this.request('GET', path);
  }

  /**
   * @param {string} path
   * @param {unknown} [body]
   */
  post(path, body) {
    return this.request('POST', path, body);
  }

  /** @param {string} path */
  delete(path) {
    return this.request('DELETE', path);
  }
}
