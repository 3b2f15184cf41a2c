/**
 * The doctor's database check: the database at `DATABASE_URL` is reachable and every migration the connector
 * applies has been applied (nothing is migrated here).
 */
import { existsSync } from 'node:fs';
import { connectorMigrations } from '../../adapters/store/connector-migrations.js';
import { migrationStatus, type OpenDatabase, openDatabase } from '../../adapters/store/open-database.js';
import { isSqliteFile } from '../read-cli-config.js';
import { type CheckResult, describeFailure, failed, passed } from './check-result.js';

/** How long the database may take to answer. */
const DATABASE_DEADLINE_MS = 10_000;

function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error('no answer in time'), { name: 'TimeoutError' })), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/** Opens the database without migrating and checks its migrations; on success the open database is returned. */
export async function checkDatabase(url: string): Promise<{ result: CheckResult; database: OpenDatabase | null }> {
  const name = 'database';
  if (isSqliteFile(url) && !existsSync(url))
    return {
      result: failed(
        name,
        `there is no SQLite database at ${url}`,
        'start the connector once with this DATABASE_URL (it creates and migrates the database), or point DATABASE_URL at the existing one',
      ),
      database: null,
    };
  let database: OpenDatabase | null = null;
  try {
    database = await openDatabase({ url, migrate: false });
    const open = database;
    const status = await withDeadline(migrationStatus(open, connectorMigrations(open.dialect)), DATABASE_DEADLINE_MS);
    const pending = status.filter((m) => !m.applied).map((m) => m.name);
    if (pending.length > 0)
      return {
        result: failed(
          name,
          `${open.location} is reachable but ${pending.length} of ${status.length} migrations are not applied (${pending.join(', ')})`,
          'back up the database (docs/admin.md section 7), then start this version of the connector once: it applies migrations on start',
        ),
        database: open,
      };
    return {
      result: passed(name, `${open.location} is reachable; all ${status.length} migrations applied`),
      database: open,
    };
  } catch (error) {
    await database?.close().catch(() => undefined);
    return {
      result: failed(
        name,
        `the database at DATABASE_URL cannot be reached (${describeFailure(error)})`,
        'check DATABASE_URL (host, port, user, database name) and that the database server runs and accepts connections from this host',
      ),
      database: null,
    };
  }
}
