/**
 * The Team Communicator: search knowledge workers, agents, routing points and queues by name, e-mail, phone,
 * skill, kind or state, each with its live agent state (a routing point is Ready when one of its members is Ready
 * and reachable in Teams; agents and queues have no state here: Unknown), page by page with opaque cursors
 * (src/adapters/agent-api/directory-listing.ts). With the Teams bot on, knowledge workers say whether the bot can
 * reach them, and why not.
 */
import type { Request } from 'express';
import type { z } from 'zod';
import type { UnreachableMark } from '../../../ports/reachability.js';
import { ProblemError, problem } from '../../http/problem.js';
import { type AgentApiContext, ownAgents, ownQueues } from '../api-context.js';
import { type AnyRoute, defineRoute } from '../define-route.js';
import {
  DirectoryListing,
  type DirectoryPosition,
  type DirectoryRef,
  decodeCursor,
  encodeCursor,
  firstAfter,
} from '../directory-listing.js';
import { type directoryEntrySchema, directoryPageSchema, directoryQuery } from '../schemas.js';

type Entry = z.infer<typeof directoryEntrySchema>;

/** One listed entry with its current state; `unreachable` as in {@link directoryRoutes} (null: the bot is off). */
function entryOf(
  ctx: AgentApiContext,
  ref: DirectoryRef,
  unreachable: ReadonlyMap<string, UnreachableMark> | null,
): Entry {
  switch (ref.kind) {
    case 'knowledge-worker': {
      const kw = ref.item;
      const state = ctx.stateOf(kw.id);
      const mark = unreachable?.get(kw.id);
      return {
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
      };
    }
    case 'routing-point': {
      const rp = ref.item;
      const ready = rp.members.some(
        (m) => ctx.stateOf(m.id, rp.definition.id).kind === 'Ready' && !unreachable?.has(m.id),
      );
      return {
        kind: 'routing-point',
        id: rp.definition.id,
        name: rp.definition.name,
        email: null,
        phones: rp.definition.voiceRoutingPoint ? [rp.definition.voiceRoutingPoint.dn] : [],
        skills: [...new Set(rp.members.flatMap((m) => m.skills.map((s) => s.name)))],
        state: ready ? { kind: 'Ready' } : { kind: 'NotReady', reason: 'No member is Ready' },
      };
    }
    case 'agent':
      return {
        kind: 'agent',
        id: ref.item.id,
        name: ref.item.name,
        email: ref.item.email ?? null,
        phones: [],
        skills: [],
        state: { kind: 'Unknown' },
      };
    case 'queue':
      return {
        kind: 'queue',
        id: ref.id,
        name: ref.name,
        email: null,
        phones: [],
        skills: [],
        state: { kind: 'Unknown' },
      };
  }
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

type DirectoryQuery = z.output<typeof directoryQuery>;

/** The path of the next page: this request's path and query, with `cursor` set. */
function nextLink(req: Request, query: DirectoryQuery, cursor: string): string {
  const params = new URLSearchParams();
  for (const key of ['q', 'kind', 'state', 'skill'] as const) {
    const v = query[key];
    if (v !== undefined) params.set(key, v);
  }
  params.set('limit', String(query.limit));
  params.set('cursor', cursor);
  return `${req.baseUrl}${req.path}?${params}`;
}

/** The directory route. */
export function directoryRoutes(ctx: AgentApiContext): AnyRoute[] {
  const listing = new DirectoryListing({
    agents: (cc) => ownAgents(ctx, cc),
    queues: (cc) => ownQueues(ctx, cc),
  });
  return [
    defineRoute({
      method: 'get',
      path: '/directory',
      operationId: 'searchDirectory',
      summary: 'Team Communicator: search knowledge workers, agents, routing points and queues with their live state',
      description:
        "Pages through every entry the caller's contact center sees, by name (then kind, then id), `limit` at a time; " +
        'filters (`q`, `kind`, `state`, `skill`) apply before paging. Follow `nextCursor` (or the `next` path) with ' +
        'the same filters until it is null. A cursor is a position in that order: entries added or removed meanwhile ' +
        'neither repeat nor vanish from the pages that follow.',
      tag: 'Team Communicator',
      auth: 'any',
      query: directoryQuery,
      responses: {
        200: {
          description: 'One page of matching entries, by name, and where the next page starts.',
          schema: directoryPageSchema,
        },
      },
      errors: [400],
      handle: async ({ query, caller, req }) => {
        const after = query.cursor === undefined ? null : decodeCursor(query.cursor);
        if (query.cursor !== undefined && after === null)
          throw new ProblemError(
            problem(400, 'invalid-request', 'Invalid request', 'The cursor is not one this API gave out.', {
              'invalid-params': [{ name: 'query.cursor', reason: "not a page's nextCursor" }],
            }),
          );
        const skill = query.skill?.toLowerCase();
        const q = query.q ?? '';
        const marks = ctx.unreachable ? new Map((await ctx.unreachable()).map((m) => [m.userId, m])) : null;
        const refs = listing.refs(ctx.index(), caller.contactCenter);
        const entries: Entry[] = [];
        let more = false;
        for (let i = after ? firstAfter(refs, after) : 0; i < refs.length; i++) {
          const ref = refs[i] as DirectoryRef;
          if (query.kind && ref.kind !== query.kind) continue;
          const e = entryOf(ctx, ref, marks);
          if (query.state && e.state.kind !== query.state) continue;
          if (skill && !e.skills.some((s) => s.toLowerCase() === skill)) continue;
          if (!matches(e, q)) continue;
          // One match beyond the page: there is a next page.
          if (entries.length === query.limit) {
            more = true;
            break;
          }
          entries.push(e);
        }
        const last = entries.at(-1);
        const nextCursor = more && last ? encodeCursor(last as DirectoryPosition) : null;
        return {
          status: 200,
          body: { entries, nextCursor, next: nextCursor === null ? null : nextLink(req, query, nextCursor) },
        };
      },
    }),
  ];
}
