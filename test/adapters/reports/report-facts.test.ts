/**
 * The 11 chat flows of 002 run through the real connector (its interaction service and database), then read back
 * through `GET /api/v1/reports/facts` as JSON, NDJSON and CSV: exactly the facts the engine recorded, filtered,
 * limited to the caller's contact center, paged by keyset.
 */

import { afterAll, afterEach, beforeEach, describe, expect, test } from 'vitest';
import { csvColumns } from '../../../src/adapters/reports/fact-format.js';
import { FactReader } from '../../../src/adapters/reports/fact-reader.js';
import type { Command } from '../../../src/domain/interaction/commands.js';
import type { Effect } from '../../../src/domain/interaction/effects.js';
import { describeFact, type ResourceFact } from '../../../src/domain/reporting/resource-fact.js';
import type { InteractionOwner } from '../../../src/ports/interaction-commands.js';
import { type ApiTestApp, bearer, startApiApp } from '../../support/api-app.js';
import request from '../../support/api-request.js';
import { testDatabases } from '../../support/databases.js';
import { EngineWorld } from '../../support/engine-world.js';
import { infoMartFlows } from '../../support/info-mart-flows.js';
import { TestClock } from '../../support/test-app.js';

/** An engine world that also keeps every command it ran, with the time it ran at. */
class RecordingWorld extends EngineWorld {
  readonly log: { at: number; command: Command }[] = [];
  override run(command: Command): Effect[] {
    this.log.push({ at: this.now, command });
    return super.run(command);
  }
}

const HOUR = 3_600_000;

/**
 * Runs flow n through the app as interaction `id`, `hours` (default n) hours after the first flow's start, created
 * for `owner` when given (as the agent API does); returns the facts it should record.
 */
async function runFlow(
  t: ApiTestApp,
  clock: TestClock,
  n: number,
  id: string,
  owner?: InteractionOwner,
  hours = n,
): Promise<ResourceFact[]> {
  const [, script] = infoMartFlows[n] ?? [];
  if (!script) throw new Error(`no flow ${n}`);
  const world = new RecordingWorld();
  script(world);
  for (const { at, command } of world.log) {
    clock.current = at + hours * HOUR;
    const renamed = JSON.parse(JSON.stringify(command).replaceAll('"interactionId":"c"', `"interactionId":"${id}"`));
    const result = await t.app.commands.execute(renamed as Command, owner);
    expect(result.ok, `${id} ${command.type}`).toBe(true);
  }
  return world.facts.map((f) => ({
    ...f,
    interactionId: id,
    startedAt: f.startedAt + hours * HOUR,
    endedAt: f.endedAt + hours * HOUR,
  }));
}

/** Runs every flow through the app (flow n as interaction `flow-n`, an hour apart); returns the expected facts. */
async function runFlows(t: ApiTestApp, clock: TestClock): Promise<ResourceFact[]> {
  const expected: ResourceFact[] = [];
  for (const n of infoMartFlows.keys()) expected.push(...(await runFlow(t, clock, n, `flow-${n}`)));
  return expected;
}

/** The engine's fact from the API's view. */
function fromView(v: Record<string, unknown>): ResourceFact {
  const { id: _id, descriptor: _d, startedAt, endedAt, ...rest } = v;
  return { ...rest, startedAt: Date.parse(String(startedAt)), endedAt: Date.parse(String(endedAt)) } as ResourceFact;
}

/** Parses RFC 4180 CSV (quoted fields, doubled quotes, CRLF). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  return rows;
}

const sortFacts = (facts: readonly ResourceFact[]) =>
  [...facts].sort(
    (a, b) => a.interactionId.localeCompare(b.interactionId, 'en', { numeric: true }) || a.endedAt - b.endedAt,
  );

describe.each(testDatabases())('report facts on $name', (database) => {
  let t: ApiTestApp;
  let expected: ResourceFact[];
  const clock = new TestClock();
  afterAll(() => database.cleanup());
  beforeEach(async () => {
    t = await startApiApp(await database.create(), clock);
    expected = await runFlows(t, clock);
  });
  afterEach(() => t.app.stop());

  const facts = async (query: string, key = t.keys.platform) => {
    const res = await request(t.app.http).get(`/api/v1/reports/facts${query}`).set(bearer(key)).expect(200);
    return (res.body.facts as Record<string, unknown>[]).map(fromView);
  };

  test('the API returns exactly the facts the engine recorded for the 11 flows, with their descriptors', async () => {
    // 13 flow variants (flows 2 and 8 twice), 22 facts: one per resource per participation.
    expect(expected).toHaveLength(22);
    expect(sortFacts(await t.app.store.facts())).toEqual(sortFacts(expected));
    const res = await request(t.app.http).get('/api/v1/reports/facts').set(bearer(t.keys.platform)).expect(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    const views = res.body.facts as { id: number; descriptor: string; resource: { name: string } }[];
    expect(views.map((v) => v.id)).toEqual([...views.map((v) => v.id)].sort((a, b) => a - b));
    expect(sortFacts(views.map((v) => fromView(v as unknown as Record<string, unknown>)))).toEqual(sortFacts(expected));
    for (const [n, [, , descriptors]] of infoMartFlows.entries()) {
      const mine = res.body.facts.filter((v: { interactionId: string }) => v.interactionId === `flow-${n}`);
      expect(mine.map((v: (typeof views)[number]) => `${v.resource.name} ${v.descriptor}`).sort()).toEqual(
        [...descriptors].sort(),
      );
    }
  });

  test('CSV (by format or Accept) and NDJSON carry the same facts', async () => {
    const csv = await request(t.app.http)
      .get('/api/v1/reports/facts')
      .set(bearer(t.keys.platform))
      .set('accept', 'text/csv')
      .expect(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.headers['content-disposition']).toContain('resource-facts.csv');
    const [header, ...rows] = parseCsv(csv.text);
    expect(header).toEqual(csvColumns.map(([name]) => name));
    const col = (row: string[], name: string) => row[header?.indexOf(name) ?? -1] ?? '';
    const fromCsv: ResourceFact[] = rows.map((r) => ({
      interactionId: col(r, 'interaction_id'),
      partyId: col(r, 'party_id') || null,
      media: col(r, 'media') as ResourceFact['media'],
      resource: {
        kind: col(r, 'resource_kind') as ResourceFact['resource']['kind'],
        id: col(r, 'resource_id'),
        name: col(r, 'resource_name'),
      },
      role: col(r, 'role') as ResourceFact['role'],
      result: col(r, 'result') as ResourceFact['result'],
      reason: (col(r, 'reason') || null) as ResourceFact['reason'],
      outcome: col(r, 'outcome') as ResourceFact['outcome'],
      routingPointId: col(r, 'routing_point_id') || null,
      startedAt: Date.parse(col(r, 'started_at')),
      endedAt: Date.parse(col(r, 'ended_at')),
      alertMs: Number(col(r, 'alert_ms')),
      engageMs: Number(col(r, 'engage_ms')),
      mediationMs: Number(col(r, 'mediation_ms')),
    }));
    expect(sortFacts(fromCsv)).toEqual(sortFacts(expected));
    for (const r of rows) expect(col(r, 'descriptor')).toBe(describeFact(fromCsv[rows.indexOf(r)] as ResourceFact));

    const same = await request(t.app.http).get('/api/v1/reports/facts?format=csv').set(bearer(t.keys.platform));
    expect(same.text).toBe(csv.text);

    const nd = await request(t.app.http).get('/api/v1/reports/facts?format=ndjson').set(bearer(t.keys.platform));
    expect(nd.headers['content-type']).toBe('application/x-ndjson; charset=utf-8');
    const lines = nd.text.trimEnd().split('\n');
    expect(sortFacts(lines.map((l) => fromView(JSON.parse(l))))).toEqual(sortFacts(expected));
  });

  test('filters: range, routing point, resource, descriptor, interaction, and resuming after an id', async () => {
    const revoked = await facts('?role=RoutedTo&result=Redirected&reason=Revoked');
    expect(revoked.map((f) => [f.interactionId, f.resource.name, f.outcome])).toEqual([
      ['flow-1', 'Kate Lewis', 'declined'],
      ['flow-2', 'Kate Lewis', 'timed_out'],
    ]);
    const jim = await facts('?resourceId=agent-jim');
    expect(jim.every((f) => f.resource.id === 'agent-jim')).toBe(true);
    expect(jim).toHaveLength(expected.filter((f) => f.resource.id === 'agent-jim').length);
    const viaQueue = await facts('?routingPointId=q-chat');
    expect(viaQueue.map((f) => f.interactionId).sort()).toEqual(['flow-10', 'flow-8', 'flow-9']);
    expect(await facts('?interactionId=flow-11')).toEqual(expected.filter((f) => f.interactionId === 'flow-11'));
    // Flows 3 to 5 ran in the 3rd, 4th and 5th hours after the first.
    const start = Date.UTC(2026, 0, 15, 19, 26, 45);
    const window = await facts(
      `?from=${new Date(start + 3 * HOUR).toISOString()}&to=${new Date(start + 6 * HOUR).toISOString()}`,
    );
    expect([...new Set(window.map((f) => f.interactionId))].sort()).toEqual(['flow-3', 'flow-4', 'flow-5']);
    expect(await facts('?knowledgeWorkerId=kw-ann')).toEqual([]);

    const all = (await request(t.app.http).get('/api/v1/reports/facts').set(bearer(t.keys.platform))).body.facts;
    const rest = await facts(`?after=${all[9].id}`);
    expect(rest).toHaveLength(all.length - 10);
    expect(rest[0]).toEqual(fromView(all[10]));
  });

  test('keyset pages of any size read every matching fact once, in order', async () => {
    const reader = new FactReader(t.app.database.db, 'default');
    const all = [];
    for await (const f of reader.read({ contactCenter: 'default' }, 500)) all.push(f);
    for (const size of [1, 2, 7]) {
      const paged = [];
      for await (const f of reader.read({ contactCenter: 'default' }, size)) paged.push(f);
      expect(paged).toEqual(all);
    }
    const routed = [];
    for await (const f of reader.read({ contactCenter: 'default', role: 'RoutedTo' }, 2)) routed.push(f.fact);
    expect(routed).toEqual(all.map((f) => f.fact).filter((f) => f.role === 'RoutedTo'));
  });

  test("platform keys only, and only their contact center's interactions", async () => {
    await request(t.app.http).get('/api/v1/reports/facts').expect(401);
    const agent = await request(t.app.http).get('/api/v1/reports/facts').set(bearer(t.keys.kate)).expect(403);
    expect(agent.body.type).toContain('platform-required');
    const bad = await request(t.app.http)
      .get('/api/v1/reports/facts?from=2026-01-16T00:00:00Z&to=2026-01-15T00:00:00Z&role=Boss')
      .set(bearer(t.keys.platform))
      .expect(400);
    expect(bad.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(bad.body['invalid-params'].map((p: { name: string }) => p.name).sort()).toEqual(['query.role']);
    await request(t.app.http).get('/api/v1/reports/facts?from=yesterday').set(bearer(t.keys.platform)).expect(400);

    const north = await t.app.agentSide.keys.create({ contactCenter: 'north', agentId: null, label: 'North' });
    expect(await facts('', north.key)).toEqual([]);
    // The first flow again, after the others, handed in by the north contact center (as north-0): only north sees it.
    const later = infoMartFlows.length;
    const northFacts = await runFlow(t, clock, 0, 'north-0', { contactCenter: 'north' }, later);
    expect(await facts('', north.key)).toEqual(northFacts);
    expect((await facts('')).some((f) => f.interactionId === 'north-0')).toBe(false);
  });

  test('the OpenAPI document describes the report routes and their media types', async () => {
    const doc = (await request(t.app.http).get('/openapi.json').expect(200)).body;
    const op = doc.paths['/api/v1/reports/facts'].get;
    expect(Object.keys(op.responses['200'].content).sort()).toEqual([
      'application/json',
      'application/x-ndjson',
      'text/csv',
    ]);
    expect(op.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['from', 'to', 'routingPointId', 'knowledgeWorkerId', 'role', 'result', 'reason']),
    );
    expect(doc.paths['/api/v1/reports/summary'].get.operationId).toBe('readSummary');
  });
});
