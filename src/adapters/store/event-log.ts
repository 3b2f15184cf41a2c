/**
 * The durable event log of the agent side: every event an agent's stream, the platform's stream or a webhook
 * carries, numbered by one increasing sequence (the SSE event id, so `Last-Event-ID` resumes). Appending is
 * idempotent by source id (the outbox effect id) and queues the webhook deliveries in the same transaction.
 *
 * Readers read a contact center's events after the last id they saw, so within a contact center ids must become
 * visible in increasing order: a reader that saw id n+1 committed before n would never read n. On PostgreSQL several
 * replicas append at once. Each append is one statement (one implicit transaction, one round trip) that first takes
 * a transaction-level advisory lock per contact center it appends to, then draws its ids and inserts; the lock is
 * released only once the commit is visible. So appends to one contact center draw and commit their ids one after
 * the other, in increasing order, and a reader never sees a later id before an earlier one of its contact center;
 * appends to different contact centers do not wait for each other (their ids interleave, which no reader sees). The
 * lock is held for the statement's own work in the server, never across a network round trip or a replica's turn
 * of the event loop. See docs/scale-out.md for the argument.
 */
import { EventEmitter } from 'node:events';
import { sql } from 'kysely';
import type { Clock } from '../../ports/clock.js';
import type { AgentApiDb } from './agent-api-schema.js';
import { dialectOf } from './dialect.js';
import { InteractionOwners } from './interaction-owners.js';

/** Who an event is for. */
export type EventAudience = 'agent' | 'platform' | 'broadcast';

/** An event to append. */
export interface NewAgentEvent {
  /** A stable id of what caused it (an outbox effect id): appending the same source twice keeps one event. */
  readonly sourceId: string;
  readonly contactCenter: string;
  /** The agent it is for (audience `agent`), else null. */
  readonly agentId: string | null;
  readonly audience: EventAudience;
  readonly type: string;
  readonly interactionId: string | null;
  readonly data: Readonly<Record<string, unknown>>;
}

/** A stored event. `id` is the sequence number as a string (the SSE id and the webhook message id). */
export interface AgentEvent {
  readonly id: string;
  readonly seq: number;
  readonly type: string;
  readonly time: string;
  readonly contactCenter: string;
  readonly agentId: string | null;
  readonly interactionId: string | null;
  readonly data: Readonly<Record<string, unknown>>;
}

/** Which events a reader sees: one agent's (theirs and broadcasts), or the whole contact center's (platform). */
export interface EventStreamFilter {
  readonly contactCenter: string;
  /** null: the platform stream (every event of the contact center). */
  readonly agentId: string | null;
}

/**
 * Whom appended events concern, per event: its contact center, and the agent it is for, `*` for a broadcast (every
 * stream of the contact center) or the empty string for the platform only.
 */
export type EventConcern = readonly [contactCenter: string, who: string];

/** The {@link EventConcern} of an event. */
export function concernOf(e: Pick<NewAgentEvent, 'contactCenter' | 'audience' | 'agentId'>): EventConcern {
  return [e.contactCenter, e.audience === 'broadcast' ? '*' : e.audience === 'agent' ? (e.agentId ?? '') : ''];
}

/** Whether a stream reading with `filter` sees any event of these concerns (null: any may concern it). */
export function concerns(filter: EventStreamFilter, of: readonly EventConcern[] | null): boolean {
  if (of === null) return true;
  return of.some(
    ([cc, who]) => cc === filter.contactCenter && (filter.agentId === null || who === '*' || who === filter.agentId),
  );
}

/** Why readers were woken: events appended here, or (scale-out) a wake-up from another replica or a poll. */
export interface AppendedSignal {
  readonly remote: boolean;
  /** Webhook deliveries the append queued (0 for a wake-up). */
  readonly deliveries: number;
  /** Whom the appended events concern (deduplicated); null when unknown (anyone's may have been appended). */
  readonly concerns: readonly EventConcern[] | null;
}

/**
 * The first key of the advisory lock that serializes appends to one contact center on PostgreSQL (the second is the
 * contact center's hash), so that sequence numbers become visible in order within it.
 */
const APPEND_LOCK = 727_002;

/**
 * The event log. Emits `appended` (with an {@link AppendedSignal}) after new events are committed here, and when
 * {@link EventLog.wake} says another replica may have appended.
 */
export class EventLog extends EventEmitter {
  private readonly isPostgres: boolean;
  /** Appends waiting for the one being written. */
  private readonly queued: {
    readonly events: readonly NewAgentEvent[];
    resolve(added: number): void;
    reject(error: unknown): void;
  }[] = [];
  private writing = false;
  /**
   * @param owners Interactions' contact centers known here, shared with the interaction store (which learns them
   *   from its commands and loads); what is not known is read once.
   */
  constructor(
    private readonly db: AgentApiDb,
    private readonly clock: Clock,
    private readonly owners = new InteractionOwners(),
  ) {
    super();
    this.setMaxListeners(0);
    this.isPostgres = dialectOf(db) === 'postgres';
  }

  /**
   * Wakes readers: events may have been appended elsewhere (another replica), concerning these streams (null: any).
   * The log stays the source of truth.
   */
  wake(concerning: readonly EventConcern[] | null = null): void {
    this.emit('appended', { remote: true, deliveries: 0, concerns: concerning } satisfies AppendedSignal);
  }

  /**
   * Appends events (skipping sources already appended) and queues their webhook deliveries; resolves with how many
   * of them were new. Appends asked for while one is being written are written together next, in one transaction.
   */
  append(events: readonly NewAgentEvent[]): Promise<number> {
    if (events.length === 0) return Promise.resolve(0);
    return new Promise((resolve, reject) => {
      this.queued.push({ events, resolve, reject });
      if (!this.writing) this.writeQueued();
    });
  }

  private writeQueued(): void {
    const group = this.queued.splice(0);
    if (group.length === 0) {
      this.writing = false;
      return;
    }
    this.writing = true;
    this.write(group.flatMap((g) => g.events)).then(
      ({ added, deliveries }) => {
        const appended = group.flatMap((g) => g.events).filter((e) => added.has(e.sourceId));
        const concerned = [...new Map(appended.map((e) => concernOf(e)).map((c) => [c.join('\n'), c])).values()];
        for (const g of group) g.resolve(g.events.filter((e) => added.delete(e.sourceId)).length);
        if (appended.length > 0)
          this.emit('appended', { remote: false, deliveries, concerns: concerned } satisfies AppendedSignal);
        this.writeQueued();
      },
      (error: unknown) => {
        for (const g of group) g.reject(error);
        this.writeQueued();
      },
    );
  }

  /** Writes events in one transaction; returns the source ids that were new and the deliveries queued. */
  private async write(events: readonly NewAgentEvent[]): Promise<{ added: Set<string>; deliveries: number }> {
    const now = this.clock.now();
    const unique = [...new Map(events.map((e) => [e.sourceId, e])).values()];
    if (this.isPostgres) return this.writeInOneStatement(unique, now);
    // SQLite: one writer at a time anyway (one process, and the database's own write lock).
    return this.db.transaction().execute(async (trx) => {
      const subs = await trx
        .selectFrom('webhook_subscriptions')
        .select(['id', 'types', 'contact_center'])
        .where('contact_center', 'in', [...new Set(unique.map((e) => e.contactCenter))])
        .where('deleted_at', 'is', null)
        .execute();
      const inserted = await trx
        .insertInto('agent_events')
        .values(unique.map((e) => ({ ...eventColumns(e), created_at: now })))
        .onConflict((oc) => oc.column('source_id').doNothing())
        .returning(['seq', 'source_id'])
        .execute();
      const added = new Set(inserted.map((r) => r.source_id));
      if (inserted.length === 0) return { added, deliveries: 0 };
      const bySource = new Map(unique.map((e) => [e.sourceId, e]));
      const deliveries = inserted.flatMap((row) => {
        const e = bySource.get(row.source_id);
        return subs
          .filter((s) => {
            const types = JSON.parse(s.types) as string[];
            return s.contact_center === e?.contactCenter && (types.length === 0 || types.includes(e.type));
          })
          .map((s) => ({
            subscription_id: s.id,
            event_seq: Number(row.seq),
            status: 'pending',
            attempts: 0,
            next_at: now,
            claimed_until: null,
            last_error: null,
          }));
      });
      if (deliveries.length > 0) await trx.insertInto('webhook_deliveries').values(deliveries).execute();
      return { added, deliveries: deliveries.length };
    });
  }

  /**
   * PostgreSQL: locks each contact center appended to (in name order, so two appends never wait for each other in a
   * cycle), inserts the events in the order given (so their ids increase in that order) and queues a delivery for
   * every matching webhook subscription, in one statement run as its own transaction.
   */
  private async writeInOneStatement(
    events: readonly NewAgentEvent[],
    now: number,
  ): Promise<{ added: Set<string>; deliveries: number }> {
    const rows = events.map((e, ord) => ({ ord, ...eventColumns(e) }));
    const centers = [...new Set(events.map((e) => e.contactCenter))].sort();
    const result = await sql<{ seq: string | number; source_id: string; deliveries: string | number }>`
      with locked as materialized (
        select count(pg_advisory_xact_lock(${APPEND_LOCK}::int4, hashtext(cc))) as n
        from (select cc from unnest(${centers}::text[]) as cc order by cc) as centers
      ),
      given as (
        select * from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as e(
          ord int, source_id text, contact_center text, agent_id text, audience text, type text,
          interaction_id text, data text)
      ),
      inserted as (
        insert into agent_events (source_id, contact_center, agent_id, audience, type, interaction_id, data, created_at)
        select e.source_id, e.contact_center, e.agent_id, e.audience, e.type, e.interaction_id, e.data, ${now}::bigint
        from given e cross join locked
        order by e.ord
        on conflict (source_id) do nothing
        returning seq, source_id, contact_center, type
      ),
      queued as (
        insert into webhook_deliveries
          (subscription_id, event_seq, status, attempts, next_at, claimed_until, last_error)
        select s.id, i.seq, 'pending', 0, ${now}::bigint, null, null
        from inserted i
        join webhook_subscriptions s on s.contact_center = i.contact_center and s.deleted_at is null
        where s.types::jsonb = '[]'::jsonb or s.types::jsonb ? i.type
        returning 1
      )
      select i.seq, i.source_id, (select count(*) from queued) as deliveries from inserted i`.execute(this.db);
    return {
      added: new Set(result.rows.map((r) => r.source_id)),
      deliveries: Number(result.rows[0]?.deliveries ?? 0),
    };
  }

  /** Events after `afterSeq` that the filter sees, oldest first. */
  async read(filter: EventStreamFilter, afterSeq: number, limit = 500): Promise<AgentEvent[]> {
    let query = this.db
      .selectFrom('agent_events')
      .selectAll()
      .where('contact_center', '=', filter.contactCenter)
      .where('seq', '>', afterSeq);
    const agentId = filter.agentId;
    if (agentId !== null) {
      query = query.where((eb) => eb.or([eb('agent_id', '=', agentId), eb('audience', '=', 'broadcast')]));
    }
    const rows = await query.orderBy('seq').limit(limit).execute();
    return rows.map(toEvent);
  }

  /**
   * The newest sequence number of a contact center's events (0 when it has none): a fresh stream starts after it.
   * Of that contact center only: an append to it still being written draws a higher id than every one committed
   * (appends to one contact center commit one after the other), whereas a later id of another contact center may be
   * committed before it.
   */
  async lastSeq(contactCenter: string): Promise<number> {
    const row = await this.db
      .selectFrom('agent_events')
      .select('seq')
      .where('contact_center', '=', contactCenter)
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    return Number(row?.seq ?? 0);
  }

  /** One event by sequence number. */
  async get(seq: number): Promise<AgentEvent | undefined> {
    const row = await this.db.selectFrom('agent_events').selectAll().where('seq', '=', seq).executeTakeFirst();
    return row ? toEvent(row) : undefined;
  }

  /**
   * The contact center of an interaction created through the API (recorded by the interaction store in the
   * command's transaction, see `InteractionTx.recordOwner`); undefined for one created otherwise. Known without a
   * read when this replica created or loaded the interaction (see {@link InteractionOwners}).
   */
  async contactCenterOf(interactionId: string): Promise<string | undefined> {
    const known = this.owners.get(interactionId);
    if (known !== undefined) return known ?? undefined;
    const row = await this.db
      .selectFrom('api_interactions')
      .select('contact_center')
      .where('interaction_id', '=', interactionId)
      .executeTakeFirst();
    // An interaction's contact center never changes once recorded: kept without invalidation.
    if (row) this.owners.learn(interactionId, row.contact_center);
    return row?.contact_center;
  }
}

function toEvent(row: {
  seq: number;
  type: string;
  created_at: number;
  contact_center: string;
  agent_id: string | null;
  interaction_id: string | null;
  data: string;
}): AgentEvent {
  const seq = Number(row.seq);
  return {
    id: String(seq),
    seq,
    type: row.type,
    time: new Date(Number(row.created_at)).toISOString(),
    contactCenter: row.contact_center,
    agentId: row.agent_id,
    interactionId: row.interaction_id,
    data: JSON.parse(row.data) as Record<string, unknown>,
  };
}

/** An event's columns in `agent_events`, as both appends write them. */
function eventColumns(e: NewAgentEvent) {
  return {
    source_id: e.sourceId,
    contact_center: e.contactCenter,
    agent_id: e.agentId,
    audience: e.audience,
    type: e.type,
    interaction_id: e.interactionId,
    data: JSON.stringify(e.data),
  };
}
