/**
 * The SQL {@link PresenceWriteStore} (migration 360-presence-writes): one row per person whose presence the connector
 * wrote to Teams and has not cleared yet.
 */
import type { ColumnType, Kysely, Selectable } from 'kysely';
import type { WrittenPresence } from '../../domain/presence/presence-write.js';
import type { PresenceWriteStore } from '../../ports/presence/presence-write-store.js';
import type { OpenDatabase } from './open-database.js';

type Millis = ColumnType<number, number, number>;

/** Row types of migration 360-presence-writes. */
export type PresenceWriteTables = {
  presence_writes: {
    user_id: string;
    availability: string;
    activity: string;
    status_message: string | null;
    expires_at: Millis;
  };
};

const CHUNK = 500;

/** Written presences on the database. */
export function createSqlPresenceWriteStore(database: OpenDatabase): PresenceWriteStore {
  const db = database.db.withTables<PresenceWriteTables>() as unknown as Kysely<PresenceWriteTables>;
  const toRecord = (r: Selectable<PresenceWriteTables['presence_writes']>): WrittenPresence => ({
    userId: r.user_id,
    availability: r.availability,
    activity: r.activity,
    statusMessage: r.status_message,
    expiresAt: Number(r.expires_at),
  });
  return {
    async list(userIds) {
      if (userIds === null) return (await db.selectFrom('presence_writes').selectAll().execute()).map(toRecord);
      const out: WrittenPresence[] = [];
      for (let at = 0; at < userIds.length; at += CHUNK) {
        const ids = userIds.slice(at, at + CHUNK);
        if (ids.length === 0) continue;
        const rows = await db.selectFrom('presence_writes').selectAll().where('user_id', 'in', ids).execute();
        out.push(...rows.map(toRecord));
      }
      return out;
    },
    async put(r) {
      const row = {
        user_id: r.userId,
        availability: r.availability,
        activity: r.activity,
        status_message: r.statusMessage,
        expires_at: r.expiresAt,
      };
      await db
        .insertInto('presence_writes')
        .values(row)
        .onConflict((oc) =>
          oc.column('user_id').doUpdateSet({
            availability: row.availability,
            activity: row.activity,
            status_message: row.status_message,
            expires_at: row.expires_at,
          }),
        )
        .execute();
    },
    async remove(userId) {
      await db.deleteFrom('presence_writes').where('user_id', '=', userId).execute();
    },
  };
}
