/**
 * The Team Communicator: search knowledge workers, agents, routing points and queues by name, e-mail, phone or
 * skill, each with its live agent state (a routing point is Ready when one of its members is Ready and reachable in
 * Teams; agents and queues have no state here: Unknown). With the Teams bot on, knowledge workers say whether the
 * bot can reach them, and why not.
 */
import { z } from 'zod';
import type { UnreachableMark } from '../../../ports/reachability.js';
import { type AgentApiContext, ownAgents, ownQueues } from '../api-context.js';
import { type AnyRoute, defineRoute } from '../define-route.js';
import { directoryEntrySchema, directoryQuery } from '../schemas.js';

type Entry = z.infer<typeof directoryEntrySchema>;

/**
 * The directory entries contact center `contactCenter` sees, with their current state: the shared knowledge workers
 * and routing points, and its own agents and queues. `unreachable` holds the knowledge workers the bot cannot reach
 * (null when the Teams bot is off: reachability is then not shown).
 */
export function directoryEntries(
  ctx: AgentApiContext,
  contactCenter: string,
  unreachable: ReadonlyMap<string, UnreachableMark> | null,
): Entry[] {
  const index = ctx.index();
  const out: Entry[] = [];
  for (const kw of index.knowledgeWorkers.values()) {
    const state = ctx.stateOf(kw.id);
    const mark = unreachable?.get(kw.id);
    out.push({
      kind: 'knowledge-worker',
      id: kw.id,
      name: kw.name,
      email: kw.email ?? null,
      phones: [...kw.businessPhones, ...(kw.mobilePhone ? [kw.mobilePhone] : [])],
      skills: kw.skills.map((s) => s.name),
      state:
        state.kind === 'NotReady' && state.reason ? { kind: state.kind, reason: state.reason } : { kind: state.kind },
      ...(unreachable && { reachable: mark === undefined }),
      ...(mark && {
        unreachable: { reason: mark.reason, detail: mark.detail, since: new Date(mark.since).toISOString() },
      }),
    });
  }
  for (const a of ownAgents(ctx, contactCenter)) {
    out.push({
      kind: 'agent',
      id: a.id,
      name: a.name,
      email: a.email ?? null,
      phones: [],
      skills: [],
      state: { kind: 'Unknown' },
    });
  }
  for (const rp of index.routingPoints.values()) {
    const ready = rp.members.filter(
      (m) => ctx.stateOf(m.id, rp.definition.id).kind === 'Ready' && !unreachable?.has(m.id),
    ).length;
    out.push({
      kind: 'routing-point',
      id: rp.definition.id,
      name: rp.definition.name,
      email: null,
      phones: rp.definition.voiceRoutingPoint ? [rp.definition.voiceRoutingPoint.dn] : [],
      skills: [...new Set(rp.members.flatMap((m) => m.skills.map((s) => s.name)))],
      state: ready > 0 ? { kind: 'Ready' } : { kind: 'NotReady', reason: 'No member is Ready' },
    });
  }
  for (const q of ownQueues(ctx, contactCenter)) {
    out.push({
      kind: 'queue',
      id: q.id,
      name: q.name,
      email: null,
      phones: [],
      skills: [],
      state: { kind: 'Unknown' },
    });
  }
  return out;
}

const digits = (s: string) => s.replace(/[^0-9]/g, '');

/** Whether an entry matches a free-text query. */
function matches(e: Entry, q: string): boolean {
  const needle = q.trim().toLowerCase();
  if (!needle) return true;
  if (e.name.toLowerCase().includes(needle) || e.id.toLowerCase().includes(needle)) return true;
  if (e.email?.toLowerCase().includes(needle)) return true;
  if (e.skills.some((s) => s.toLowerCase().includes(needle))) return true;
  const d = digits(needle);
  return d.length >= 3 && e.phones.some((p) => digits(p).includes(d));
}

/** The directory route. */
export function directoryRoutes(ctx: AgentApiContext): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/directory',
      operationId: 'searchDirectory',
      summary: 'Team Communicator: search knowledge workers, agents, routing points and queues with their live state',
      tag: 'Team Communicator',
      auth: 'any',
      query: directoryQuery,
      responses: {
        200: {
          description: 'Matching entries, by name.',
          schema: z.object({ entries: z.array(directoryEntrySchema) }),
        },
      },
      handle: async ({ query, caller }) => {
        const skill = query.skill?.toLowerCase();
        const marks = ctx.unreachable ? new Map((await ctx.unreachable()).map((m) => [m.userId, m])) : null;
        const entries = directoryEntries(ctx, caller.contactCenter, marks)
          .filter((e) => !query.kind || e.kind === query.kind)
          .filter((e) => !skill || e.skills.some((s) => s.toLowerCase() === skill))
          .filter((e) => matches(e, query.q ?? ''))
          .sort((a, b) => a.name.localeCompare(b.name))
          .slice(0, query.limit);
        return { status: 200, body: { entries } };
      },
    }),
  ];
}
