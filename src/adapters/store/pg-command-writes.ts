/**
 * A command's reads and writes on PostgreSQL in as few round trips as they can take: the interactions it touches are
 * loaded in one query (every table's rows as JSON, one `union all`), and everything it changes (the interaction, its
 * parties, invitations and transcript, its facts, its outbox effects, the owner of an interaction it created) is
 * written in one statement, whose writes all depend on the interaction's stored revision still being the one that
 * was loaded. When it is not, nothing is written and the command is retried (optimistic concurrency, as in the
 * transaction it replaces). A command that changes several interactions writes one such statement per interaction
 * inside one transaction.
 */
import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Interaction } from '../../domain/interaction/types.js';
import type { ResourceFact } from '../../domain/reporting/resource-fact.js';
import { type ClaimedAtCommit, type OutboxEntry, RevisionConflictError } from '../../ports/interaction-store.js';
import type { InteractionOwners } from './interaction-owners.js';
import {
  claimedAtCommit,
  factRow,
  interactionFromRows,
  outboxIdOf,
  outboxRow,
  type RowChanges,
  rowChanges,
} from './interaction-rows.js';
import type { Database } from './schema.js';

type Row = Record<string, unknown>;

/**
 * Loads interactions with their parties, invitations and transcripts in one round trip; with `owners`, the same
 * round trip carries their contact centers (`api_interactions`, written with each interaction), which it learns.
 */
export async function loadInOneQuery(
  db: Kysely<Database>,
  ids: readonly string[],
  owners?: InteractionOwners,
): Promise<Record<string, Interaction>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return {};
  const list = sql`${unique}::text[]`;
  const ownerRows = owners
    ? sql`union all select 'o', to_jsonb(x) from api_interactions x where x.interaction_id = any(${list})`
    : sql``;
  const result = await sql<{ t: string; r: Row }>`
    select 'i' as t, to_jsonb(x) as r from interactions x where x.id = any(${list})
    union all select 'p', to_jsonb(x) from parties x where x.interaction_id = any(${list})
    union all select 'v', to_jsonb(x) from invitations x where x.interaction_id = any(${list})
    union all select 'e', to_jsonb(x) from transcript_entries x where x.interaction_id = any(${list})
    ${ownerRows}`.execute(db);
  const of = (t: string) => result.rows.filter((row) => row.t === t).map((row) => row.r);
  const belongs = (id: string) => (r: Row) => r.interaction_id === id;
  const out: Record<string, Interaction> = {};
  for (const r of of('i')) {
    const id = String(r.id);
    // One snapshot: an interaction seen without its owner row has none (it would have been written with it).
    if (owners) owners.learn(id, (of('o').find(belongs(id))?.contact_center as string | undefined) ?? null);
    out[id] = interactionFromRows(
      r as never,
      of('p').filter(belongs(id)) as never,
      of('v').filter(belongs(id)) as never,
      of('e').filter(belongs(id)) as never,
    );
  }
  return out;
}

/** An `api_interactions` row: the contact center that owns an interaction created through the agent API. */
export type OwnerRow = {
  readonly interaction_id: string;
  readonly contact_center: string;
};

/** What one command writes. */
export interface CommandWrites {
  readonly saves: readonly { readonly before: Interaction | undefined; readonly after: Interaction }[];
  readonly facts: readonly ResourceFact[];
  readonly outbox: readonly OutboxEntry[];
  /** Owners of interactions the command created, each written with its interaction (an existing owner stays). */
  readonly owners: readonly OwnerRow[];
  readonly now: number;
}

/**
/** What a command's commit does besides its writes (see `CommitOptions`). */
export interface CommandCommit {
  /** Effects marked done with the command's writes (and that do not hold back the ones it queues). */
  readonly completes?: readonly string[] | undefined;
  /** Claim the effects it queues for this long. */
  readonly leaseMs?: number | undefined;
}

/**
 * Writes a command's changes; throws {@link RevisionConflictError} (having written nothing) on a concurrent change.
 * The effects `commit.completes` names are marked done with them. With `commit.leaseMs`, the statement also claims
 * the effects it inserts for the caller, for that long, wherever their interaction has no earlier pending effect but
 * those it completes (one still running elsewhere, or waiting for a retry, keeps its order: the new ones are left for
 * whoever holds it), and says which it claimed.
 */
export async function writeCommand(
  db: Kysely<Database>,
  writes: CommandWrites,
  commit: CommandCommit = {},
): Promise<ClaimedAtCommit | undefined> {
  const changes = writes.saves.map((s) => rowChanges(s.before, s.after));
  const facts = writes.facts.map(factRow) as Row[];
  const outbox = writes.outbox.map((e) => outboxRow(e, writes.now)) as Row[];
  if (changes.length === 0 && facts.length === 0 && outbox.length === 0) return undefined;
  const completes = commit.completes ?? [];
  const claimUntil =
    commit.leaseMs === undefined ? undefined : { until: writes.now + commit.leaseMs, after: completes };
  const statements =
    changes.length === 0
      ? [statementFor(null, facts, outbox, [], claimUntil, completes)]
      : changes.map((c, n) =>
          statementFor(
            c,
            n === 0 ? facts : [],
            n === 0 ? outbox : [],
            writes.owners.filter((o) => o.interaction_id === c.interaction.id),
            claimUntil,
            n === 0 ? completes : [],
          ),
        );
  let claimedIds: Set<string> | undefined;
  const runAll = async (on: Kysely<Database>) => {
    for (const s of statements) {
      const ids = await run(on, s);
      if (ids) claimedIds = ids;
    }
  };
  if (statements.length === 1) await runAll(db);
  else await db.transaction().execute((trx) => runAll(trx));
  if (claimUntil === undefined || outbox.length === 0) return undefined;
  const claimed = claimedIds ?? new Set<string>();
  return claimedAtCommit(writes.outbox, (e) => claimed.has(outboxIdOf(e)));
}

interface Statement {
  readonly interactionId: string;
  readonly query: RawBuilder<{ ok: number | string; claimed: string[] | null }>;
}

/** Runs one statement; returns the ids of the effects it claimed, when it inserted effects to claim. */
async function run(db: Kysely<Database>, statement: Statement): Promise<Set<string> | undefined> {
  const result = await statement.query.execute(db);
  const row = result.rows[0];
  if (Number(row?.ok ?? 0) !== 1) throw new RevisionConflictError(statement.interactionId);
  return row?.claimed ? new Set(row.claimed) : undefined;
}

const ident = (name: string) => sql.raw(`"${name.replace(/"/g, '""')}"`);
const columnsOf = (row: Row) => Object.keys(row);

/** What an insert does with a row whose key exists: replaces its other columns, or keeps the existing row. */
type OnConflict = { readonly keys: readonly string[]; readonly action: 'update' | 'nothing' } | null;

/**
 * `insert into t (cols) select … where exists (select 1 from ix)` for rows passed as one JSON array: the table's
 * own row type gives each column its type (`jsonb_populate_recordset`), and rows go in in array order. With
 * `conflict`, an upsert on its keys, or an insert that keeps existing rows.
 */
function conditionalInsert(table: string, rows: readonly Row[], conflict: OnConflict): RawBuilder<unknown> {
  const cols = [...new Set(rows.flatMap(columnsOf))];
  const names = sql.join(cols.map(ident));
  const keys = conflict?.keys ?? [];
  const upsert =
    conflict === null
      ? sql``
      : conflict.action === 'nothing'
        ? sql`on conflict (${sql.join(keys.map(ident))}) do nothing`
        : sql`on conflict (${sql.join(keys.map(ident))}) do update set ${sql.join(
            cols.filter((c) => !keys.includes(c)).map((c) => sql`${ident(c)} = excluded.${ident(c)}`),
          )}`;
  return sql`insert into ${ident(table)} (${names}) select ${names} from jsonb_populate_recordset(null::${ident(
    table,
  )}, ${JSON.stringify(rows)}::jsonb) where exists (select 1 from ix) ${upsert}`;
}

/** Until when a commit claims its effects, and the pending effects that do not hold them back. */
interface ClaimUntil {
  readonly until: number;
  readonly after: readonly string[];
}

/**
 * The outbox rows' insert when the committer claims them: `claimed_until` is set where the interaction has no pending
 * effect from before this statement (its snapshot), and the rows' ids and whether each was claimed are returned.
 */
function claimingOutboxInsert(rows: readonly Row[], claim: ClaimUntil): RawBuilder<unknown> {
  const cols = [...new Set(rows.flatMap(columnsOf))];
  const values = cols.map((c) =>
    c === 'claimed_until'
      ? sql`case when not exists (
          select 1 from outbox b where b.interaction_id = r.interaction_id and b.status = 'pending'
            and b.id <> all(${[...claim.after]}::text[])
        ) then ${claim.until}::bigint end`
      : sql`r.${ident(c)}`,
  );
  return sql`insert into outbox (${sql.join(cols.map(ident))}) select ${sql.join(values)}
    from jsonb_populate_recordset(null::outbox, ${JSON.stringify(rows)}::jsonb) r where exists (select 1 from ix)
    returning id, claimed_until`;
}

/**
 * One statement: the interaction's insert or revision-checked update (`ix`), then every other write depending on it
 * (with no interaction changed, facts and effects alone, unconditionally), among them marking `completes` done.
 * With `claimUntil`, its effects are claimed as it inserts them (see {@link claimingOutboxInsert}) and the statement
 * returns the ids it claimed.
 */
function statementFor(
  c: RowChanges | null,
  facts: readonly Row[],
  outbox: readonly Row[],
  owners: readonly Row[],
  claimUntil: ClaimUntil | undefined,
  completes: readonly string[],
): Statement {
  const row = (c?.interaction ?? {}) as Row;
  const id = String(row.id ?? '');
  const ix = !c
    ? sql`select 1 as id`
    : c.isNew
      ? sql`insert into interactions (${sql.join(columnsOf(row).map(ident))}) values (${sql.join(
          columnsOf(row).map((k) => sql`${row[k] ?? null}`),
        )}) on conflict (id) do nothing returning id`
      : sql`update interactions set ${sql.join(
          columnsOf(row)
            .filter((k) => k !== 'id')
            .map((k) => sql`${ident(k)} = ${row[k] ?? null}`),
        )} where id = ${id} and revision = ${c.expectedRevision} returning id`;
  const upsertOn = (keys: readonly string[]): OnConflict => ({ keys, action: 'update' });
  const claiming = claimUntil !== undefined && outbox.length > 0;
  const tables: [string, readonly Row[], OnConflict][] = [
    ['parties', (c?.parties ?? []) as Row[], upsertOn(['interaction_id', 'id'])],
    ['invitations', (c?.invitations ?? []) as Row[], upsertOn(['interaction_id', 'id'])],
    ['transcript_entries', (c?.entries ?? []) as Row[], null],
    ['resource_facts', facts, null],
    ['outbox', claiming ? [] : outbox, null],
    ['api_interactions', owners, { keys: ['interaction_id'], action: 'nothing' }],
  ];
  const writes = tables
    .filter(([, rows]) => rows.length > 0)
    .map(([table, rows, conflict]) => conditionalInsert(table, rows, conflict));
  if (completes.length > 0)
    writes.push(sql`update outbox set status = 'done', claimed_until = null
      where id = any(${[...completes]}::text[]) and exists (select 1 from ix)`);
  if (claiming) writes.push(claimingOutboxInsert(outbox, claimUntil));
  const ctes = writes.map((w, n) => sql`, ${sql.raw(`w${n}`)} as (${w})`);
  const claimed = claiming
    ? sql`(select coalesce(jsonb_agg(id), '[]'::jsonb) from ${sql.raw(`w${writes.length - 1}`)}
        where claimed_until is not null)`
    : sql`null::jsonb`;
  return {
    interactionId: id,
    query: sql<{ ok: number; claimed: string[] | null }>`with ix as (${ix}) ${sql.join(ctes, sql``)}
      select (select count(*) from ix) as ok, ${claimed} as claimed`,
  };
}
