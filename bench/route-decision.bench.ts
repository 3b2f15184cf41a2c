/**
 * `npm run bench -- route-decision`: time of `decideRoute` with 10,000 knowledge workers across 50 routing points
 * (each KW in 1 to 3 routing points, ~30 % Ready, mixed strategies, some requests already declined by a few).
 * Also the worst case: no one Ready along a chain of three routing points (every member counted for the reasons).
 * Target: the route-to-card p99 below 20 ms; the decision is one part of it.
 */
import type { RouteRequest } from '../src/domain/interaction/effects.js';
import { type AgentState, createStaticStateView } from '../src/domain/routing/agent-state.js';
import { decideRoute, type RoutingContext } from '../src/domain/routing/decide-route.js';
import { knowledgeWorkersSchema } from '../src/domain/routing/knowledge-worker.js';
import { createRoutingIndex } from '../src/domain/routing/routing-index.js';
import { type RoutingPointOptions, routingOptionsSchema } from '../src/domain/routing/routing-point.js';

/** The benchmark's name. */
export const name = 'route-decision';

const KWS = 10_000;
const RPS = 50;
const SAMPLES = 20_000;

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

const strategies: RoutingPointOptions['strategy'][] = [
  { kind: 'round-robin' },
  { kind: 'longest-idle' },
  { kind: 'priority', skills: [{ name: 'skill0', minLevel: 2 }] },
  { kind: 'broadcast', size: 3 },
  { kind: 'broadcast', size: 5, rank: 'longest-idle' },
];

/** Runs the benchmark. */
export async function run(): Promise<Record<string, { value: number; unit: string; [k: string]: unknown }>> {
  const rand = prng(42);
  const kws = Array.from({ length: KWS }, (_, i) => ({
    id: `kw${i}`,
    name: `Expert ${i}`,
    priority: Math.floor(rand() * 5),
    skills: [{ name: `skill${i % 4}`, level: 1 + Math.floor(rand() * 5) }],
  }));
  const members: string[][] = Array.from({ length: RPS }, () => []);
  for (let i = 0; i < KWS; i += 1) {
    const count = 1 + Math.floor(rand() * 3);
    for (let k = 0; k < count; k += 1) members[Math.floor(rand() * RPS)]?.push(`kw${i}`);
  }
  const routingPoints: RoutingPointOptions[] = members.map((ids, r) => ({
    id: `rp${r}`,
    name: `Routing point ${r}`,
    members: { kind: 'static', ids },
    strategy: strategies[r % strategies.length] ?? { kind: 'round-robin' },
    maxOffers: 10,
    defaultRoute: r % 10 === 9 ? { kind: 'agent' } : { kind: 'routing-point', id: `rp${r + 1}` },
  }));
  const buildStart = performance.now();
  const index = createRoutingIndex({
    knowledgeWorkers: knowledgeWorkersSchema.parse(kws),
    routing: routingOptionsSchema.parse({ routingPoints }),
  });
  const buildMs = performance.now() - buildStart;

  const stateMap = new Map<string, AgentState>();
  const kinds: AgentState[] = [{ kind: 'Ready' }, { kind: 'Busy' }, { kind: 'NotReady' }, { kind: 'LoggedOut' }];
  for (const kw of kws)
    stateMap.set(
      kw.id,
      rand() < 0.3 ? { kind: 'Ready' } : (kinds[1 + Math.floor(rand() * 3)] ?? kinds[1] ?? { kind: 'Busy' }),
    );
  const finished = new Map(kws.map((kw) => [kw.id, Math.floor(rand() * 1e9)]));
  const cursors = new Map<string, string>();
  const context: RoutingContext = {
    index,
    stateOf: createStaticStateView(stateMap),
    lastFinishedAt: (id) => finished.get(id),
    cursorOf: (id) => cursors.get(id),
  };
  const request = (rp: number, exclude: string[]): RouteRequest => ({
    type: 'RouteRequest',
    interactionId: 'i',
    requestId: 'r',
    kind: 'route',
    target: { kind: 'routing-point', id: `rp${rp}`, name: `Routing point ${rp}` },
    exclude,
  });
  const requests = Array.from({ length: SAMPLES }, () => {
    const rp = Math.floor(rand() * RPS);
    const pool = members[rp] ?? [];
    const exclude = Array.from({ length: Math.floor(rand() * 5) }, () => pool[Math.floor(rand() * pool.length)] ?? '');
    return request(rp, exclude);
  });

  const measure = (reqs: RouteRequest[], ctx: RoutingContext): { times: number[]; offers: number } => {
    for (const r of reqs.slice(0, 2_000)) decideRoute(r, ctx); // warm-up
    const times: number[] = [];
    let offers = 0;
    for (const r of reqs) {
      const t0 = performance.now();
      const d = decideRoute(r, ctx);
      times.push(performance.now() - t0);
      if (d.kind === 'offer') {
        offers += 1;
        if (d.cursor) cursors.set(d.cursor.routingPointId, d.cursor.lastOfferedId);
      }
    }
    times.sort((a, b) => a - b);
    return { times, offers };
  };

  const mixed = measure(requests, context);
  // Worst case: no one Ready, so every routing point of a 3-long chain counts all its members for the reasons.
  const nobody: RoutingContext = { ...context, stateOf: () => ({ kind: 'Busy' }) };
  const chainStarts = [0, 10, 20, 30, 40].map((r) => r + 7);
  const worst = measure(
    Array.from({ length: 5_000 }, (_, i) => request(chainStarts[i % chainStarts.length] ?? 7, [])),
    nobody,
  );
  const avgMembers = members.reduce((n, m) => n + m.length, 0) / RPS;
  const detail = { knowledgeWorkers: KWS, routingPoints: RPS, avgMembersPerRoutingPoint: Math.round(avgMembers) };
  return {
    'route-decision.p50': { value: round(quantile(mixed.times, 0.5)), unit: 'ms', samples: SAMPLES, ...detail },
    'route-decision.p99': {
      value: round(quantile(mixed.times, 0.99)),
      unit: 'ms',
      samples: SAMPLES,
      offerRate: round(mixed.offers / SAMPLES),
      ...detail,
    },
    'route-decision.no-one-ready-chain3.p50': { value: round(quantile(worst.times, 0.5)), unit: 'ms', samples: 5_000 },
    'route-decision.no-one-ready-chain3.p99': { value: round(quantile(worst.times, 0.99)), unit: 'ms', samples: 5_000 },
    'route-decision.index-build': { value: round(buildMs), unit: 'ms', ...detail },
  };
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
