/**
 * The migrations of the connector's parts beyond the engine's own (`001`, `002`): the agent API's, the presence
 * engine's, reaching knowledge workers (Teams reachability, Entra group membership), sends to Teams in flight, routing state shared by replicas (round-robin cursors), requests waiting at routing points, the presences written to Teams, the agents' reported states and mediation time. Commands that open the database outside the running connector (`uc-connector presence sign-in`,
 * `uc-connector doctor`) use this list, so they migrate and check exactly what the connector does.
 */
import type { Migration } from 'kysely';
import type { Dialect } from './dialect.js';
import { agentApiMigration } from './migrations/100-agent-api.js';
import { presenceMigration } from './migrations/200-presence.js';
import { teamsReachMigration } from './migrations/300-teams-reach.js';
import { presenceRefusalsMigration } from './migrations/310-presence-refusals.js';
import { teamsSendsMigration } from './migrations/320-teams-sends.js';
import { routingStateMigration } from './migrations/330-routing-state.js';
import { routingWaitsMigration } from './migrations/340-routing-waits.js';
import { presenceWritesMigration } from './migrations/360-presence-writes.js';
import { agentStatesMigration } from './migrations/361-agent-states.js';
import { mediationTimeMigration } from './migrations/370-mediation-time.js';

/** The extra migrations by name for a dialect (pass to `openDatabase({ migrations })`). */
export function connectorMigrations(dialect: Dialect): Readonly<Record<string, Migration>> {
  return {
    '100-agent-api': agentApiMigration(dialect),
    '200-presence': presenceMigration,
    '300-teams-reach': teamsReachMigration,
    '310-presence-refusals': presenceRefusalsMigration,
    '320-teams-sends': teamsSendsMigration,
    '330-routing-state': routingStateMigration,
    '340-routing-waits': routingWaitsMigration,
    '360-presence-writes': presenceWritesMigration,
    '361-agent-states': agentStatesMigration,
    '370-mediation-time': mediationTimeMigration,
  };
}
