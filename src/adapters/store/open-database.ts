/**
 * Opens the database the configuration names: a SQLite file (the embedded default, WAL mode) or a PostgreSQL
 * server (`postgres://…`), then runs the migrations. PostgreSQL migrations run under an advisory lock so that
 * replicas starting together migrate once.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, type Migration, type MigrationProvider, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import type { Dialect } from './dialect.js';
import { interactionsMigration } from './migrations/001-interactions.js';
import { teamsMigration } from './migrations/002-teams.js';
import { scaleOutMigration } from './migrations/200-scale-out.js';
import type { Database } from './schema.js';

/** An open database. */
export interface OpenDatabase {
  readonly db: Kysely<Database>;
  readonly dialect: Dialect;
  /** Where it lives, with any password removed (safe to log). */
  readonly location: string;
  close(): Promise<void>;
}

/** Options for {@link openDatabase}. */
export interface OpenDatabaseOptions {
  /** `postgres://…` for a PostgreSQL server, otherwise a SQLite file path (`:memory:` for a throwaway one). */
  readonly url: string;
  /**
   * Extra migrations from other parts of the connector, by name (applied in name order after the engine's), or a
   * function of the dialect that returns them.
   */
  readonly migrations?:
    | Readonly<Record<string, Migration>>
    | ((dialect: Dialect) => Readonly<Record<string, Migration>>)
    | undefined;
  /** Apply pending migrations on open (default true). False only connects, e.g. to inspect with {@link migrationStatus}. */
  readonly migrate?: boolean | undefined;
}

const MIGRATION_LOCK = 727_001;

/** Every migration, by name, for a dialect. */
export function migrationsFor(
  dialect: Dialect,
  extra: Readonly<Record<string, Migration>> = {},
): Record<string, Migration> {
  return {
    '001-interactions': interactionsMigration(dialect),
    '002-teams': teamsMigration,
    ...extra,
    '200-scale-out': scaleOutMigration,
  };
}

/** Opens and migrates the database. Throws with the cause if the database cannot be reached or migrated. */
export async function openDatabase(options: OpenDatabaseOptions): Promise<OpenDatabase> {
  const isPostgres = /^postgres(ql)?:\/\//.test(options.url);
  const dialect: Dialect = isPostgres ? 'postgres' : 'sqlite';
  let db: Kysely<Database>;
  let location: string;
  if (isPostgres) {
    // int8 columns hold epoch milliseconds: safe as JavaScript numbers.
    pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number.parseInt(v, 10));
    const pool = new pg.Pool({ connectionString: options.url, max: 10 });
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    const u = new URL(options.url);
    u.password = '';
    location = u.toString();
  } else {
    if (options.url !== ':memory:') mkdirSync(path.dirname(path.resolve(options.url)), { recursive: true });
    const file = new SQLite(options.url);
    file.pragma('journal_mode = WAL');
    file.pragma('synchronous = NORMAL');
    file.pragma('busy_timeout = 5000');
    db = new Kysely<Database>({ dialect: new SqliteDialect({ database: file }) });
    location = options.url === ':memory:' ? 'in-memory SQLite' : path.resolve(options.url);
  }
  try {
    const extra = typeof options.migrations === 'function' ? options.migrations(dialect) : options.migrations;
    if (options.migrate !== false) await migrate(db, dialect, migrationsFor(dialect, extra));
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return { db, dialect, location, close: () => db.destroy() };
}

/** A Kysely migrator over `migrations`, with its tables where {@link openDatabase} keeps them. */
async function migratorFor(
  target: Kysely<Database>,
  dialect: Dialect,
  migrations: Record<string, Migration>,
): Promise<Migrator> {
  const provider: MigrationProvider = { getMigrations: async () => migrations };
  // On PostgreSQL the migration tables live in the connection's current schema (not any schema that has them).
  const schema =
    dialect === 'postgres'
      ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(target)).rows[0]?.schema
      : undefined;
  // The engine's and the parts' migrations are numbered apart (001…, 100…, 200…): a release may add one below a
  // part's that is already applied, so order is by name, not required to follow the last executed one.
  return new Migrator({
    db: target,
    provider,
    allowUnorderedMigrations: true,
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
}

/** Which of the migrations have been applied to an open database, in order; throws when it cannot be reached. */
export async function migrationStatus(
  database: OpenDatabase,
  extra: Readonly<Record<string, Migration>> = {},
): Promise<{ readonly name: string; readonly applied: boolean }[]> {
  const migrator = await migratorFor(database.db, database.dialect, migrationsFor(database.dialect, extra));
  return (await migrator.getMigrations()).map((m) => ({ name: m.name, applied: m.executedAt !== undefined }));
}

async function migrate(db: Kysely<Database>, dialect: Dialect, migrations: Record<string, Migration>): Promise<void> {
  const run = async (target: Kysely<Database>) => {
    const migrator = await migratorFor(target, dialect, migrations);
    const { error, results } = await migrator.migrateToLatest();
    const failed = results?.find((r) => r.status === 'Error');
    if (error) throw new Error(`database migration ${failed?.migrationName ?? ''} failed`, { cause: error });
  };
  if (dialect === 'sqlite') return run(db);
  await db.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK})`.execute(conn);
    try {
      await run(conn);
    } finally {
      await sql`select pg_advisory_unlock(${MIGRATION_LOCK})`.execute(conn);
    }
  });
}
