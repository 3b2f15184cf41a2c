/**
 * The supervisors' report routes under `/api/v1/reports`: resource facts (JSON, NDJSON or CSV, streamed), summaries
 * per routing point, knowledge worker or agent, offered-versus-accepted series and agent-state timelines.
 * Platform keys only; every answer is limited to the caller's contact center.
 */
import type { Request } from 'express';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { SeriesBuilder } from '../../domain/reporting/series.js';
import { SummaryBuilder } from '../../domain/reporting/summary.js';
import { clipPeriods, timeInState } from '../../domain/reporting/time-in-state.js';
import type { AgentEntry } from '../../domain/routing/directory.js';
import type { RoutingIndex } from '../../domain/routing/routing-index.js';
import type { Clock } from '../../ports/clock.js';
import type { PresenceHistoryStore } from '../../ports/presence/presence-history-store.js';
import { requirePlatform } from '../agent-api/api-context.js';
import { type AnyRoute, defineRoute } from '../agent-api/define-route.js';
import { ProblemError, problem } from '../http/problem.js';
import type { Database } from '../store/schema.js';
import { csvHeader, csvLine, factView } from './fact-format.js';
import { type FactFilter, FactReader } from './fact-reader.js';
import {
  agentStatesQuery,
  agentStatesSchema,
  factSchema,
  factsQuery,
  seriesQuery,
  seriesSchema,
  summaryQuery,
  summarySchema,
} from './report-schemas.js';
import { streamBody } from './stream-body.js';

/** What the report routes read. */
export interface ReportDependencies {
  readonly db: Kysely<Database>;
  /** The contact center of interactions not created through the API. */
  readonly defaultContactCenter: string;
  readonly index: () => RoutingIndex;
  readonly queues: readonly { readonly id: string; readonly name: string }[];
  /** The contact center a queue belongs to: a summary lists only the caller's queues. Default: all are the default's. */
  readonly contactCenterOfQueue?: ((queueId: string) => string) | undefined;
  readonly agents: readonly AgentEntry[];
  /** Closed time-in-state periods of knowledge workers. */
  readonly presenceHistory: PresenceHistoryStore;
  readonly clock: Clock;
  /** Facts read from the database per query. Default 500. */
  readonly batchSize?: number | undefined;
}

const DAY_MS = 86_400_000;
const INTERVAL_MS = { minute: 60_000, hour: 3_600_000, day: DAY_MS } as const;
/** Most intervals one series may have. */
const MAX_BUCKETS = 2_000;

type Format = 'json' | 'ndjson' | 'csv';

function formatOf(req: Request, asked: Format | undefined): Format {
  if (asked) return asked;
  const accepted = req.accepts(['application/json', 'application/x-ndjson', 'text/csv']);
  return accepted === 'text/csv' ? 'csv' : accepted === 'application/x-ndjson' ? 'ndjson' : 'json';
}

async function* serialize(facts: AsyncIterable<Parameters<typeof factView>[0]>, format: Format) {
  if (format === 'csv') yield csvHeader;
  if (format === 'json') yield '{"facts":[';
  let first = true;
  for await (const stored of facts) {
    const view = factView(stored);
    if (format === 'csv') yield csvLine(view);
    else if (format === 'ndjson') yield `${JSON.stringify(view)}\n`;
    else {
      yield `${first ? '' : ','}\n${JSON.stringify(view)}`;
      first = false;
    }
  }
  if (format === 'json') yield '\n]}\n';
}

/** The report routes. */
export function reportRoutes(deps: ReportDependencies): AnyRoute[] {
  const reader = new FactReader(deps.db, deps.defaultContactCenter);
  const batchSize = deps.batchSize ?? 500;
  const range = (q: { from?: number | undefined; to?: number | undefined }) => {
    const to = q.to ?? deps.clock.now();
    const from = q.from ?? to - DAY_MS;
    if (from >= to) {
      throw new ProblemError(
        problem(400, 'invalid-request', 'Invalid request', 'from must be before to.', {
          'invalid-params': [{ name: 'query.from', reason: 'must be before to' }],
        }),
      );
    }
    return { from, to };
  };
  const routingPointName = (id: string) =>
    deps.index().routingPoints.get(id)?.definition.name ?? deps.queues.find((q) => q.id === id)?.name;
  const personName = (id: string) =>
    deps.index().knowledgeWorkers.get(id)?.name ?? deps.agents.find((a) => a.id === id)?.name;

  return [
    defineRoute({
      method: 'get',
      path: '/reports/facts',
      operationId: 'readFacts',
      summary: 'Resource facts in Info Mart vocabulary, filtered; streamed as JSON, NDJSON or CSV',
      tag: 'Reports',
      auth: 'platform',
      query: factsQuery,
      responses: {
        200: {
          description:
            'Facts in id order (the order they were recorded): `{"facts":[…]}`, one fact per NDJSON line, or CSV with a header line.',
          content: {
            'application/json': z.object({ facts: z.array(factSchema) }),
            'application/x-ndjson': factSchema,
            'text/csv': null,
          },
        },
      },
      errors: [403],
      stream: true,
      handle: async ({ query, caller, req, res }) => {
        requirePlatform(caller);
        const format = formatOf(req, query.format);
        const filter: FactFilter = {
          contactCenter: caller.contactCenter,
          from: query.from,
          to: query.to,
          routingPointId: query.routingPointId,
          resourceKind: query.knowledgeWorkerId ? 'knowledge-worker' : query.resourceKind,
          resourceId: query.knowledgeWorkerId ?? query.resourceId,
          role: query.role,
          result: query.result,
          reason: query.reason,
          outcome: query.outcome,
          interactionId: query.interactionId,
          afterId: query.after,
        };
        res.status(200);
        res.setHeader('Cache-Control', 'no-store');
        if (format === 'csv') {
          res.setHeader('Content-Type', 'text/csv; charset=utf-8; header=present');
          res.setHeader('Content-Disposition', 'attachment; filename="resource-facts.csv"');
        } else if (format === 'ndjson') res.setHeader('Content-Type', 'application/x-ndjson; charset=utf-8');
        else res.setHeader('Content-Type', 'application/json; charset=utf-8');
        await streamBody(res, serialize(reader.read(filter, batchSize), format));
        return undefined;
      },
    }),
    defineRoute({
      method: 'get',
      path: '/reports/summary',
      operationId: 'readSummary',
      summary:
        'Offered, accepted, declined, timed out, unreachable, abandoned, time to accept, handle time, transfers, states',
      tag: 'Reports',
      auth: 'platform',
      query: summaryQuery,
      responses: { 200: { description: 'One row per group, and the totals.', schema: summarySchema } },
      errors: [403],
      handle: async ({ query, caller }) => {
        requirePlatform(caller);
        const { from, to } = range(query);
        const builder = new SummaryBuilder(query.by, query.by === 'routing-point' ? routingPointName : personName);
        if (query.by === 'routing-point') {
          for (const rp of deps.index().routingPoints.values()) builder.include(rp.definition.id, rp.definition.name);
          for (const q of deps.queues) {
            const cc = deps.contactCenterOfQueue?.(q.id) ?? deps.defaultContactCenter;
            if (cc === caller.contactCenter) builder.include(q.id, q.name);
          }
        }
        if (query.by === 'knowledge-worker') {
          for (const kw of deps.index().knowledgeWorkers.values()) builder.include(kw.id, kw.name);
        }
        for await (const { fact } of reader.read({ contactCenter: caller.contactCenter, from, to }, batchSize)) {
          builder.add(fact);
        }
        const { rows, totals } = builder.result();
        const withStates =
          query.by === 'knowledge-worker'
            ? await Promise.all(
                rows.map(async (row) => ({
                  ...row,
                  stateMs: timeInState(clipPeriods(await deps.presenceHistory.historyOf(row.id, from, to), from, to)),
                })),
              )
            : rows;
        const iso = (t: number) => new Date(t).toISOString();
        return { status: 200, body: { by: query.by, from: iso(from), to: iso(to), rows: withStates, totals } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/reports/series',
      operationId: 'readSeries',
      summary: 'Offered, accepted and abandoned per minute, hour or day (for charts)',
      tag: 'Reports',
      auth: 'platform',
      query: seriesQuery,
      responses: { 200: { description: 'One bucket per interval.', schema: seriesSchema } },
      errors: [403],
      handle: async ({ query, caller }) => {
        requirePlatform(caller);
        const { from, to } = range(query);
        const intervalMs = INTERVAL_MS[query.interval];
        if ((to - from) / intervalMs > MAX_BUCKETS) {
          throw new ProblemError(
            problem(400, 'invalid-request', 'Invalid request', `At most ${MAX_BUCKETS} intervals: use a longer one.`, {
              'invalid-params': [{ name: 'query.interval', reason: `more than ${MAX_BUCKETS} intervals in the range` }],
            }),
          );
        }
        const series = new SeriesBuilder(from, to, intervalMs);
        const filter = { contactCenter: caller.contactCenter, from, to, routingPointId: query.routingPointId };
        for await (const { fact } of reader.read(filter, batchSize)) series.add(fact);
        const iso = (t: number) => new Date(t).toISOString();
        return {
          status: 200,
          body: {
            from: iso(from),
            to: iso(to),
            intervalMs,
            buckets: series.buckets.map((b) => ({ ...b, start: iso(b.start) })),
          },
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/reports/agent-states',
      operationId: 'readAgentStates',
      summary: "Knowledge workers' agent-state periods from the presence history (a timeline per knowledge worker)",
      tag: 'Reports',
      auth: 'platform',
      query: agentStatesQuery,
      responses: { 200: { description: 'Periods per knowledge worker.', schema: agentStatesSchema } },
      errors: [403, 404],
      handle: async ({ query, caller }) => {
        requirePlatform(caller);
        const { from, to } = range(query);
        const all = [...deps.index().knowledgeWorkers.values()];
        const chosen = query.knowledgeWorkerId ? all.filter((k) => k.id === query.knowledgeWorkerId) : all;
        if (query.knowledgeWorkerId && chosen.length === 0) {
          throw new ProblemError(
            problem(404, 'not-found', 'Not found', `Knowledge worker ${query.knowledgeWorkerId} does not exist.`),
          );
        }
        const iso = (t: number) => new Date(t).toISOString();
        const knowledgeWorkers = await Promise.all(
          chosen.map(async (kw) => {
            const periods = clipPeriods(await deps.presenceHistory.historyOf(kw.id, from, to), from, to);
            return {
              id: kw.id,
              name: kw.name,
              periods: periods.map((p) => ({ ...p, startedAt: iso(p.startedAt), endedAt: iso(p.endedAt) })),
              stateMs: timeInState(periods),
            };
          }),
        );
        return { status: 200, body: { from: iso(from), to: iso(to), knowledgeWorkers } };
      },
    }),
  ];
}
