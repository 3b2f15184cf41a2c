/**
 * The doctor's database checks: the database at `DATABASE_URL` is reachable and every migration the connector
 * applies has been applied (nothing is migrated here); and which knowledge workers cannot be reached in Teams
 * because the bot has no conversation with them (the app was never installed for them, or was removed).
 */
import { existsSync } from 'node:fs';
import { connectorMigrations } from '../../adapters/store/connector-migrations.js';
import { migrationStatus, type OpenDatabase, openDatabase } from '../../adapters/store/open-database.js';
import type { KnowledgeWorker } from '../../domain/routing/knowledge-worker.js';
import { isSqliteFile } from '../read-cli-config.js';
import { type CheckResult, describeFailure, failed, passed, skipped } from './check-result.js';

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

/** Directory knowledge workers without a conversation reference: the bot cannot message them. */
export async function checkTeamsReach(
  database: OpenDatabase | null,
  teamsConfigured: boolean,
  knowledgeWorkers: readonly KnowledgeWorker[],
): Promise<CheckResult> {
  const name = 'knowledge workers reachable in Teams';
  if (!teamsConfigured) return skipped(name, 'no teams section in the configuration: the Teams bot is off');
  if (!database) return skipped(name, 'needs the database, where the conversations with the bot are kept');
  if (knowledgeWorkers.length === 0) return passed(name, 'the directory has no knowledge workers yet');
  let known: Set<string>;
  try {
    const rows = await database.db.selectFrom('conversation_refs').select('user_id').execute();
    known = new Set(rows.map((r) => r.user_id));
  } catch (error) {
    return failed(name, `conversations could not be read (${describeFailure(error)})`, 'fix the database check first');
  }
  const missing = knowledgeWorkers.filter((kw) => !known.has(kw.id));
  if (missing.length === 0)
    return passed(name, `all ${knowledgeWorkers.length} knowledge workers have a conversation with the bot`);
  const shown = missing.slice(0, 10).map((kw) => `${kw.name} (${kw.id})`);
  const more = missing.length > shown.length ? `, and ${missing.length - shown.length} more` : '';
  return failed(
    name,
    `${missing.length} of ${knowledgeWorkers.length} cannot be reached: ${shown.join(', ')}${more} — the bot has no conversation with them: the Teams app is not installed for them, or they removed it`,
    'install the app for them with an app setup policy (Teams admin center → Teams apps → Setup policies; docs/admin.md section 5); each becomes reachable when Teams tells the bot about the installation',
  );
}
