/**
 * The routing index: the directory and the routing points compiled once (members resolved, priority orders
 * sorted, positions indexed), so a route decision only touches the members of the routing points it visits.
 * Rebuild it when the directory, the routing points or an Entra group's membership changes.
 */
import type { KnowledgeWorker } from './knowledge-worker.js';
import type { RequiredSkill, Routing, RoutingPoint } from './routing-point.js';

/** A routing point compiled for fast decisions. */
export interface CompiledRoutingPoint {
  readonly definition: RoutingPoint;
  /** Members in list order (for an Entra group, the group's order), deduplicated, known to the directory. */
  readonly members: readonly KnowledgeWorker[];
  /** Position of each member id in `members`. */
  readonly positionOf: ReadonlyMap<string, number>;
  /** Members holding the required skills, in priority order (priority and skill-ranked strategies only). */
  readonly priorityOrder: readonly KnowledgeWorker[];
  /** Member ids listed (or in the group) but missing from the directory. */
  readonly unknownMemberIds: readonly string[];
  /** Members left out of `priorityOrder` for lack of a required skill. */
  readonly unqualifiedCount: number;
}

/** The compiled directory and routing points. */
export interface RoutingIndex {
  readonly knowledgeWorkers: ReadonlyMap<string, KnowledgeWorker>;
  readonly routingPoints: ReadonlyMap<string, CompiledRoutingPoint>;
  /** Preview timeout of a request to a named knowledge worker. */
  readonly namedPreviewTimeoutMs: number;
}

/** What the index is built from. */
export interface RoutingIndexInput {
  readonly knowledgeWorkers: readonly KnowledgeWorker[];
  readonly routing: Routing;
  /** Current members (Entra object ids) of an Entra group, as synced through Graph; undefined = not synced yet. */
  readonly groupMembers?: ((groupId: string) => readonly string[] | undefined) | undefined;
}

function levelOf(kw: KnowledgeWorker, skill: string): number {
  for (const s of kw.skills) if (s.name === skill) return s.level;
  return 0;
}

function qualifies(kw: KnowledgeWorker, skills: readonly RequiredSkill[]): boolean {
  return skills.every((s) => levelOf(kw, s.name) >= s.minLevel);
}

function skillScore(kw: KnowledgeWorker, skills: readonly RequiredSkill[]): number {
  let score = 0;
  for (const s of skills) score += levelOf(kw, s.name);
  return score;
}

function requiredSkillsOf(rp: RoutingPoint): readonly RequiredSkill[] | null {
  if (rp.strategy.kind === 'priority') return rp.strategy.skills;
  if (rp.strategy.kind === 'broadcast') return rp.strategy.skills;
  return null;
}

/** Sorts qualified members by priority (lower first), then skill score (higher first), then list order. */
function priorityOrderOf(members: readonly KnowledgeWorker[], skills: readonly RequiredSkill[]): KnowledgeWorker[] {
  const ranked = members
    .map((kw, position) => ({ kw, position, score: skillScore(kw, skills) }))
    .filter((r) => qualifies(r.kw, skills));
  ranked.sort((a, b) => a.kw.priority - b.kw.priority || b.score - a.score || a.position - b.position);
  return ranked.map((r) => r.kw);
}

function compile(
  rp: RoutingPoint,
  directory: ReadonlyMap<string, KnowledgeWorker>,
  groupMembers: RoutingIndexInput['groupMembers'],
): CompiledRoutingPoint {
  const ids = rp.members.kind === 'static' ? rp.members.ids : (groupMembers?.(rp.members.groupId) ?? []);
  const members: KnowledgeWorker[] = [];
  const positionOf = new Map<string, number>();
  const unknownMemberIds: string[] = [];
  for (const id of ids) {
    if (positionOf.has(id)) continue;
    const kw = directory.get(id);
    if (!kw) {
      unknownMemberIds.push(id);
      continue;
    }
    positionOf.set(id, members.length);
    members.push(kw);
  }
  const skills = requiredSkillsOf(rp);
  const priorityOrder = skills ? priorityOrderOf(members, skills) : members;
  return {
    definition: rp,
    members,
    positionOf,
    priorityOrder,
    unknownMemberIds,
    unqualifiedCount: members.length - priorityOrder.length,
  };
}

/**
 * Compiles the directory and the routing points. Cost O(directory + Σ members log members); decisions then cost
 * O(members of the routing points visited + excluded ids), whatever the directory's size.
 *
 * @example
 * const index = createRoutingIndex({ knowledgeWorkers, routing: routingOptionsSchema.parse(config.routing) });
 */
export function createRoutingIndex(input: RoutingIndexInput): RoutingIndex {
  const knowledgeWorkers = new Map<string, KnowledgeWorker>();
  for (const kw of input.knowledgeWorkers) knowledgeWorkers.set(kw.id, kw);
  const routingPoints = new Map<string, CompiledRoutingPoint>();
  for (const rp of input.routing.routingPoints) {
    routingPoints.set(rp.id, compile(rp, knowledgeWorkers, input.groupMembers));
  }
  return { knowledgeWorkers, routingPoints, namedPreviewTimeoutMs: input.routing.namedPreviewTimeoutMs };
}

/** The Entra group ids the routing points draw members from: the ones to keep in sync through Graph. */
export function entraGroupIdsOf(routing: Routing): string[] {
  const ids = new Set<string>();
  for (const rp of routing.routingPoints) if (rp.members.kind === 'entra-group') ids.add(rp.members.groupId);
  return [...ids];
}
