/**
 * Claims of outbox effects: for each interaction, the unbroken head of its pending effects, leased for a while so
 * that no one else carries them out meanwhile. On PostgreSQL one statement with `FOR UPDATE SKIP LOCKED` (replicas
 * claiming at once skip each other's rows); on SQLite (one writer) one transaction.
 */
import { type Kysely, sql, type Transaction } from 'kysely';
import type { Effect } from '../../domain/interaction/effects.js';
import type { OutboxItem } from '../../ports/interaction-store.js';
import type { Database } from './schema.js';

/** How many ready rows one claim looks at for every row it may claim. */
const SCAN_FACTOR = 4;

const outboxItem = (r: { id: string; interaction_id: string; effect: string; attempts: number }): OutboxItem => ({
  id: r.id,
  interactionId: r.interaction_id,
  effect: JSON.parse(r.effect) as Effect,
  attempts: r.attempts,
});

/**
 * The claim on PostgreSQL, in one statement (one round trip): ready effects not held back by an earlier one that is
 * claimed or waiting for a retry are locked with `FOR UPDATE SKIP LOCKED` (replicas claiming at once skip each
 * other's rows; effects held back are not even looked at, so they never crowd out heads that can run), and of
 * those only each interaction's unbroken head is leased:
 * an effect is claimed when every earlier pending effect of its interaction was locked by this same claim (an
 * earlier one that is leased, waiting for a retry or locked by another replica holds back the ones after it).
 */
export async function claimOutboxPostgres(
  db: Kysely<Database> | Transaction<Database>,
  now: number,
  limit: number,
  leaseMs: number,
): Promise<OutboxItem[]> {
  type Claimed = {
    id: string;
    interaction_id: string;
    effect: string;
    attempts: number;
    revision: number;
    idx: number;
  };
  const rows = await sql<Claimed>`
    with ready as (
      select o.id, o.interaction_id, o.revision, o.idx from outbox o
      where o.status = 'pending' and o.available_at <= ${now} and (o.claimed_until is null or o.claimed_until <= ${now})
        -- held back by an earlier effect that is claimed or waits for a retry: not worth locking
        and not exists (
          select 1 from outbox b
          where b.interaction_id = o.interaction_id and b.status = 'pending'
            and (b.revision < o.revision or (b.revision = o.revision and b.idx < o.idx))
            and (b.claimed_until > ${now} or b.available_at > ${now})
        )
      order by o.interaction_id, o.revision, o.idx
      limit ${Math.max(limit * SCAN_FACTOR, 100)}
      for update skip locked
    ), heads as (
      select r.id, r.interaction_id, r.revision, r.idx from ready r
      where not exists (
        select 1 from outbox p
        where p.interaction_id = r.interaction_id and p.status = 'pending'
          and (p.revision < r.revision or (p.revision = r.revision and p.idx < r.idx))
          and p.id not in (select id from ready)
      )
      order by r.interaction_id, r.revision, r.idx
      limit ${limit}
    )
    update outbox o set claimed_until = ${now + leaseMs} from heads where o.id = heads.id
    returning o.id, o.interaction_id, o.effect, o.attempts, o.revision, o.idx`.execute(db);
  const inOrder = (a: Claimed, b: Claimed) =>
    a.interaction_id.localeCompare(b.interaction_id) || a.revision - b.revision || a.idx - b.idx;
  return [...rows.rows].sort(inOrder).map(outboxItem);
}

/** The claim in one transaction (SQLite: one writer, nothing to skip): each interaction's ready head, in order. */
export function claimOutboxInTransaction(db: Kysely<Database>, now: number, limit: number, leaseMs: number) {
  return db.transaction().execute(async (trx) => {
    const rows = await trx
      .selectFrom('outbox')
      .selectAll()
      .where('status', '=', 'pending')
      .where('available_at', '<=', now)
      .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<=', now)]))
      .orderBy('interaction_id')
      .orderBy('revision')
      .orderBy('idx')
      .limit(Math.max(limit * SCAN_FACTOR, 100))
      .execute();
    if (rows.length === 0) return [];
    // Each interaction's effects run in order: only the unbroken head of its pending queue is claimed (an effect
    // leased or waiting for a retry holds back the ones after it).
    const queue = await trx
      .selectFrom('outbox')
      .select(['id', 'interaction_id'])
      .where('status', '=', 'pending')
      .where('interaction_id', 'in', [...new Set(rows.map((r) => r.interaction_id))])
      .orderBy('interaction_id')
      .orderBy('revision')
      .orderBy('idx')
      .execute();
    const readyById = new Map(rows.map((r) => [r.id, r]));
    const claimed: OutboxItem[] = [];
    let current: string | null = null;
    let open = false;
    for (const q of queue) {
      if (q.interaction_id !== current) {
        current = q.interaction_id;
        open = true;
      }
      const r = open && claimed.length < limit ? readyById.get(q.id) : undefined;
      if (!r) {
        open = false;
        continue;
      }
      claimed.push(outboxItem(r));
    }
    if (claimed.length > 0) {
      await trx
        .updateTable('outbox')
        .set({ claimed_until: now + leaseMs })
        .where(
          'id',
          'in',
          claimed.map((c) => c.id),
        )
        .execute();
    }
    return claimed;
  });
}
