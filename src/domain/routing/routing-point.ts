/**
 * Routing point definitions (the Knowledge Worker Routing Point of seed 000): a named pool of knowledge workers
 * with a strategy, a preview timeout, a maximum number of offers and a default route. Validated with zod; the
 * lead composes `routingOptionsSchema` into the config file's schema.
 */
import { z } from 'zod';

/** Who belongs to a routing point: a static list of knowledge-worker ids, or an Entra ID group kept in sync. */
export const membersSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('static'), ids: z.array(z.string().min(1)) }),
  z.object({ kind: z.literal('entra-group'), groupId: z.string().min(1) }),
]);

/** A required skill of the priority strategy: members below `minLevel` are not in the pool. */
export const requiredSkillSchema = z.object({ name: z.string().min(1), minLevel: z.number().int().min(1).default(1) });

/** How a broadcast (or any multi-pick) ranks members before taking the first N. */
export const rankSchema = z.enum(['list', 'round-robin', 'longest-idle', 'priority']);

/**
 * The strategy of a routing point:
 * - `named`: always the one knowledge worker named (the agent picked them);
 * - `round-robin`: the next Ready member after the last one offered (a cursor kept by the caller);
 * - `longest-idle`: the Ready member whose last interaction finished longest ago (never = longest);
 * - `priority`: members holding the required skills, by knowledge-worker priority (lower first), then by the
 *   sum of the required skills' levels (higher first), then list order;
 * - `broadcast`: previews to up to `size` Ready members at once, ranked by `rank` (default `list`);
 *   the first Accept wins.
 */
export const strategySchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('named'), knowledgeWorkerId: z.string().min(1) }),
  z.object({ kind: z.literal('round-robin') }),
  z.object({ kind: z.literal('longest-idle') }),
  z.object({ kind: z.literal('priority'), skills: z.array(requiredSkillSchema).default([]) }),
  z.object({
    kind: z.literal('broadcast'),
    size: z.number().int().min(1).max(50),
    rank: rankSchema.default('list'),
    skills: z.array(requiredSkillSchema).default([]),
  }),
]);

/** Where a request goes when the routing point finds no one: another routing point, or back to the agent. */
export const defaultRouteSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('agent') }),
  z.object({ kind: z.literal('routing-point'), id: z.string().min(1) }),
]);

/** The voice routing point DN that escalated calls go to (seed 000 step 8), with its display name. */
export const voiceRoutingPointSchema = z.object({ dn: z.string().min(1).max(64), name: z.string().optional() });

/** One routing point. */
export const routingPointSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  members: membersSchema,
  strategy: strategySchema,
  /** How long each preview waits for Accept. Default 30 s. */
  previewTimeoutMs: z.number().int().min(1_000).max(600_000).default(30_000),
  /** How many people this routing point offers one request to, in all, before its default route. Default 5. */
  maxOffers: z.number().int().min(1).max(1_000).default(5),
  /**
   * How long a request waits here for a member to become available when no one is (ms), before the default route.
   * Default 0: the default route at once.
   */
  waitMs: z.number().int().min(0).max(86_400_000).default(0),
  /** Default: back to the agent with "no expert available". */
  defaultRoute: defaultRouteSchema.default({ kind: 'agent' }),
  /** The voice routing point for escalating the customer's call to whoever this routing point connected. */
  voiceRoutingPoint: voiceRoutingPointSchema.optional(),
});

/** One routing point, as validated (defaults applied). */
export type RoutingPoint = z.infer<typeof routingPointSchema>;

/** One routing point, as written in config. */
export type RoutingPointOptions = z.input<typeof routingPointSchema>;

/** A strategy, as validated. */
export type Strategy = z.infer<typeof strategySchema>;

/** A required skill, as validated. */
export type RequiredSkill = z.infer<typeof requiredSkillSchema>;

/** How a multi-pick ranks members. */
export type Rank = z.infer<typeof rankSchema>;

/** The router's options: routing points, and the preview timeout of requests to a named person. */
export const routingOptionsSchema = z
  .object({
    routingPoints: z.array(routingPointSchema).default([]),
    /** Preview timeout of a request to a named knowledge worker (no routing point). Default 30 s. */
    namedPreviewTimeoutMs: z.number().int().min(1_000).max(600_000).default(30_000),
    /**
     * How often the members of Entra groups feeding routing points are read again through Graph (ms), besides at
     * start. Default 5 minutes.
     */
    groupSyncIntervalMs: z.number().int().min(30_000).max(86_400_000).default(300_000),
  })
  .superRefine((o, ctx) => {
    const ids = new Set<string>();
    for (const [i, rp] of o.routingPoints.entries()) {
      if (ids.has(rp.id)) {
        ctx.addIssue({ code: 'custom', path: ['routingPoints', i, 'id'], message: `routing point ${rp.id} twice` });
      }
      ids.add(rp.id);
    }
    for (const [i, rp] of o.routingPoints.entries()) {
      if (rp.defaultRoute.kind === 'routing-point' && !ids.has(rp.defaultRoute.id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['routingPoints', i, 'defaultRoute', 'id'],
          message: `the default route of ${rp.id} names unknown routing point ${rp.defaultRoute.id}`,
        });
      }
    }
  });

/** The router's options, as validated. */
export type Routing = z.infer<typeof routingOptionsSchema>;

/** The router's options, as written in config. */
export type RoutingOptions = z.input<typeof routingOptionsSchema>;
