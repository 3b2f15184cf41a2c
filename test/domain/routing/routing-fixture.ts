/** Test fixture: a small directory and routing points built through the real schemas and index. */
import type { RouteRequest } from '../../../src/domain/interaction/effects.js';
import type { Target } from '../../../src/domain/interaction/types.js';
import { type AgentState, createStaticStateView } from '../../../src/domain/routing/agent-state.js';
import type { RoutingContext } from '../../../src/domain/routing/decide-route.js';
import { type KnowledgeWorkerOptions, knowledgeWorkersSchema } from '../../../src/domain/routing/knowledge-worker.js';
import { createRoutingIndex, type RoutingIndex } from '../../../src/domain/routing/routing-index.js';
import { type RoutingPointOptions, routingOptionsSchema } from '../../../src/domain/routing/routing-point.js';

/** Knowledge workers kw1…kwN named "Expert 1"…, priority 100, no skills. */
export function experts(n: number, extra: (i: number) => Partial<KnowledgeWorkerOptions> = () => ({})) {
  return Array.from({ length: n }, (_, k) => ({ id: `kw${k + 1}`, name: `Expert ${k + 1}`, ...extra(k + 1) }));
}

/** Builds an index from config-shaped options (validated by the real schemas). */
export function indexOf(
  kws: KnowledgeWorkerOptions[],
  routingPoints: RoutingPointOptions[],
  groupMembers?: (groupId: string) => readonly string[] | undefined,
): RoutingIndex {
  return createRoutingIndex({
    knowledgeWorkers: knowledgeWorkersSchema.parse(kws),
    routing: routingOptionsSchema.parse({ routingPoints, namedPreviewTimeoutMs: 20_000 }),
    groupMembers,
  });
}

/** States from a short table: 'R' Ready, 'B' Busy, 'N' NotReady, 'L' LoggedOut, missing = Unknown. */
export function states(table: Readonly<Record<string, 'R' | 'B' | 'N' | 'L' | undefined>>) {
  const kinds: Record<string, AgentState> = {
    R: { kind: 'Ready' },
    B: { kind: 'Busy' },
    N: { kind: 'NotReady', reason: 'Lunch' },
    L: { kind: 'LoggedOut' },
  };
  const map = new Map<string, AgentState>();
  for (const [id, s] of Object.entries(table)) if (s) map.set(id, kinds[s] ?? { kind: 'Unknown' });
  return createStaticStateView(map);
}

/** Everyone in `ids` Ready. */
export function allReady(ids: string[]) {
  return states(Object.fromEntries(ids.map((id) => [id, 'R' as const])));
}

/** A route request to a routing point. */
export function toRoutingPoint(id: string, exclude: string[] = [], name = id): RouteRequest {
  const target: Target = { kind: 'routing-point', id, name };
  return { type: 'RouteRequest', interactionId: 'i1', requestId: 'r1', kind: 'route', target, exclude };
}

/** A context with defaults. */
export function contextOf(index: RoutingIndex, extra: Partial<RoutingContext> & Pick<RoutingContext, 'stateOf'>) {
  return { index, ...extra } satisfies RoutingContext;
}
