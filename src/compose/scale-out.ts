/**
 * The scale-out feature. On PostgreSQL, replicas share one database: due work is claimed with
 * `FOR UPDATE SKIP LOCKED` (in the store and the workers), and the replicas tell each other what changed through
 * LISTEN/NOTIFY ({@link ReplicaSignals}); the other features subscribe to those signals. Presence shards are shared
 * under leases ({@link createPresenceCoordinator}). On SQLite (one process) there is nothing to coordinate: null.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { LeaseStore } from '../adapters/store/lease-store.js';
import { PgNotifications } from '../adapters/store/pg-notifications.js';
import type { PresenceCoordination } from '../ports/presence/presence-coordination.js';
import type { InteractionService } from '../services/interaction-service.js';
import { createPresenceCoordinator } from '../services/presence-coordinator.js';
import { ReplicaSignals } from '../services/replica-signals.js';
import type { Feature, Infrastructure } from './feature.js';

/** The scale-out settings (the `scaleOut` section). */
export interface ScaleOutSlice {
  readonly databaseUrl: string;
  /** How long a shard lease lives without renewal. */
  readonly leaseMs: number;
  /** How often everything is woken anyway, in case a notification was lost. */
  readonly wakeEveryMs: number;
}

/** The scale-out side of one replica. */
export interface ScaleOut extends Feature {
  /** This process's replica id (unique per process start). */
  readonly replicaId: string;
  /** What the other replicas signal; features subscribe. */
  readonly signals: ReplicaSignals;
  /** Shard leases and presence shared among replicas (for the presence feature; built on first call). */
  coordinatePresence(): PresenceCoordination;
}

/** A replica id: host, process and a random part (a restarted process is a new replica). */
export function newReplicaId(): string {
  return `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`;
}

/** Builds the scale-out feature on PostgreSQL; null on SQLite. Every commit here is told to the other replicas. */
export function createScaleOut(
  slice: ScaleOutSlice,
  infra: Infrastructure,
  commands: Pick<InteractionService, 'onCommitted'>,
): ScaleOut | null {
  const { database, clock } = infra;
  if (database.dialect !== 'postgres') return null;
  const logger = infra.logger.child({ part: 'scale-out' });
  const replicaId = newReplicaId();
  const bus = new PgNotifications({ url: slice.databaseUrl, db: database.db, logger });
  const signals = new ReplicaSignals({ bus, replicaId, logger, recheckMs: slice.wakeEveryMs });
  commands.onCommitted((info) => signals.committed(info));
  let presence: PresenceCoordination | undefined;
  return {
    name: 'scale-out',
    replicaId,
    signals,
    coordinatePresence() {
      presence ??= createPresenceCoordinator({
        bus,
        leases: new LeaseStore(database.db, clock),
        replicaId,
        leaseMs: slice.leaseMs,
        logger: infra.logger.child({ part: 'presence-shards' }),
      });
      return presence;
    },
    start() {
      signals.start().catch((error: unknown) => logger.error({ err: error }, 'scale-out fan-out failed to start'));
    },
    stop: () => signals.stop(),
  };
}
