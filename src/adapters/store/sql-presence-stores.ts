/**
 * SQL implementations of the presence ports (migration 200-presence): snapshots and time-in-state history, the
 * presence subscriptions held, and the subscriber accounts' token caches (already encrypted when they get here).
 */
import type { ColumnType, Kysely, Selectable } from 'kysely';
import type { AgentState } from '../../domain/presence/agent-state.js';
import type { StateHistoryRecord } from '../../domain/presence/state-change.js';
import { type Clock, systemClock } from '../../ports/clock.js';
import type { PresenceHistoryStore, PresenceSnapshotRecord } from '../../ports/presence/presence-history-store.js';
import type { SubscriptionRecord, SubscriptionStore } from '../../ports/presence/subscription-store.js';
import type { TokenCacheStore } from '../../ports/presence/token-cache-store.js';
import type { OpenDatabase } from './open-database.js';

type Millis = ColumnType<number, number, number>;

/** Row types of migration 200-presence. */
export type PresenceTables = {
  presence_snapshots: { user_id: string; state: string; since: Millis };
  presence_history: { user_id: string; state: string; started_at: Millis; ended_at: Millis };
  presence_subscriptions: {
    id: string;
    account: string;
    user_ids: string;
    client_state: string;
    expires_at: Millis;
    refused_since: Millis | null;
  };
  presence_token_caches: { account: string; sealed: string; updated_at: Millis };
};

function presenceDb(database: OpenDatabase): Kysely<PresenceTables> {
  return database.db.withTables<PresenceTables>() as unknown as Kysely<PresenceTables>;
}

const encodeState = (s: AgentState): string => JSON.stringify(s);
const decodeState = (s: string): AgentState => JSON.parse(s) as AgentState;

/** Presence snapshots and history on the database. */
export class SqlPresenceHistoryStore implements PresenceHistoryStore {
  readonly #db: Kysely<PresenceTables>;
  constructor(database: OpenDatabase) {
    this.#db = presenceDb(database);
  }

  async record(history: readonly StateHistoryRecord[], snapshots: readonly PresenceSnapshotRecord[]): Promise<void> {
    if (history.length === 0 && snapshots.length === 0) return;
    await this.#db.transaction().execute(async (tx) => {
      for (let i = 0; i < history.length; i += 500) {
        const rows = history.slice(i, i + 500).map((h) => ({
          user_id: h.userId,
          state: encodeState(h.state),
          started_at: h.startedAt,
          ended_at: h.endedAt,
        }));
        await tx
          .insertInto('presence_history')
          .values(rows)
          .onConflict((oc) =>
            oc.columns(['user_id', 'started_at']).doUpdateSet((eb) => ({ ended_at: eb.ref('excluded.ended_at') })),
          )
          .execute();
      }
      for (let i = 0; i < snapshots.length; i += 500) {
        const rows = snapshots
          .slice(i, i + 500)
          .map((s) => ({ user_id: s.userId, state: encodeState(s.state), since: s.since }));
        await tx
          .insertInto('presence_snapshots')
          .values(rows)
          .onConflict((oc) =>
            oc
              .column('user_id')
              .doUpdateSet((eb) => ({ state: eb.ref('excluded.state'), since: eb.ref('excluded.since') })),
          )
          .execute();
      }
    });
  }

  async historyOf(userId: string, from: number, to: number): Promise<StateHistoryRecord[]> {
    const rows = await this.#db
      .selectFrom('presence_history')
      .selectAll()
      .where('user_id', '=', userId)
      .where('ended_at', '>=', from)
      .where('started_at', '<=', to)
      .orderBy('started_at')
      .execute();
    return rows.map((r) => ({
      userId: r.user_id,
      state: decodeState(r.state),
      startedAt: Number(r.started_at),
      endedAt: Number(r.ended_at),
      durationMs: Number(r.ended_at) - Number(r.started_at),
    }));
  }

  /** The latest published state of these users (those that have one). */
  async snapshotsOf(userIds: readonly string[]): Promise<PresenceSnapshotRecord[]> {
    if (userIds.length === 0) return [];
    const rows = await this.#db
      .selectFrom('presence_snapshots')
      .selectAll()
      .where('user_id', 'in', [...userIds])
      .execute();
    return rows.map((r) => ({ userId: r.user_id, state: decodeState(r.state), since: Number(r.since) }));
  }

  /** The latest published state of every user that has one (to resume "since" after a restart). */
  async snapshots(): Promise<PresenceSnapshotRecord[]> {
    const rows = await this.#db.selectFrom('presence_snapshots').selectAll().execute();
    return rows.map((r) => ({ userId: r.user_id, state: decodeState(r.state), since: Number(r.since) }));
  }
}

const subscriptionFromRow = (r: Selectable<PresenceTables['presence_subscriptions']>): SubscriptionRecord => ({
  id: r.id,
  account: r.account,
  userIds: JSON.parse(r.user_ids) as string[],
  clientState: r.client_state,
  expiresAt: Number(r.expires_at),
  refusedSince: r.refused_since === null ? null : Number(r.refused_since),
});

/** Presence subscriptions on the database. */
export class SqlSubscriptionStore implements SubscriptionStore {
  readonly #db: Kysely<PresenceTables>;
  constructor(database: OpenDatabase) {
    this.#db = presenceDb(database);
  }
  async list(): Promise<SubscriptionRecord[]> {
    const rows = await this.#db.selectFrom('presence_subscriptions').selectAll().orderBy('id').execute();
    return rows.map(subscriptionFromRow);
  }
  async get(id: string): Promise<SubscriptionRecord | undefined> {
    const row = await this.#db.selectFrom('presence_subscriptions').selectAll().where('id', '=', id).executeTakeFirst();
    return row && subscriptionFromRow(row);
  }
  async put(record: SubscriptionRecord): Promise<void> {
    const row = {
      id: record.id,
      account: record.account,
      user_ids: JSON.stringify(record.userIds),
      client_state: record.clientState,
      expires_at: record.expiresAt,
      refused_since: record.refusedSince ?? null,
    };
    await this.#db
      .insertInto('presence_subscriptions')
      .values(row)
      .onConflict((oc) =>
        oc.column('id').doUpdateSet({
          account: row.account,
          user_ids: row.user_ids,
          client_state: row.client_state,
          expires_at: row.expires_at,
        }),
      )
      .execute();
  }
  async delete(id: string): Promise<void> {
    await this.#db.deleteFrom('presence_subscriptions').where('id', '=', id).execute();
  }
  async markRefused(id: string, since: number | null): Promise<void> {
    await this.#db.updateTable('presence_subscriptions').set({ refused_since: since }).where('id', '=', id).execute();
  }
}

/** Encrypted token caches on the database. */
export class SqlTokenCacheStore implements TokenCacheStore {
  readonly #db: Kysely<PresenceTables>;
  constructor(
    database: OpenDatabase,
    private readonly clock: Clock = systemClock,
  ) {
    this.#db = presenceDb(database);
  }
  async get(account: string): Promise<string | undefined> {
    const r = await this.#db
      .selectFrom('presence_token_caches')
      .select('sealed')
      .where('account', '=', account)
      .executeTakeFirst();
    return r?.sealed;
  }
  async set(account: string, encrypted: string): Promise<void> {
    const now = this.clock.now();
    await this.#db
      .insertInto('presence_token_caches')
      .values({ account, sealed: encrypted, updated_at: now })
      .onConflict((oc) => oc.column('account').doUpdateSet({ sealed: encrypted, updated_at: now }))
      .execute();
  }
  /** The accounts that have a token cache. */
  async accounts(): Promise<string[]> {
    const rows = await this.#db.selectFrom('presence_token_caches').select('account').orderBy('account').execute();
    return rows.map((r) => r.account);
  }
}
