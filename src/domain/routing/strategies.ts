/**
 * The strategies: given a compiled routing point and who is available, pick up to N knowledge workers.
 * Each walks only the routing point's members and stops as soon as it has enough (longest-idle must see all).
 */
import { type AvailabilityInput, unavailableCause } from './availability.js';
import type { KnowledgeWorker } from './knowledge-worker.js';
import type { CompiledRoutingPoint } from './routing-index.js';
import type { Rank } from './routing-point.js';

/** What the strategies read beyond availability. */
export interface StrategyInput extends AvailabilityInput {
  /** When each knowledge worker last finished an interaction (epoch ms); undefined = never (longest idle). */
  readonly lastFinishedAt: (knowledgeWorkerId: string) => number | undefined;
  /** The round-robin cursor of this routing point: the id offered last, or undefined to start at the top. */
  readonly cursor: string | undefined;
}

const isAvailable = (kw: KnowledgeWorker, input: AvailabilityInput): boolean => unavailableCause(kw.id, input) === null;

function takeInOrder(list: readonly KnowledgeWorker[], n: number, input: AvailabilityInput): KnowledgeWorker[] {
  const picked: KnowledgeWorker[] = [];
  for (const kw of list) {
    if (picked.length >= n) break;
    if (isAvailable(kw, input)) picked.push(kw);
  }
  return picked;
}

/** The next available members after the cursor, wrapping around once. */
function takeRoundRobin(rp: CompiledRoutingPoint, n: number, input: StrategyInput): KnowledgeWorker[] {
  const size = rp.members.length;
  const last = input.cursor === undefined ? undefined : rp.positionOf.get(input.cursor);
  const start = last === undefined ? 0 : last + 1;
  const picked: KnowledgeWorker[] = [];
  for (let step = 0; step < size && picked.length < n; step += 1) {
    const kw = rp.members[(start + step) % size];
    if (kw && isAvailable(kw, input)) picked.push(kw);
  }
  return picked;
}

/** The available members idle the longest (never worked first), ties in list order. */
function takeLongestIdle(rp: CompiledRoutingPoint, n: number, input: StrategyInput): KnowledgeWorker[] {
  const idleSince = (kw: KnowledgeWorker): number => input.lastFinishedAt(kw.id) ?? Number.NEGATIVE_INFINITY;
  if (n === 1) {
    let best: KnowledgeWorker | undefined;
    let bestAt = Number.POSITIVE_INFINITY;
    for (const kw of rp.members) {
      if (!isAvailable(kw, input)) continue;
      const at = idleSince(kw);
      if (best === undefined || at < bestAt) {
        best = kw;
        bestAt = at;
      }
    }
    return best ? [best] : [];
  }
  const available = rp.members
    .map((kw, position) => ({ kw, position }))
    .filter((r) => isAvailable(r.kw, input))
    .map((r) => ({ ...r, at: idleSince(r.kw) }));
  available.sort((a, b) => (a.at === b.at ? a.position - b.position : a.at < b.at ? -1 : 1));
  return available.slice(0, n).map((r) => r.kw);
}

/** Picks up to `n` available members of the routing point, ranked by `rank`. */
export function pickMembers(rp: CompiledRoutingPoint, rank: Rank, n: number, input: StrategyInput): KnowledgeWorker[] {
  if (n <= 0) return [];
  switch (rank) {
    case 'list':
      return takeInOrder(rp.members, n, input);
    case 'priority':
      return takeInOrder(rp.priorityOrder, n, input);
    case 'round-robin':
      return takeRoundRobin(rp, n, input);
    case 'longest-idle':
      return takeLongestIdle(rp, n, input);
  }
}
