/**
 * The interaction store on Kysely: the same tables on SQLite and PostgreSQL. A command's work runs in one SQLite
 * transaction; on PostgreSQL its reads take one round trip and its writes one statement (see pg-command-writes.ts),
 * checked against the revisions it read.
 */
import { type Kysely, sql, type Transaction } from 'kysely';
import type { Interaction } from '../../domain/interaction/types.js';
import type { ResourceFact } from '../../domain/reporting/resource-fact.js';
import type { InteractionOwner } from '../../ports/interaction-commands.js';
import {
  type ClaimedAtCommit,
  type DueInvitation,
  type FactQuery,
  type InteractionStore,
  type InteractionTx,
  type OutboxEntry,
  RevisionConflictError,
} from '../../ports/interaction-store.js';
import type { AgentApiTables } from './agent-api-schema.js';
import type { InteractionOwners } from './interaction-owners.js';
import {
  claimedAtCommit,
  factFromRow,
  factRow,
  interactionFromRows,
  outboxRow,
  rowChanges,
} from './interaction-rows.js';
import type { OpenDatabase } from './open-database.js';
import { claimOutboxInTransaction, claimOutboxPostgres } from './outbox-claims.js';
import {
  type CommandCommit,
  type CommandWrites,
  loadInOneQuery,
  type OwnerRow,
  writeCommand,
} from './pg-command-writes.js';
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

/** A command's work inside one transaction (SQLite). */
class SqlTx implements InteractionTx {
  /** What its effects' claim at commit took (when asked to claim). */
  claimed: ClaimedAtCommit | undefined;
  /** Interactions this command created, and the owners it recorded for them (learnt once it commits). */
  readonly created: string[] = [];
  readonly owners: OwnerRow[] = [];

  constructor(
    private readonly trx: Transaction<Database>,
    private readonly commit: CommandCommit = {},
  ) {}

  /** Whether the command wrote anything (its completed effects are then marked done with it). */
  #wrote = false;

  /** Marks the effects the command completes done, in its transaction, when it wrote anything. */
  async finish(): Promise<void> {
    const completes = this.commit.completes ?? [];
    if (!this.#wrote || completes.length === 0) return;
    await this.trx
      .updateTable('outbox')
      .set({ status: 'done', claimed_until: null })
      .where('id', 'in', [...completes])
      .execute();
  }

  load(ids: readonly string[]): Promise<Record<string, Interaction>> {
    return loadMany(this.trx, ids);
  }

  async save(before: Interaction | undefined, after: Interaction): Promise<void> {
    this.#wrote = true;
    const c = rowChanges(before, after);
    if (c.isNew) {
      await this.trx.insertInto('interactions').values(c.interaction).execute();
      this.created.push(after.id);
    } else {
      const { id, ...changes } = c.interaction;
      const result = await this.trx
        .updateTable('interactions')
        .set(changes)
        .where('id', '=', id)
        .where('revision', '=', c.expectedRevision ?? -1)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) throw new RevisionConflictError(after.id);
    }
    for (const values of c.parties)
      await this.trx
        .insertInto('parties')
        .values(values)
        .onConflict((oc) => oc.columns(['interaction_id', 'id']).doUpdateSet(values))
        .execute();
    for (const values of c.invitations)
      await this.trx
        .insertInto('invitations')
        .values(values)
        .onConflict((oc) => oc.columns(['interaction_id', 'id']).doUpdateSet(values))
        .execute();
    if (c.entries.length > 0) await this.trx.insertInto('transcript_entries').values(c.entries).execute();
  }

  async recordFacts(facts: readonly ResourceFact[]): Promise<void> {
    if (facts.length > 0) await this.trx.insertInto('resource_facts').values(facts.map(factRow)).execute();
  }

  async enqueue(entries: readonly OutboxEntry[], now: number): Promise<void> {
    if (entries.length === 0) return;
    const lease = this.commit.leaseMs;
    const after = this.commit.completes ?? [];
    // Claimed at commit: the effects of interactions with no earlier pending effect (one writer: exact).
    const waiting =
      lease === undefined
        ? new Set<string>()
        : new Set(
            (
              await this.trx
                .selectFrom('outbox')
                .select('interaction_id')
                .distinct()
                .where('status', '=', 'pending')
                .where('interaction_id', 'in', [...new Set(entries.map((e) => e.interactionId))])
                .$if(after.length > 0, (q) => q.where('id', 'not in', after))
                .execute()
            ).map((r) => r.interaction_id),
          );
    const claim = (e: OutboxEntry) => lease !== undefined && !waiting.has(e.interactionId);
    await this.trx
      .insertInto('outbox')
      .values(entries.map((e) => ({ ...outboxRow(e, now), claimed_until: claim(e) ? now + (lease ?? 0) : null })))
      .execute();
    if (lease === undefined) return;
    const these = claimedAtCommit(entries, claim);
    const before = this.claimed;
    this.claimed = {
      items: [...(before?.items ?? []), ...these.items],
      heldBack: [...new Set([...(before?.heldBack ?? []), ...these.heldBack])],
    };
  }

  async recordOwner(interactionId: string, owner: InteractionOwner): Promise<void> {
    await this.trx
      .withTables<Pick<AgentApiTables, 'api_interactions'>>()
      .insertInto('api_interactions')
      .values({ interaction_id: interactionId, contact_center: owner.contactCenter })
      .onConflict((oc) => oc.column('interaction_id').doNothing())
      .execute();
    this.owners.push({ interaction_id: interactionId, contact_center: owner.contactCenter });
  }
}

/** A command's work on PostgreSQL: reads at once, writes gathered and written in one statement at the end. */
class PgTx implements InteractionTx {
  readonly saves: { before: Interaction | undefined; after: Interaction }[] = [];
  readonly facts: ResourceFact[] = [];
  readonly outbox: OutboxEntry[] = [];
  readonly owners: OwnerRow[] = [];
  now = 0;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly known: InteractionOwners | undefined,
  ) {}

  load(ids: readonly string[]): Promise<Record<string, Interaction>> {
    return loadInOneQuery(this.db, ids, this.known);
  }

  async save(before: Interaction | undefined, after: Interaction): Promise<void> {
    this.saves.push({ before, after });
  }

  async recordFacts(facts: readonly ResourceFact[]): Promise<void> {
    this.facts.push(...facts);
  }

  async enqueue(entries: readonly OutboxEntry[], now: number): Promise<void> {
    this.outbox.push(...entries);
    this.now = now;
  }

  async recordOwner(interactionId: string, owner: InteractionOwner): Promise<void> {
    this.owners.push({ interaction_id: interactionId, contact_center: owner.contactCenter });
  }

  writes(): CommandWrites {
    return { saves: this.saves, facts: this.facts, outbox: this.outbox, owners: this.owners, now: this.now };
  }
}

/**
 * The owners (contact centers) a committed command wrote with the interactions it created, and null for those it
 * created without one: told to `owners`, so the replica that created an interaction never reads its owner.
 */
function learnCreated(
  owners: InteractionOwners | undefined,
  tx: { readonly created: string[]; readonly owners: OwnerRow[] },
) {
  if (!owners) return;
  for (const o of tx.owners) owners.learn(o.interaction_id, o.contact_center);
  for (const id of tx.created) owners.learn(id, null);
}

/** The interactions a command's saves create. */
const createdBy = (saves: CommandWrites['saves']) => saves.filter((s) => s.before === undefined).map((s) => s.after.id);

/**
 * Creates the SQL interaction store over an open database. With `owners`, the contact centers of the interactions
 * its commands create or load are learnt there (on PostgreSQL a load carries them in its one round trip).
 */
export function createSqlInteractionStore(database: OpenDatabase, owners?: InteractionOwners): InteractionStore {
  const { db } = database;
  const isPostgres = database.dialect === 'postgres';
  return {
    transaction: isPostgres
      ? async (work, options) => {
          const tx = new PgTx(db, owners);
          const result = await work(tx);
          const writes = tx.writes();
          const claimed = await writeCommand(db, writes, {
            completes: options?.completes,
            leaseMs: options?.claim?.leaseMs,
          });
          learnCreated(owners, { created: createdBy(writes.saves), owners: [...writes.owners] });
          if (options?.claim && claimed) options.claim.claimed(claimed);
          return result;
        }
      : async (work, options) => {
          const committed: SqlTx[] = [];
          const result = await db.transaction().execute(async (trx) => {
            const tx = new SqlTx(trx, { completes: options?.completes, leaseMs: options?.claim?.leaseMs });
            committed.push(tx);
            const value = await work(tx);
            await tx.finish();
            return value;
          });
          for (const tx of committed) learnCreated(owners, tx);
          const claimed = committed.at(-1)?.claimed;
          if (options?.claim && claimed) options.claim.claimed(claimed);
          return result;
        },

    get: async (id) => (isPostgres ? await loadInOneQuery(db, [id], owners) : await loadMany(db, [id]))[id],

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
      isPostgres ? claimOutboxPostgres(db, now, limit, leaseMs) : claimOutboxInTransaction(db, now, limit, leaseMs),

    async completeOutbox(ids) {
      if (ids.length === 0) return;
      await db
        .updateTable('outbox')
        .set({ status: 'done', claimed_until: null })
        .where('id', 'in', [...ids])
        .execute();
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
