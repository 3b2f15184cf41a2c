/**
 * The migrations the connector adds to the engine's own (by name, applied in name order): one list shared by the
 * server and the CLI, so both open the same database the same way.
 */
import type { Migration } from 'kysely';
import type { Dialect } from './dialect.js';
import { agentApiMigration } from './migrations/100-agent-api.js';

/** The connector's extra migrations for a dialect. */
export function connectorMigrations(dialect: Dialect): Record<string, Migration> {
  return { '100-agent-api': agentApiMigration(dialect) };
}
