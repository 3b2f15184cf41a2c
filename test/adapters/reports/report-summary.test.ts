/**
 * Summaries, series and agent-state timelines on a known data set (test/support/report-data-set.ts), recorded
 * through the connector's store and read through the report API, with the figures worked out by hand.
 */

import { afterAll, afterEach, beforeEach, describe, expect, test } from 'vitest';
import { percentile } from '../../../src/domain/reporting/summary.js';
import { MemoryPresenceHistoryStore } from '../../../src/ports/presence/presence-history-store.js';
import request from '../../support/api-request.js';
import { testDatabases } from '../../support/databases.js';
import { at, knownFacts, knownHistory, range } from '../../support/report-data-set.js';
import { sampleDirectory, startTestApp, type TestApp, TestClock, testConfig } from '../../support/test-app.js';

const zeroHistogram = [
  { fromMs: 0, toMs: 5_000, count: 0 },
  { fromMs: 5_000, toMs: 10_000, count: 0 },
  { fromMs: 10_000, toMs: 15_000, count: 0 },
  { fromMs: 15_000, toMs: 20_000, count: 0 },
  { fromMs: 20_000, toMs: 30_000, count: 0 },
  { fromMs: 30_000, toMs: 60_000, count: 0 },
  { fromMs: 60_000, toMs: null, count: 0 },
];
const histogram = (counts: number[]) => zeroHistogram.map((b, i) => ({ ...b, count: counts[i] ?? 0 }));

const nothing = {
  offered: 0,
  accepted: 0,
  declined: 0,
  timedOut: 0,
  unreachable: 0,
  withdrawn: 0,
  takenByOther: 0,
  abandoned: { queued: 0, routing: 0, ringing: 0 },
  timeToAcceptMs: { p50: null, p90: null },
  timeToAcceptHistogram: zeroHistogram,
  handleTimeMs: { total: 0, average: null },
  transfers: { received: 0, made: 0 },
  conferences: 0,
  consults: 0,
  mediationMs: { requests: 0, total: 0, average: null },
};

describe.each(testDatabases())('report summaries on $name', (database) => {
  let t: TestApp;
  let platform: string;
  afterAll(() => database.cleanup());
  beforeEach(async () => {
    const history = new MemoryPresenceHistoryStore();
    await history.record(knownHistory, []);
    t = await startTestApp(testConfig(sampleDirectory, await database.create()), new TestClock(at(12, 30)), {
      presenceHistory: history,
    });
    await t.app.store.transaction((tx) => tx.recordFacts(knownFacts));
    platform = (await t.app.agentSide.keys.create({ contactCenter: 'default', agentId: null, label: 'Reports' })).key;
  });
  afterEach(() => t.app.stop());

  const get = async (path: string, key = platform) =>
    (await request(t.app.http).get(`/api/v1/reports/${path}`).set('authorization', `Bearer ${key}`).expect(200)).body;
  const window = `from=${new Date(range.from).toISOString()}&to=${new Date(range.to).toISOString()}`;

  test('per routing point: offers and their ends, abandons, time to accept, handle time, transfers', async () => {
    const body = await get(`summary?by=routing-point&${window}`);
    expect(body).toMatchObject({
      by: 'routing-point',
      from: '2026-01-15T09:30:00.000Z',
      to: '2026-01-15T12:00:00.000Z',
    });
    expect(body.rows).toEqual([
      {
        id: 'billing',
        name: 'Billing Experts',
        offered: 9,
        accepted: 4,
        declined: 1,
        timedOut: 1,
        unreachable: 0,
        withdrawn: 1,
        takenByOther: 1,
        abandoned: { queued: 0, routing: 1, ringing: 1 },
        // Accepted after 2, 4, 8 and 12 s: nearest rank.
        timeToAcceptMs: { p50: 4_000, p90: 12_000 },
        timeToAcceptHistogram: histogram([2, 1, 1]),
        handleTimeMs: { total: 255_000, average: 63_750 },
        transfers: { received: 1, made: 1 },
        conferences: 0,
        consults: 0,
        // Four accepted offers (one after a 30 s wait) and one customer who left while it routed (90 s).
        mediationMs: { requests: 5, total: 120_000, average: 24_000 },
      },
      {
        id: 'inbound-chat',
        name: 'Inbound Chat',
        ...nothing,
        abandoned: { queued: 1, routing: 0, ringing: 0 },
        mediationMs: { requests: 1, total: 15_000, average: 15_000 },
      },
    ]);
    expect(body.totals).toMatchObject({
      offered: 9,
      accepted: 4,
      abandoned: { queued: 1, routing: 1, ringing: 1 },
      mediationMs: { requests: 6, total: 135_000, average: 22_500 },
    });
  });

  test('per knowledge worker, with the time in each agent state from the presence history', async () => {
    const body = await get(`summary?by=knowledge-worker&${window}`);
    expect(body.rows).toEqual([
      {
        id: 'kw-ann',
        name: 'Ann Billing',
        offered: 5,
        accepted: 2,
        declined: 1,
        timedOut: 0,
        unreachable: 0,
        withdrawn: 1,
        takenByOther: 0,
        abandoned: { queued: 0, routing: 0, ringing: 1 },
        timeToAcceptMs: { p50: 2_000, p90: 12_000 },
        timeToAcceptHistogram: histogram([1, 0, 1]),
        handleTimeMs: { total: 105_000, average: 52_500 },
        transfers: { received: 0, made: 1 },
        conferences: 0,
        consults: 0,
        mediationMs: { requests: 2, total: 30_000, average: 15_000 },
        // 09:30–10:00 and 11:00–12:00 Ready; 10:00–10:30 in a meeting; 10:30–11:00 Busy.
        stateMs: { Ready: 5_400_000, 'NotReady(InAMeeting)': 1_800_000, Busy: 1_800_000 },
      },
      { id: 'kw-eve', name: 'Eve Engineer', ...nothing, stateMs: {} },
      {
        id: 'kw-leo',
        name: 'Leo Legal',
        offered: 5,
        accepted: 3,
        declined: 0,
        timedOut: 1,
        unreachable: 0,
        withdrawn: 0,
        takenByOther: 1,
        abandoned: { queued: 0, routing: 0, ringing: 0 },
        timeToAcceptMs: { p50: 4_000, p90: 8_000 },
        timeToAcceptHistogram: histogram([2, 1]),
        handleTimeMs: { total: 160_000, average: 53_333 },
        transfers: { received: 1, made: 0 },
        conferences: 1,
        consults: 0,
        // The conference came from a person, not through a routing point.
        mediationMs: { requests: 2, total: 0, average: 0 },
        // Logged out until 09:00: before the range.
        stateMs: {},
      },
    ]);
    const agents = await get(`summary?by=agent&${window}`);
    expect(agents.rows).toEqual([{ id: 'agent-kate', name: 'Kate Lewis', ...nothing }]);
  });

  test('a preview that could not be delivered is an offer that ended unreachable, counted apart', async () => {
    await t.app.store.transaction((tx) =>
      tx.recordFacts([
        {
          interactionId: 'ix-unreachable',
          partyId: 'p2',
          media: 'im',
          resource: { kind: 'knowledge-worker', id: 'kw-eve', name: 'Eve Engineer' },
          role: 'RoutedTo',
          result: 'Redirected',
          reason: 'Revoked',
          outcome: 'unreachable',
          routingPointId: 'billing',
          startedAt: at(11, 0),
          endedAt: at(11, 0) + 300,
          alertMs: 300,
          engageMs: 0,
          mediationMs: 0,
        },
      ]),
    );
    const byRp = await get(`summary?by=routing-point&${window}`);
    expect(byRp.rows[0]).toMatchObject({ id: 'billing', offered: 10, accepted: 4, timedOut: 1, unreachable: 1 });
    const byKw = await get(`summary?by=knowledge-worker&${window}`);
    expect(byKw.rows.find((r: { id: string }) => r.id === 'kw-eve')).toMatchObject({
      offered: 1,
      accepted: 0,
      unreachable: 1,
      timeToAcceptMs: { p50: null, p90: null },
    });
    const facts = await get(`facts?outcome=unreachable&${window}`);
    expect(facts.facts.map((f: { descriptor: string }) => f.descriptor)).toEqual(['RoutedTo/Redirected [Revoked]']);
  });

  test('the range defaults to the last 24 hours; the fact from 08:00 counts then', async () => {
    const body = await get('summary?by=knowledge-worker');
    expect(body.to).toBe('2026-01-15T12:30:00.000Z');
    expect(body.from).toBe('2026-01-14T12:30:00.000Z');
    expect(body.rows.find((r: { id: string }) => r.id === 'kw-ann').accepted).toBe(3);
  });

  test('offered versus accepted per hour for one routing point', async () => {
    const body = await get(`series?interval=hour&routingPointId=billing&${window}`);
    expect(body).toEqual({
      from: '2026-01-15T09:30:00.000Z',
      to: '2026-01-15T12:00:00.000Z',
      intervalMs: 3_600_000,
      buckets: [
        { start: '2026-01-15T09:30:00.000Z', offered: 4, accepted: 1, abandoned: 2 },
        { start: '2026-01-15T10:30:00.000Z', offered: 5, accepted: 3, abandoned: 0 },
        { start: '2026-01-15T11:30:00.000Z', offered: 0, accepted: 0, abandoned: 0 },
      ],
    });
    const tooMany = await request(t.app.http)
      .get('/api/v1/reports/series?interval=minute&from=2026-01-01T00:00:00Z&to=2026-01-15T00:00:00Z')
      .set('authorization', `Bearer ${platform}`)
      .expect(400);
    expect(tooMany.body['invalid-params'][0].name).toBe('query.interval');
  });

  test('agent-state timelines, clipped to the range', async () => {
    const body = await get(`agent-states?knowledgeWorkerId=kw-ann&${window}`);
    expect(body.knowledgeWorkers).toEqual([
      {
        id: 'kw-ann',
        name: 'Ann Billing',
        periods: [
          {
            state: 'Ready',
            kind: 'ready',
            startedAt: '2026-01-15T09:30:00.000Z',
            endedAt: '2026-01-15T10:00:00.000Z',
            durationMs: 1_800_000,
          },
          {
            state: 'NotReady(InAMeeting)',
            kind: 'not-ready',
            startedAt: '2026-01-15T10:00:00.000Z',
            endedAt: '2026-01-15T10:30:00.000Z',
            durationMs: 1_800_000,
          },
          {
            state: 'Busy',
            kind: 'busy',
            startedAt: '2026-01-15T10:30:00.000Z',
            endedAt: '2026-01-15T11:00:00.000Z',
            durationMs: 1_800_000,
          },
          {
            state: 'Ready',
            kind: 'ready',
            startedAt: '2026-01-15T11:00:00.000Z',
            endedAt: '2026-01-15T12:00:00.000Z',
            durationMs: 3_600_000,
          },
        ],
        stateMs: { Ready: 5_400_000, 'NotReady(InAMeeting)': 1_800_000, Busy: 1_800_000 },
      },
    ]);
    const all = await get(`agent-states?${window}`);
    expect(all.knowledgeWorkers.map((k: { id: string }) => k.id)).toEqual(['kw-ann', 'kw-leo', 'kw-eve']);
    await request(t.app.http)
      .get('/api/v1/reports/agent-states?knowledgeWorkerId=kw-nobody')
      .set('authorization', `Bearer ${platform}`)
      .expect(404);
  });

  test('bad input and other contact centers', async () => {
    const bad = await request(t.app.http)
      .get('/api/v1/reports/summary?by=team')
      .set('authorization', `Bearer ${platform}`)
      .expect(400);
    expect(bad.body['invalid-params'][0].name).toBe('query.by');
    await request(t.app.http)
      .get(
        `/api/v1/reports/summary?by=routing-point&from=${new Date(range.to).toISOString()}&to=${new Date(range.from).toISOString()}`,
      )
      .set('authorization', `Bearer ${platform}`)
      .expect(400);
    const agentKey = (
      await t.app.agentSide.keys.create({ contactCenter: 'default', agentId: 'agent-kate', label: 'K' })
    ).key;
    await request(t.app.http)
      .get('/api/v1/reports/summary?by=agent')
      .set('authorization', `Bearer ${agentKey}`)
      .expect(403);
    const north = (await t.app.agentSide.keys.create({ contactCenter: 'north', agentId: null, label: 'N' })).key;
    const theirs = await get(`summary?by=routing-point&${window}`, north);
    expect(theirs.totals).toEqual(nothing);
  });

  test('nearest-rank percentiles', () => {
    expect(percentile([], 50)).toBeNull();
    expect(percentile([7], 90)).toBe(7);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50)).toBe(5);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBe(9);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 91)).toBe(10);
  });
});
