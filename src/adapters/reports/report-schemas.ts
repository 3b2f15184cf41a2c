/**
 * The report routes' zod schemas: query parameters (validated at entry, documented in the OpenAPI document) and
 * the JSON answers.
 */
import { z } from 'zod';
import { FACT_OUTCOMES } from '../../domain/reporting/resource-fact.js';

const id = z.string().trim().min(1).max(200);

/** An ISO 8601 date-time with a zone (`2026-01-15T09:00:00Z`), read as epoch ms. */
const instant = z.iso
  .datetime({ offset: true })
  .transform((s) => Date.parse(s))
  .meta({ description: 'ISO 8601 date-time with a zone, e.g. 2026-01-15T09:00:00Z.' });

/** The reporting range. Facts are filed under the time they ended (Info Mart's convention). */
const range = {
  from: instant.optional().meta({ description: 'Start of the range (inclusive), ISO 8601.' }),
  to: instant.optional().meta({ description: 'End of the range (exclusive), ISO 8601.' }),
};

const resourceKinds = ['agent', 'knowledge-worker', 'queue', 'routing-point'] as const;

/** Filters of `GET /reports/facts`. */
export const factsQuery = z
  .strictObject({
    ...range,
    routingPointId: id.optional().meta({ description: 'Only facts of this routing point (or queue).' }),
    knowledgeWorkerId: id.optional().meta({ description: 'Only facts of this knowledge worker.' }),
    resourceKind: z.enum(resourceKinds).optional().meta({ description: 'Only facts of this kind of resource.' }),
    resourceId: id.optional().meta({ description: 'Only facts of this resource (agent, knowledge worker, …).' }),
    role: z
      .enum(['Initiated', 'Received', 'Puller', 'RoutedTo', 'ReceivedTransfer', 'InConference', 'ReceivedConsult'])
      .optional()
      .meta({ description: 'Only facts with this Info Mart role.' }),
    result: z
      .enum(['Completed', 'Redirected', 'Transferred', 'Abandoned', 'CustomerAbandoned'])
      .optional()
      .meta({ description: 'Only facts with this Info Mart technical result.' }),
    reason: z
      .enum(['Revoked', 'AbandonedWhileQueued', 'AbandonedWhileRinging'])
      .optional()
      .meta({ description: 'Only facts with this result reason.' }),
    outcome: z
      .enum(FACT_OUTCOMES)
      .optional()
      .meta({ description: 'Only facts with this finer outcome (how the party left).' }),
    interactionId: id.optional().meta({ description: 'Only facts of this interaction.' }),
    after: z.coerce
      .number()
      .int()
      .min(0)
      .optional()
      .meta({ description: 'Only facts with a greater id (resume an export from the last id you read).' }),
    format: z
      .enum(['json', 'ndjson', 'csv'])
      .optional()
      .meta({ description: 'json (default), ndjson or csv; or send Accept: text/csv or application/x-ndjson.' }),
  })
  .refine((q) => q.from === undefined || q.to === undefined || q.from < q.to, {
    message: 'from must be before to',
    path: ['from'],
  })
  .refine((q) => q.knowledgeWorkerId === undefined || q.resourceId === undefined, {
    message: 'give knowledgeWorkerId or resourceId, not both',
    path: ['knowledgeWorkerId'],
  });

/** The range of a summary, series or state report: both ends default (the last 24 hours up to now). */
const boundedRange = z.strictObject({ ...range });

/** Query of `GET /reports/summary`. */
export const summaryQuery = boundedRange.extend({
  by: z.enum(['routing-point', 'knowledge-worker', 'agent']).meta({ description: 'What the rows are.' }),
});

/** Query of `GET /reports/series`. */
export const seriesQuery = boundedRange.extend({
  interval: z.enum(['minute', 'hour', 'day']).default('hour').meta({ description: 'The length of one bucket.' }),
  routingPointId: id.optional().meta({ description: 'Only this routing point (or queue).' }),
});

/** Query of `GET /reports/agent-states`. */
export const agentStatesQuery = boundedRange.extend({
  knowledgeWorkerId: id.optional().meta({ description: 'One knowledge worker (default: every one).' }),
});

/** A fact as the API shows it. */
export const factSchema = z
  .object({
    id: z.number().int(),
    interactionId: z.string(),
    partyId: z.string().nullable(),
    media: z.string(),
    resource: z.object({ kind: z.enum(resourceKinds), id: z.string(), name: z.string() }),
    role: z.string(),
    result: z.string(),
    reason: z.string().nullable(),
    descriptor: z.string().meta({ description: 'Info Mart technical descriptor: Role/Result [Reason].' }),
    outcome: z.string(),
    routingPointId: z.string().nullable(),
    startedAt: z.string(),
    endedAt: z.string(),
    alertMs: z.number(),
    engageMs: z.number(),
    mediationMs: z.number().meta({
      description:
        'Mediation: time the request waited at the routing point (or queue) before this offer, 0 when offered at once; for a queue or routing point fact, the whole time it held the interaction.',
    }),
  })
  .meta({ id: 'ResourceFact' });

const figures = {
  offered: z.number().int(),
  accepted: z.number().int(),
  declined: z.number().int(),
  timedOut: z.number().int(),
  unreachable: z.number().int(),
  withdrawn: z.number().int(),
  takenByOther: z.number().int(),
  abandoned: z.object({ queued: z.number().int(), routing: z.number().int(), ringing: z.number().int() }),
  timeToAcceptMs: z.object({ p50: z.number().nullable(), p90: z.number().nullable() }),
  timeToAcceptHistogram: z.array(z.object({ fromMs: z.number(), toMs: z.number().nullable(), count: z.number() })),
  handleTimeMs: z.object({ total: z.number(), average: z.number().nullable() }),
  transfers: z.object({ received: z.number().int(), made: z.number().int() }),
  conferences: z.number().int(),
  consults: z.number().int(),
  mediationMs: z.object({ requests: z.number().int(), total: z.number(), average: z.number().nullable() }).meta({
    description:
      'Requests a routing point or queue mediated (accepted offers through it, customers who left it) and their time waiting there.',
  }),
};

/** The answer of `GET /reports/summary`. */
export const summarySchema = z.object({
  by: z.string(),
  from: z.string(),
  to: z.string(),
  rows: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      ...figures,
      stateMs: z
        .record(z.string(), z.number())
        .optional()
        .meta({ description: 'Knowledge workers: time in each agent state (closed periods) within the range.' }),
    }),
  ),
  totals: z.object(figures),
});

/** The answer of `GET /reports/series`. */
export const seriesSchema = z.object({
  from: z.string(),
  to: z.string(),
  intervalMs: z.number(),
  buckets: z.array(z.object({ start: z.string(), offered: z.number(), accepted: z.number(), abandoned: z.number() })),
});

/** The answer of `GET /reports/agent-states`. */
export const agentStatesSchema = z.object({
  from: z.string(),
  to: z.string(),
  knowledgeWorkers: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      periods: z.array(
        z.object({
          state: z.string(),
          kind: z.string(),
          startedAt: z.string(),
          endedAt: z.string(),
          durationMs: z.number(),
        }),
      ),
      stateMs: z.record(z.string(), z.number()),
    }),
  ),
});
