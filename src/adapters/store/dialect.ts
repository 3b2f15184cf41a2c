/** The database dialects the store speaks, and how to tell which one a Kysely instance talks to. */
import { type Kysely, PostgresAdapter } from 'kysely';

/** The database dialects the store speaks. */
export type Dialect = 'sqlite' | 'postgres';

/** The dialect of an open Kysely instance (for code handed only the instance). */
export function dialectOf<DB>(db: Kysely<DB>): Dialect {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}
