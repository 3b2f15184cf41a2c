/**
 * The database reads behind the backlog and queue gauges, run at scrape time. Each reads only pending rows
 * through an index (outbox by status, invitations by state, open interactions by end time), so a scrape stays
 * cheap however much history the tables hold.
 */
import type { Kysely } from 'kysely';
import type { MediationRef } from '../../domain/interaction/types.js';
import { agentApiDb } from '../store/agent-api-schema.js';
import type { Database } from '../store/schema.js';

/** What waits, as counted now. */
export interface Backlog {
  /** Outbox effects by status (`pending`, `failed`). */
  readonly outbox: Readonly<Record<string, number>>;
  /** Creation time of the oldest pending outbox effect, or null. */
  readonly oldestPendingAt: number | null;
  /** Webhook deliveries waiting. */
  readonly webhooks: number;
  /** Previews waiting for an answer. */
  readonly pendingPreviews: number;
  /** Open interactions held by each queue or routing point (waiting or being routed). */
  readonly held: readonly { readonly kind: MediationRef['kind']; readonly id: string; readonly count: number }[];
}

/** Counts what waits. */
export async function readBacklog(db: Kysely<Database>): Promise<Backlog> {
  const [outbox, oldest, webhooks, previews, held] = await Promise.all([
    db
      .selectFrom('outbox')
      .select((eb) => ['status', eb.fn.countAll<number>().as('n')])
      .where('status', 'in', ['pending', 'failed'])
      .groupBy('status')
      .execute(),
    db
      .selectFrom('outbox')
      .select((eb) => eb.fn.min('created_at').as('oldest'))
      .where('status', '=', 'pending')
      .executeTakeFirst(),
    agentApiDb(db)
      .selectFrom('webhook_deliveries')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', '=', 'pending')
      .executeTakeFirst(),
    db
      .selectFrom('invitations')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('state', '=', 'pending')
      .executeTakeFirst(),
    db
      .selectFrom('interactions')
      .select((eb) => ['mediation', eb.fn.countAll<number>().as('n')])
      .where('ended_at', 'is', null)
      .where('mediation', 'is not', null)
      .groupBy('mediation')
      .execute(),
  ]);
  const byMediation = new Map<string, { kind: MediationRef['kind']; id: string; count: number }>();
  for (const row of held) {
    const m = JSON.parse(row.mediation ?? 'null') as MediationRef | null;
    if (!m) continue;
    const key = `${m.kind}/${m.id}`;
    const entry = byMediation.get(key) ?? { kind: m.kind, id: m.id, count: 0 };
    entry.count += Number(row.n);
    byMediation.set(key, entry);
  }
  return {
    outbox: Object.fromEntries(outbox.map((r) => [r.status, Number(r.n)])),
    oldestPendingAt: oldest?.oldest == null ? null : Number(oldest.oldest),
    webhooks: Number(webhooks?.n ?? 0),
    pendingPreviews: Number(previews?.n ?? 0),
    held: [...byMediation.values()],
  };
}
