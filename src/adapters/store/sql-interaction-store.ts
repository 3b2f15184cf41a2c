/** The interaction store on Kysely: the same queries on SQLite and PostgreSQL. */
import { type Kysely, sql, type Transaction } from 'kysely';
import type { Effect } from '../../domain/interaction/effects.js';
import type { Interaction } from '../../domain/interaction/types.js';
import type { ResourceFact } from '../../domain/reporting/resource-fact.js';
import {
  type DueInvitation,
  type FactQuery,
  type InteractionStore,
  type InteractionTx,
  type OutboxEntry,
  type OutboxItem,
  RevisionConflictError,
} from '../../ports/interaction-store.js';
import {
  entryRow,
  factFromRow,
  factRow,
  interactionFromRows,
  interactionRow,
  invitationRow,
  partyRow,
} from './interaction-rows.js';
import type { OpenDatabase } from './open-database.js';
import type { Database } from './schema.js';

type Db = Kysely<Database> | Transaction<Database>;

async function loadMany(db: Db, ids: readonly string[]): Promise<Record<string, Interaction>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return {};
  const [rows, parties, invitations, entries] = await Promise.all([
    db.selectFrom('interactions').selectAll().where('id', 'in', unique).execute(),
    db.selectFrom('parties').selectAll().where('interaction_id', 'in', unique).execute(),
    db.selectFrom('invitations').selectAll().where('interaction_id', 'in', unique).execute(),
    db.selectFrom('transcript_entries').selectAll().where('interaction_id', 'in', unique).execute(),
  ]);
  const out: Record<string, Interaction> = {};
  for (const r of rows) {
    out[r.id] = interactionFromRows(
      r,
      parties.filter((p) => p.interaction_id === r.id),
      invitations.filter((i) => i.interaction_id === r.id),
      entries.filter((e) => e.interaction_id === r.id),
    );
  }
  return out;
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

class SqlTx implements InteractionTx {
  constructor(private readonly trx: Transaction<Database>) {}

  load(ids: readonly string[]): Promise<Record<string, Interaction>> {
    return loadMany(this.trx, ids);
  }

  async save(before: Interaction | undefined, after: Interaction): Promise<void> {
    const row = interactionRow(after);
    if (!before) {
      await this.trx.insertInto('interactions').values(row).execute();
    } else {
      const { id, ...changes } = row;
      const result = await this.trx
        .updateTable('interactions')
        .set(changes)
        .where('id', '=', id)
        .where('revision', '=', before.revision)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) throw new RevisionConflictError(after.id);
    }
    const changedParties = after.parties.filter(
      (p) =>
        !same(
          p,
          before?.parties.find((b) => b.id === p.id),
        ),
    );
    for (const p of changedParties) {
      const values = partyRow(after.id, p);
      await this.trx
        .insertInto('parties')
        .values(values)
        .onConflict((oc) => oc.columns(['interaction_id', 'id']).doUpdateSet(values))
        .execute();
    }
    const changedInvitations = after.invitations.filter(
      (i) =>
        !same(
          i,
          before?.invitations.find((b) => b.id === i.id),
        ),
    );
    for (const i of changedInvitations) {
      const values = invitationRow(after.id, i);
      await this.trx
        .insertInto('invitations')
        .values(values)
        .onConflict((oc) => oc.columns(['interaction_id', 'id']).doUpdateSet(values))
        .execute();
    }
    const added = after.transcript.slice(before?.transcript.length ?? 0);
    if (added.length > 0) {
      await this.trx
        .insertInto('transcript_entries')
        .values(added.map((e) => entryRow(after.id, e)))
        .execute();
    }
  }

  async recordFacts(facts: readonly ResourceFact[]): Promise<void> {
    if (facts.length > 0) await this.trx.insertInto('resource_facts').values(facts.map(factRow)).execute();
  }

  async enqueue(entries: readonly OutboxEntry[], now: number): Promise<void> {
    if (entries.length === 0) return;
    await this.trx
      .insertInto('outbox')
      .values(
        entries.map((e) => ({
          id: `${e.interactionId}/${e.revision}/${e.idx}`,
          interaction_id: e.interactionId,
          revision: e.revision,
          idx: e.idx,
          type: e.effect.type,
          effect: JSON.stringify(e.effect),
          status: 'pending',
          attempts: 0,
          available_at: now,
          claimed_until: null,
          last_error: null,
          created_at: now,
        })),
      )
      .execute();
  }
}

/** Creates the SQL interaction store over an open database. */
export function createSqlInteractionStore(database: OpenDatabase): InteractionStore {
  const { db } = database;
  const isPostgres = database.dialect === 'postgres';
  return {
    transaction: (work) => db.transaction().execute((trx) => work(new SqlTx(trx))),

    get: async (id) => (await loadMany(db, [id]))[id],

    async dueInvitations(now, limit): Promise<DueInvitation[]> {
      const rows = await db
        .selectFrom('invitations')
        .select(['interaction_id', 'id', 'due_at'])
        .where('state', '=', 'pending')
        .where('due_at', '<=', now)
        .orderBy('due_at')
        .limit(limit)
        .execute();
      return rows.map((r) => ({ interactionId: r.interaction_id, invitationId: r.id, dueAt: Number(r.due_at) }));
    },

    async nextDueAt() {
      // A claimed invitation comes due again when its claim runs out (its replica may have stopped).
      const row = await db
        .selectFrom('invitations')
        .select(sql<number | null>`min(case when claimed_until > due_at then claimed_until else due_at end)`.as('next'))
        .where('state', '=', 'pending')
        .executeTakeFirst();
      return row?.next == null ? null : Number(row.next);
    },

    claimDueInvitations: (now, limit, leaseMs) =>
      db.transaction().execute(async (trx) => {
        let due = trx
          .selectFrom('invitations')
          .select(['interaction_id', 'id', 'due_at'])
          .where('state', '=', 'pending')
          .where('due_at', '<=', now)
          .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<=', now)]))
          .orderBy('due_at')
          .limit(limit);
        if (isPostgres) due = due.forUpdate().skipLocked();
        const rows = await due.execute();
        if (rows.length === 0) return [];
        await trx
          .updateTable('invitations')
          .set({ claimed_until: now + leaseMs })
          .where((eb) =>
            eb.or(rows.map((r) => eb.and([eb('interaction_id', '=', r.interaction_id), eb('id', '=', r.id)]))),
          )
          .execute();
        return rows.map((r) => ({ interactionId: r.interaction_id, invitationId: r.id, dueAt: Number(r.due_at) }));
      }),

    claimOutbox: (now, limit, leaseMs) =>
      db.transaction().execute(async (trx) => {
        // Ready effects, locked on PostgreSQL so that replicas claiming at once skip each other's rows.
        let ready = trx
          .selectFrom('outbox')
          .selectAll()
          .where('status', '=', 'pending')
          .where('available_at', '<=', now)
          .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<=', now)]))
          .orderBy('interaction_id')
          .orderBy('revision')
          .orderBy('idx')
          .limit(Math.max(limit * 4, 100));
        if (isPostgres) ready = ready.forUpdate().skipLocked();
        const rows = await ready.execute();
        if (rows.length === 0) return [];
        // Each interaction's effects run in order: only the unbroken head of its pending queue is claimed (an
        // effect leased, waiting for a retry or locked by another replica holds back the ones after it).
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
          claimed.push({
            id: r.id,
            interactionId: r.interaction_id,
            effect: JSON.parse(r.effect) as Effect,
            attempts: r.attempts,
          });
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
      }),

    async completeOutbox(id) {
      await db.updateTable('outbox').set({ status: 'done', claimed_until: null }).where('id', '=', id).execute();
    },

    async releaseOutbox(ids) {
      if (ids.length === 0) return;
      await db
        .updateTable('outbox')
        .set({ claimed_until: null })
        .where('id', 'in', [...ids])
        .where('status', '=', 'pending')
        .execute();
    },

    async failOutbox(id, error, retryAt, giveUp) {
      await db
        .updateTable('outbox')
        .set((eb) => ({
          status: giveUp ? 'failed' : 'pending',
          attempts: eb('attempts', '+', 1),
          available_at: retryAt,
          claimed_until: null,
          last_error: error.slice(0, 1000),
        }))
        .where('id', '=', id)
        .execute();
    },

    async nextOutboxAt() {
      // The head of each interaction's queue decides when it can move; a claimed head waits for its lease.
      const row = await db
        .selectFrom('outbox as o')
        .select(
          sql<
            number | null
          >`min(case when o.claimed_until > o.available_at then o.claimed_until else o.available_at end)`.as('next'),
        )
        .where('o.status', '=', 'pending')
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('outbox as p')
                .select('p.id')
                .whereRef('p.interaction_id', '=', 'o.interaction_id')
                .where('p.status', '=', 'pending')
                .where((eb) =>
                  eb.or([
                    eb('p.revision', '<', eb.ref('o.revision')),
                    eb.and([eb('p.revision', '=', eb.ref('o.revision')), eb('p.idx', '<', eb.ref('o.idx'))]),
                  ]),
                ),
            ),
          ),
        )
        .executeTakeFirst();
      return row?.next == null ? null : Number(row.next);
    },

    async outboxCounts() {
      const rows = await db
        .selectFrom('outbox')
        .select((eb) => ['status', eb.fn.countAll<number>().as('n')])
        .groupBy('status')
        .execute();
      return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
    },

    async facts(query: FactQuery = {}) {
      let q = db.selectFrom('resource_facts').selectAll();
      if (query.interactionId) q = q.where('interaction_id', '=', query.interactionId);
      if (query.from !== undefined) q = q.where('ended_at', '>=', query.from);
      if (query.to !== undefined) q = q.where('ended_at', '<', query.to);
      const rows = await q.orderBy('id').execute();
      return rows.map(factFromRow);
    },

    close: () => database.close(),
  };
}
