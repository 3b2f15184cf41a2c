/**
 * The Team Communicator's listing, for directories of 100,000 and more: every entry a contact center sees, sorted
 * once per routing index (name, then kind, then id: a total order), and the opaque cursors `GET /directory` pages
 * with. A page binary-searches its cursor and builds only the entries it scans, so each page costs what it returns
 * (plus what its filters skip), not the directory's size; a cursor is a position in that order, so entries added or
 * removed between two pages neither repeat nor vanish from the rest of the listing.
 */
import type { AgentEntry } from '../../domain/routing/directory.js';
import type { KnowledgeWorker } from '../../domain/routing/knowledge-worker.js';
import type { CompiledRoutingPoint, RoutingIndex } from '../../domain/routing/routing-index.js';

/** The kinds of entries, in the order entries of the same name are listed. */
export const directoryKinds = ['knowledge-worker', 'agent', 'routing-point', 'queue'] as const;

/** A kind of directory entry. */
export type DirectoryKind = (typeof directoryKinds)[number];

/** One entry of the listing, before its state is looked up. */
export type DirectoryRef =
  | { readonly kind: 'knowledge-worker'; readonly id: string; readonly name: string; readonly item: KnowledgeWorker }
  | { readonly kind: 'agent'; readonly id: string; readonly name: string; readonly item: AgentEntry }
  | { readonly kind: 'routing-point'; readonly id: string; readonly name: string; readonly item: CompiledRoutingPoint }
  | { readonly kind: 'queue'; readonly id: string; readonly name: string; readonly item: ListedQueue };

/** A queue as the listing needs it. */
export interface ListedQueue {
  readonly id: string;
  readonly name: string;
}

/** A position in the listing: the last entry a page returned. */
export interface DirectoryPosition {
  readonly name: string;
  readonly kind: DirectoryKind;
  readonly id: string;
}

const collator = new Intl.Collator();
const kindRank = new Map<string, number>(directoryKinds.map((k, i) => [k, i]));

/** The listing's order: name (as `localeCompare` sorts it), then kind, then id. */
export function compareEntries(a: DirectoryPosition, b: DirectoryPosition): number {
  return (
    collator.compare(a.name, b.name) ||
    (kindRank.get(a.kind) ?? 0) - (kindRank.get(b.kind) ?? 0) ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

const CURSOR_PREFIX = 'd1.';

/** The opaque cursor of a position. */
export function encodeCursor(p: DirectoryPosition): string {
  return CURSOR_PREFIX + Buffer.from(JSON.stringify([p.name, p.kind, p.id]), 'utf8').toString('base64url');
}

/** The position a cursor names, or null when it is not one of ours. */
export function decodeCursor(cursor: string): DirectoryPosition | null {
  if (!cursor.startsWith(CURSOR_PREFIX)) return null;
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor.slice(CURSOR_PREFIX.length), 'base64url').toString('utf8'));
    if (!Array.isArray(v) || v.length !== 3) return null;
    const [name, kind, id] = v as unknown[];
    if (typeof name !== 'string' || typeof id !== 'string' || typeof kind !== 'string' || !kindRank.has(kind))
      return null;
    return { name, kind: kind as DirectoryKind, id };
  } catch {
    return null;
  }
}

/** The index of the first entry after `position` (binary search). */
export function firstAfter(refs: readonly DirectoryRef[], position: DirectoryPosition): number {
  let lo = 0;
  let hi = refs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareEntries(refs[mid] as DirectoryRef, position) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** What a contact center's listing is made of besides the routing index. */
export interface ListingSources {
  readonly agents: (contactCenter: string) => readonly AgentEntry[];
  readonly queues: (contactCenter: string) => readonly ListedQueue[];
}

/** The sorted listings, one per routing index (rebuilt when a group's membership changes) and contact center. */
export class DirectoryListing {
  readonly #cache = new WeakMap<RoutingIndex, Map<string, readonly DirectoryRef[]>>();

  constructor(private readonly sources: ListingSources) {}

  /** Every entry contact center `contactCenter` sees, in the listing's order. */
  refs(index: RoutingIndex, contactCenter: string): readonly DirectoryRef[] {
    let byCenter = this.#cache.get(index);
    if (!byCenter) {
      byCenter = new Map();
      this.#cache.set(index, byCenter);
    }
    const cached = byCenter.get(contactCenter);
    if (cached) return cached;
    const refs: DirectoryRef[] = [];
    for (const kw of index.knowledgeWorkers.values())
      refs.push({ kind: 'knowledge-worker', id: kw.id, name: kw.name, item: kw });
    for (const a of this.sources.agents(contactCenter)) refs.push({ kind: 'agent', id: a.id, name: a.name, item: a });
    for (const rp of index.routingPoints.values())
      refs.push({ kind: 'routing-point', id: rp.definition.id, name: rp.definition.name, item: rp });
    for (const q of this.sources.queues(contactCenter)) refs.push({ kind: 'queue', id: q.id, name: q.name, item: q });
    refs.sort(compareEntries);
    byCenter.set(contactCenter, refs);
    return refs;
  }
}
