/**
 * The interactions feature: the durable store (interactions, facts, the outbox) and the interaction service that
 * runs the engine on it. The service's `committed` event is the spine the other features subscribe to. Stopping it
 * closes the database, so it comes first in the feature list (stopped last).
 */
import { InteractionOwners } from '../adapters/store/interaction-owners.js';
import { createSqlInteractionStore } from '../adapters/store/sql-interaction-store.js';
import type { InteractionStore } from '../ports/interaction-store.js';
import { InteractionService } from '../services/interaction-service.js';
import type { Feature, Infrastructure } from './feature.js';

/** The built interactions feature. */
export interface Interactions extends Feature {
  readonly store: InteractionStore;
  readonly commands: InteractionService;
  /** Interactions' contact centers as the store learns them (the agent API's event log reads the rest). */
  readonly owners: InteractionOwners;
}

/** Builds the store and the interaction service on the open database. */
export function createInteractions(infra: Infrastructure): Interactions {
  const owners = new InteractionOwners();
  const store = createSqlInteractionStore(infra.database, owners);
  const commands = new InteractionService({
    store,
    clock: infra.clock,
    logger: infra.logger.child({ part: 'interactions' }),
  });
  return { name: 'interactions', store, commands, owners, stop: () => store.close() };
}
