/**
 * `GET /api/v1/directory` over HTTP on a directory larger than one page: cursor paging (`limit`, `nextCursor`, the
 * `next` path), filters that page (`kind`, `state`), entries of the same name across a page boundary, and the
 * mistakes a client makes. Every answer is validated against the served OpenAPI document (test/support/api-request).
 */
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { type ApiTestApp, bearer, startApiApp } from '../../support/api-app.js';
import request from '../../support/api-request.js';
import { testDatabases } from '../../support/databases.js';
import { TestClock } from '../../support/test-app.js';

const WORKERS = 1_234;
const states = ['Ready', 'NotReady', 'Busy'] as const;
const stateOf = (i: number) => states[i % 3] ?? 'Ready';
const idOf = (i: number) => `kw-${String(i).padStart(5, '0')}`;

/** 1,234 knowledge workers (five of them share one name), two agents, a routing point and a queue. */
function bigDirectory(): string {
  const lines = ['directory:', '  knowledgeWorkers:'];
  for (let i = 0; i < WORKERS; i++) {
    const name = i % 250 === 7 ? 'Sam Same' : `Worker ${String((i * 7919) % WORKERS).padStart(5, '0')}`;
    lines.push(`    - { id: ${idOf(i)}, name: ${name}, staticState: ${stateOf(i)}, skills: [{ name: billing }] }`);
  }
  lines.push('  agents:', '    - { id: agent-kate, name: Kate Lewis }', '    - { id: agent-jim, name: Jim Miller }');
  lines.push('routing:', '  routingPoints:', '    - id: billing', '      name: Billing Experts');
  lines.push(`      members: { kind: static, ids: [${idOf(0)}, ${idOf(1)}] }`, '      strategy: { kind: round-robin }');
  lines.push('queues:', '  - { id: inbound-chat, name: Inbound Chat, members: [agent-kate, agent-jim] }', '');
  return lines.join('\n');
}

interface Entry {
  kind: string;
  id: string;
  name: string;
  state: { kind: string };
}
interface Page {
  entries: Entry[];
  nextCursor: string | null;
  next: string | null;
}

const collator = new Intl.Collator();
const kindOrder = ['knowledge-worker', 'agent', 'routing-point', 'queue'];
const inOrder = (a: Entry, b: Entry) =>
  collator.compare(a.name, b.name) || kindOrder.indexOf(a.kind) - kindOrder.indexOf(b.kind) || (a.id < b.id ? -1 : 1);

describe.each(testDatabases())('directory paging on $name', (database) => {
  let t: ApiTestApp;
  const clock = new TestClock();
  afterAll(() => database.cleanup());
  afterEach(async () => t?.app.stop());

  const get = async (path: string, status = 200) =>
    (await request(t.app.http).get(`/api/v1${path}`).set(bearer(t.keys.kate)).expect(status)).body;

  /** Every page from `first`, following `nextCursor`. */
  async function allPages(query: string): Promise<Page[]> {
    const pages: Page[] = [(await get(`/directory?${query}`)) as Page];
    for (let last = pages[0]; last?.nextCursor; last = pages.at(-1)) {
      pages.push((await get(`/directory?${query}&cursor=${encodeURIComponent(last.nextCursor)}`)) as Page);
      expect(pages.length).toBeLessThan(100);
    }
    return pages;
  }

  test('pages through every entry once, in order, 500 at a time; the next path gives the same page', async () => {
    t = await startApiApp(await database.create(), clock, '', {}, bigDirectory());
    const pages = await allPages('limit=500');
    expect(pages.map((p) => p.entries.length)).toEqual([500, 500, 238]);
    expect(pages.at(-1)?.nextCursor).toBeNull();
    expect(pages.at(-1)?.next).toBeNull();
    const entries = pages.flatMap((p) => p.entries);
    expect(entries).toHaveLength(WORKERS + 2 + 1 + 1);
    expect(new Set(entries.map((e) => `${e.kind}/${e.id}`)).size).toBe(entries.length);
    expect(entries).toEqual([...entries].sort(inOrder));
    // The `next` path carries the query and the cursor.
    const viaLink = (
      await request(t.app.http)
        .get(pages[0]?.next ?? '')
        .set(bearer(t.keys.kate))
        .expect(200)
    ).body as Page;
    expect(viaLink.entries).toEqual(pages[1]?.entries);
    expect(pages[0]?.next).toMatch(/^\/api\/v1\/directory\?limit=500&cursor=/);
  });

  test('kind and state filters page too: every Ready knowledge worker once, and nothing else', async () => {
    t = await startApiApp(await database.create(), clock, '', {}, bigDirectory());
    const pages = await allPages('kind=knowledge-worker&state=Ready&limit=100');
    const entries = pages.flatMap((p) => p.entries);
    const ready = Array.from({ length: WORKERS }, (_, i) => i).filter((i) => stateOf(i) === 'Ready');
    expect(entries.map((e) => e.id).sort()).toEqual(ready.map(idOf).sort());
    expect(entries.every((e) => e.kind === 'knowledge-worker' && e.state.kind === 'Ready')).toBe(true);
    expect(pages.slice(0, -1).every((p) => p.entries.length === 100)).toBe(true);
    const busy = await get('/directory?kind=knowledge-worker&state=Busy&limit=500');
    expect(busy.entries.every((e: Entry) => e.state.kind === 'Busy')).toBe(true);
    const agents = await get('/directory?kind=agent&state=Unknown');
    expect(agents.entries.map((e: Entry) => e.id)).toEqual(['agent-jim', 'agent-kate']);
    expect(agents.nextCursor).toBeNull();
  });

  test('entries that share a name are neither lost nor repeated at a page boundary', async () => {
    t = await startApiApp(await database.create(), clock, '', {}, bigDirectory());
    const pages = await allPages('q=sam%20same&limit=2');
    expect(pages.map((p) => p.entries.length)).toEqual([2, 2, 1]);
    const ids = pages.flatMap((p) => p.entries.map((e) => e.id));
    expect(ids).toEqual([7, 257, 507, 757, 1007].map(idOf));
  });

  test('a cursor that is not ours, a limit out of range and an unknown state are refused with the reason', async () => {
    t = await startApiApp(await database.create(), clock, '', {}, bigDirectory());
    const forged = await get('/directory?cursor=not-a-cursor', 400);
    expect(forged).toMatchObject({ status: 400, 'invalid-params': [{ name: 'query.cursor' }] });
    const tampered = await get(`/directory?cursor=d1.${Buffer.from('["x","robot","y"]').toString('base64url')}`, 400);
    expect(tampered.status).toBe(400);
    await get('/directory?limit=501', 400);
    await get('/directory?limit=0', 400);
    await get('/directory?state=Sleeping', 400);
  });

  test('the OpenAPI document declares the cursor, the filters and the page', async () => {
    t = await startApiApp(await database.create(), clock, '', {}, bigDirectory());
    const doc = (await request(t.app.http).get('/openapi.json').expect(200)).body;
    const op = doc.paths['/api/v1/directory'].get;
    expect(op.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['q', 'kind', 'state', 'skill', 'limit', 'cursor']),
    );
    expect(doc.components.schemas.DirectoryPage.required).toEqual(
      expect.arrayContaining(['entries', 'nextCursor', 'next']),
    );
  });
});
