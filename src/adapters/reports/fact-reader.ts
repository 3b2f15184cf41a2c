/**
 * Reads resource facts for reports: filtered, limited to one contact center, in batches by keyset pagination on
 * the fact id (never the whole table in memory). The same queries run on SQLite and PostgreSQL.
 */
import type { Kysely } from 'kysely';
import type { FactReason, FactResult, FactRole, ResourceFact } from '../../domain/reporting/resource-fact.js';
import { agentApiDb } from '../store/agent-api-schema.js';
import { factFromRow } from '../store/interaction-rows.js';
import type { Database } from '../store/schema.js';

/** Which facts to read. Times are epoch ms on the fact's end (the time Info Mart files a fact under). */
export interface FactFilter {
  /** The contact center whose interactions are read (interactions not created through the API: the default). */
  readonly contactCenter: string;
  /** Ended at or after. */
  readonly from?: number | undefined;
  /** Ended before. */
  readonly to?: number | undefined;
  readonly routingPointId?: string | undefined;
  readonly resourceKind?: ResourceFact['resource']['kind'] | undefined;
  readonly resourceId?: string | undefined;
  readonly role?: FactRole | undefined;
  readonly result?: FactResult | undefined;
  readonly reason?: FactReason | undefined;
  readonly outcome?: ResourceFact['outcome'] | undefined;
  readonly interactionId?: string | undefined;
  /** Only facts with a greater id (resume an export). */
  readonly afterId?: number | undefined;
}

/** A stored fact with its id (ascending in the order facts were recorded). */
export interface StoredFact {
  readonly id: number;
  readonly fact: ResourceFact;
}

/** Reads facts from the database. */
export class FactReader {
  constructor(
    private readonly db: Kysely<Database>,
    /** The contact center of interactions not created through the API. */
    private readonly defaultContactCenter: string,
  ) {}

  /** One batch of at most `limit` facts with ids above `afterId`, in id order. */
  async batch(filter: FactFilter, afterId: number, limit: number): Promise<StoredFact[]> {
    const db = agentApiDb(this.db);
    let q = db
      .selectFrom('resource_facts as f')
      .leftJoin('api_interactions as a', 'a.interaction_id', 'f.interaction_id')
      .selectAll('f')
      .where('f.id', '>', afterId);
    const cc = filter.contactCenter;
    q =
      cc === this.defaultContactCenter
        ? q.where((eb) => eb.or([eb('a.contact_center', '=', cc), eb('a.contact_center', 'is', null)]))
        : q.where('a.contact_center', '=', cc);
    if (filter.from !== undefined) q = q.where('f.ended_at', '>=', filter.from);
    if (filter.to !== undefined) q = q.where('f.ended_at', '<', filter.to);
    if (filter.routingPointId !== undefined) q = q.where('f.routing_point_id', '=', filter.routingPointId);
    if (filter.resourceKind !== undefined) q = q.where('f.resource_kind', '=', filter.resourceKind);
    if (filter.resourceId !== undefined) q = q.where('f.resource_id', '=', filter.resourceId);
    if (filter.role !== undefined) q = q.where('f.role', '=', filter.role);
    if (filter.result !== undefined) q = q.where('f.result', '=', filter.result);
    if (filter.reason !== undefined) q = q.where('f.reason', '=', filter.reason);
    if (filter.outcome !== undefined) q = q.where('f.outcome', '=', filter.outcome);
    if (filter.interactionId !== undefined) q = q.where('f.interaction_id', '=', filter.interactionId);
    const rows = await q.orderBy('f.id').limit(limit).execute();
    return rows.map((r) => ({ id: Number(r.id), fact: factFromRow(r) }));
  }

  /** Every matching fact, in id order, read `batchSize` at a time. */
  async *read(filter: FactFilter, batchSize = 500): AsyncGenerator<StoredFact> {
    let after = filter.afterId ?? 0;
    for (;;) {
      const rows = await this.batch(filter, after, batchSize);
      yield* rows;
      const last = rows.at(-1);
      if (rows.length < batchSize || !last) return;
      after = last.id;
    }
  }
}
