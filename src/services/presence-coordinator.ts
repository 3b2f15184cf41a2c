/**
 * Presence coordination among replicas on one database (the {@link PresenceCoordination} port): presence shards are
 * named leases kept by a {@link LeaseKeeper} (group `presence`), so one live replica holds each shard and another
 * takes it over when its holder stops renewing; observations and forwarded lifecycle notifications travel by
 * LISTEN/NOTIFY (topics `presence` and `presence-lifecycle`), gathered over one turn of the event loop and cut to fit
 * PostgreSQL's 8,000-byte payloads. A notification is lost only with the listening connection; the shards' holders
 * poll their users anyway, so a lost observation only delays a change on the other replicas until the next poll.
 */
import type { Logger } from 'pino';
import type { Leases } from '../ports/leases.js';
import type { NotificationBus } from '../ports/notification-bus.js';
import type {
  ForwardedLifecycle,
  PresenceCoordination,
  PresenceCoordinationEvents,
} from '../ports/presence/presence-coordination.js';
import { LeaseKeeper } from './lease-keeper.js';

/** Options for {@link createPresenceCoordinator}. */
export interface PresenceCoordinatorOptions {
  readonly bus: Pick<NotificationBus, 'on' | 'notify'>;
  readonly leases: Leases;
  /** This replica's id. */
  readonly replicaId: string;
  /** How long a shard lease lives without renewal; renewed every third of it. */
  readonly leaseMs: number;
  readonly logger: Logger;
}

/** An observation on the wire: user, availability, activity, sequence number, observed at, p(oll) / n(otification). */
type WireObservation = [string, string, string, string | null, number, 'p' | 'n'];

const MAX_PAYLOAD = 7_000;

/** Builds the coordinator; its topics are registered on the bus at once. */
export function createPresenceCoordinator(options: PresenceCoordinatorOptions): PresenceCoordination {
  const { bus, replicaId, logger } = options;
  let events: PresenceCoordinationEvents | null = null;
  let keeper: LeaseKeeper | null = null;
  const fromOther = (handler: (body: string) => void) => (payload: string) => {
    const at = payload.indexOf('\n');
    if (at < 0 || payload.slice(0, at) === replicaId) return;
    try {
      handler(payload.slice(at + 1));
    } catch (error) {
      logger.warn({ err: (error as Error).message }, 'unreadable presence notification from another replica');
    }
  };
  bus.on(
    'presence',
    fromOther((body) => {
      const list = JSON.parse(body) as WireObservation[];
      events?.observed(
        list.map(([userId, availability, activity, seq, observedAt, source]) => ({
          userId,
          availability,
          activity,
          sequenceNumber: seq ?? undefined,
          observedAt,
          source: source === 'n' ? 'notification' : 'poll',
        })),
      );
    }),
  );
  bus.on(
    'presence-lifecycle',
    fromOther((body) => {
      const item = JSON.parse(body) as ForwardedLifecycle;
      if (typeof item.subscriptionId === 'string' && typeof item.lifecycleEvent === 'string')
        events?.lifecycle({ subscriptionId: item.subscriptionId, lifecycleEvent: item.lifecycleEvent });
    }),
  );

  let pending: WireObservation[] = [];
  const send = (topic: string, body: string) =>
    bus
      .notify(topic, `${replicaId}\n${body}`)
      .catch((error: unknown) => logger.warn({ err: (error as Error).message, topic }, 'notify failed'));
  const flush = () => {
    const all = pending;
    pending = [];
    let chunk: WireObservation[] = [];
    let size = 2;
    for (const o of all) {
      const length = JSON.stringify(o).length + 1;
      if (chunk.length > 0 && size + length > MAX_PAYLOAD) {
        void send('presence', JSON.stringify(chunk));
        chunk = [];
        size = 2;
      }
      chunk.push(o);
      size += length;
    }
    if (chunk.length > 0) void send('presence', JSON.stringify(chunk));
  };

  return {
    start(shards, handlers) {
      events = handlers;
      keeper = new LeaseKeeper({
        leases: options.leases,
        owner: replicaId,
        group: 'presence',
        names: shards,
        ttlMs: options.leaseMs,
        logger,
        onAcquired: (shard) => handlers.acquired(shard),
        onLost: (shard) => handlers.lost(shard),
      });
      keeper.start();
    },
    share(observations) {
      if (observations.length === 0) return;
      if (pending.length === 0) setImmediate(flush);
      for (const o of observations)
        pending.push([
          o.userId,
          o.availability,
          o.activity,
          o.sequenceNumber ?? null,
          o.observedAt,
          o.source === 'notification' ? 'n' : 'p',
        ]);
    },
    forwardLifecycle(item) {
      void send('presence-lifecycle', JSON.stringify(item));
    },
    async stop() {
      await keeper?.stop();
      keeper = null;
      events = null;
    },
  };
}
