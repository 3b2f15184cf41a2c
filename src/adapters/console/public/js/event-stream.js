/**
 * The agent's live events: Server-Sent Events read with fetch (so the key travels in the Authorization header,
 * which EventSource cannot send). After a drop it reconnects with `Last-Event-ID`, so nothing is missed.
 */

/**
 * @typedef {import('../../../agent-api/api-types.js').AgentEvent} AgentEvent
 */

/** Reads `/api/v1/events/stream` until stopped. */
export class EventStream {
  /**
   * @param {{
   *   headers: () => Record<string, string>,
   *   lastEventId: string | null,
   *   onEvent: (event: AgentEvent) => void,
   *   onStatus: (status: 'connecting' | 'live' | 'reconnecting') => void,
   *   onUnauthorized: () => void,
   * }} options
   */
  constructor(options) {
    this.options = options;
    this.lastEventId = options.lastEventId;
    this.retryMs = 2000;
    this.controller = null;
    this.stopped = false;
  }

  /** Starts reading (and reconnecting) in the background. */
  start() {
    this.stopped = false;
    void this.loop();
  }

  /** Stops for good. */
  stop() {
    this.stopped = true;
    this.controller?.abort();
  }

  async loop() {
    this.options.onStatus('connecting');
    while (!this.stopped) {
      this.controller = new AbortController();
      try {
        /** @type {Record<string, string>} */
        const headers = { ...this.options.headers(), accept: 'text/event-stream' };
        if (this.lastEventId) headers['last-event-id'] = this.lastEventId;
        const res = await fetch('/api/v1/events/stream', { headers, signal: this.controller.signal });
        if (res.status === 401) {
          this.stopped = true;
          this.options.onUnauthorized();
          return;
        }
        if (!res.ok || !res.body) throw new Error(`stream answered ${res.status}`);
        this.options.onStatus('live');
        await this.read(res.body);
      } catch {
        // A dropped or refused stream: reconnect below.
      }
      if (this.stopped) return;
      this.options.onStatus('reconnecting');
      await new Promise((resolve) => setTimeout(resolve, this.retryMs));
    }
  }

  /** @param {ReadableStream<BufferSource>} body */
  async read(body) {
    const reader = body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value.replace(/\r\n?/g, '\n');
      let at = buffer.indexOf('\n\n');
      while (at >= 0) {
        this.dispatch(buffer.slice(0, at));
        buffer = buffer.slice(at + 2);
        at = buffer.indexOf('\n\n');
      }
    }
  }

  /** @param {string} block one SSE event block */
  dispatch(block) {
    let id = null;
    let data = '';
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'id') id = value;
      else if (field === 'data') data += (data ? '\n' : '') + value;
      else if (field === 'retry' && /^\d+$/.test(value)) this.retryMs = Number(value);
    }
    if (id !== null) this.lastEventId = id;
    if (!data) return;
    try {
      this.options.onEvent(JSON.parse(data));
    } catch (error) {
      console.error('agent console: an event could not be handled', error);
    }
  }
}
