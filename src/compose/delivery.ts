/**
 * The delivery feature: the outbox worker, which carries committed effects out (routing requests through the router,
 * everything addressed to a person through that person's channel), and the time-out scheduler, which fires
 * invitation time-outs at their durable due times. Both wake on the interaction service's `committed` event and on
 * the other replicas' signals. The scheduler also fires the deadlines of requests waiting at routing points.
 */
import type { InteractionStore } from '../ports/interaction-store.js';
import type { ParticipantChannel } from '../ports/participant-channel.js';
import type { Router } from '../ports/router.js';
import type { RoutingWaits } from '../ports/routing-waits.js';
import type { InteractionService } from '../services/interaction-service.js';
import { OutboxWorker } from '../services/outbox-worker.js';
import { TimeoutScheduler } from '../services/timeout-scheduler.js';
import type { Feature, Infrastructure } from './feature.js';
import type { ScaleOut } from './scale-out.js';

/** The channel to each kind of person. */
export interface Channels {
  readonly 'knowledge-worker': ParticipantChannel;
  readonly agent: ParticipantChannel;
  readonly customer: ParticipantChannel;
}

/** The built delivery feature. */
export interface Delivery extends Feature {
  readonly outbox: OutboxWorker;
  readonly timeouts: TimeoutScheduler;
}

/** What {@link createDelivery} needs. */
export interface DeliveryParts {
  readonly store: InteractionStore;
  readonly commands: InteractionService;
  readonly router: Router;
  /** Requests waiting at routing points: the time-out scheduler fires their deadlines too. */
  readonly waits?: RoutingWaits | undefined;
  readonly channels: Channels;
  readonly scaleOut: ScaleOut | null;
}

/** Builds the outbox worker and the time-out scheduler. */
export function createDelivery(infra: Infrastructure, parts: DeliveryParts): Delivery {
  const { clock, logger } = infra;
  const { store, commands } = parts;
  const outbox = new OutboxWorker({
    store,
    commands,
    router: parts.router,
    channels: parts.channels,
    clock,
    logger: logger.child({ part: 'outbox' }),
  });
  const timeouts = new TimeoutScheduler({
    store,
    commands,
    clock,
    logger: logger.child({ part: 'timeouts' }),
    waits: parts.waits,
  });
  // A commit claims its effects for this worker, which runs them at once (no claim of their own).
  commands.claimAtCommit(() => outbox.commitLeaseMs());
  commands.onCommitted((info) => {
    outbox.runClaimed(info.claimed);
    if (info.heldBack.length > 0) outbox.heldBack(info.heldBack);
    if (info.effects) outbox.kick();
    if (info.nextTimeoutAt !== null) timeouts.wakeAt(info.nextTimeoutAt);
  });
  parts.scaleOut?.signals.on('recheck', () => outbox.recheck());
  parts.scaleOut?.signals.on('heldBack', (ids) => outbox.heldBack(ids));
  parts.scaleOut?.signals.on('timeouts', (dueAt) => (dueAt === null ? timeouts.kick() : timeouts.wakeAt(dueAt)));
  return {
    name: 'delivery',
    outbox,
    timeouts,
    start() {
      outbox.start();
      timeouts.start();
    },
    async stop() {
      await outbox.stop();
      await timeouts.stop();
    },
  };
}
