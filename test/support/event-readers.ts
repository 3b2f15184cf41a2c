/**
 * How tests read the agent side's events: the JSON read (`GET /api/v1/events`) and the Server-Sent Events stream.
 * Every event read here is checked against the connector's served AsyncAPI document (`event-contract.ts`), so an
 * event that drifts from the published schemas fails the test that reads it.
 */
import { once } from 'node:events';
import http from 'node:http';
import request from 'supertest';
import { checkEvent, checkEvents, eventContract, type ServedBy } from './event-contract.js';

/** One event as `GET /api/v1/events` and the SSE `data:` carry it (loosely typed for assertions). */
export interface ReadEvent {
  readonly id: string;
  readonly type: string;
  readonly time: string;
  readonly interactionId: string | null;
  readonly agentId: string | null;
  // biome-ignore lint/suspicious/noExplicitAny: tests read the payloads they assert on; the schemas checked them.
  readonly data: Record<string, any>;
}

/** One received SSE event: its `id:`, `event:` and parsed `data:`. */
export interface SseEvent {
  readonly id: string;
  readonly event: string;
  readonly data: ReadEvent;
}

/**
 * Reads events with `GET /api/v1/events<query>` (default `?after=0`) as the key's holder, checked against the served
 * schemas. `by` is the connector's express app or its base URL.
 */
export async function readEvents(
  by: ServedBy,
  key: string,
  query = '?after=0',
  headers: Record<string, string> = {},
): Promise<ReadEvent[]> {
  const path = `/api/v1/events${query}`;
  const auth = { authorization: `Bearer ${key}`, ...headers };
  let body: { events: ReadEvent[] };
  if (typeof by === 'string') {
    const response = await fetch(`${by}${path}`, { headers: auth });
    if (response.status !== 200) throw new Error(`GET ${path} answered ${response.status}`);
    body = (await response.json()) as { events: ReadEvent[] };
  } else {
    body = (await request(by).get(path).set(auth).expect(200)).body as { events: ReadEvent[] };
  }
  return checkEvents(by, body.events);
}

/** Parses SSE blocks out of `buffer`; returns the events and what is left of it. */
function parseBlocks(buffer: string): { events: SseEvent[]; rest: string } {
  const events: SseEvent[] = [];
  let rest = buffer;
  for (let at = rest.indexOf('\n\n'); at >= 0; at = rest.indexOf('\n\n')) {
    const block = rest.slice(0, at);
    rest = rest.slice(at + 2);
    const fields = Object.fromEntries(
      block.split('\n').map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]),
    );
    if (fields.id) events.push({ id: fields.id, event: fields.event ?? '', data: JSON.parse(fields.data ?? '{}') });
  }
  return { events, rest };
}

/** Checks one SSE event's framing (`id:` and `event:` agree with its data) and its data against the served schemas. */
function checkSse(contract: Awaited<ReturnType<typeof eventContract>>, e: SseEvent): void {
  checkEvent(contract, e.data);
  if (e.id !== e.data.id || e.event !== e.data.type) {
    throw new Error(
      `SSE framing disagrees with its data: id ${e.id}, event ${e.event}, data ${JSON.stringify(e.data)}`,
    );
  }
}

/** An SSE stream that keeps collecting events until closed (or until the server goes away). */
export interface SseStream {
  readonly events: SseEvent[];
  /** Resolves when the connection ends, whoever ended it. */
  readonly ended: Promise<void>;
  close(): void;
}

/**
 * Opens an SSE stream at `url` (the connector's, whose origin serves `/asyncapi.json`). An event that does not match
 * the served schemas is thrown from the stream's handler, which fails the test run.
 */
export async function openStream(url: string, headers: Record<string, string>): Promise<SseStream> {
  const contract = await eventContract(new URL(url).origin);
  const events: SseEvent[] = [];
  const req = http.get(url, { headers });
  const [res] = (await once(req, 'response')) as [http.IncomingMessage];
  if (res.statusCode !== 200) throw new Error(`stream answered ${res.statusCode}`);
  let buffer = '';
  res.on('data', (chunk: Buffer) => {
    const parsed = parseBlocks(buffer + chunk.toString('utf8'));
    buffer = parsed.rest;
    for (const e of parsed.events) {
      checkSse(contract, e);
      events.push(e);
    }
  });
  const ended = new Promise<void>((resolve) => {
    res.on('close', () => resolve());
    res.on('error', () => resolve());
    req.on('error', () => resolve());
  });
  return { events, ended, close: () => req.destroy() };
}

/** Reads `count` SSE events from a stream at `url`, then closes it; each is checked against the served schemas. */
export async function readSse(url: string, headers: Record<string, string>, count: number): Promise<SseEvent[]> {
  const contract = await eventContract(new URL(url).origin);
  const req = http.get(url, { headers });
  const [res] = (await once(req, 'response')) as [http.IncomingMessage];
  if (res.statusCode !== 200) throw new Error(`stream answered ${res.statusCode}`);
  const events: SseEvent[] = [];
  let buffer = '';
  return await new Promise<SseEvent[]>((resolve, reject) => {
    res.on('data', (chunk: Buffer) => {
      const parsed = parseBlocks(buffer + chunk.toString('utf8'));
      buffer = parsed.rest;
      try {
        for (const e of parsed.events) checkSse(contract, e);
      } catch (error) {
        req.destroy();
        return reject(error);
      }
      events.push(...parsed.events);
      if (events.length >= count) {
        req.destroy();
        resolve(events.slice(0, count));
      }
    });
    res.on('error', reject);
  });
}
