/**
 * The presence coordination port: what the presence engine needs when several replicas share one directory. Each
 * shard of users is held by one live replica at a time (it polls them and keeps their subscription); presence
 * observed anywhere (a poll, or a change notification that reached any replica) is shared with every replica, so
 * each one's tracker, and routing on it, sees every change; a lifecycle notification that reached a replica not
 * holding its subscription is handed to the others. Without coordination (one process) the engine holds every shard.
 */
import type { PresenceObservation } from '../../domain/presence/agent-state.js';

/** A lifecycle notification as forwarded between replicas. */
export interface ForwardedLifecycle {
  readonly subscriptionId: string;
  readonly lifecycleEvent: string;
}

/** What the coordination tells the engine. */
export interface PresenceCoordinationEvents {
  /** This replica now holds the shard: poll its users, keep its subscription, publish its changes. */
  acquired(shard: string): void;
  /** This replica no longer holds the shard (handed over, lost or stopping): stop its work. */
  lost(shard: string): void;
  /** Presence another replica observed. */
  observed(observations: readonly PresenceObservation[]): void;
  /** A lifecycle notification another replica received. */
  lifecycle(item: ForwardedLifecycle): void;
}

/** Shard ownership and presence fan-out among replicas. */
export interface PresenceCoordination {
  /** Starts holding a fair share of `shards` (by name) and listening to the others. */
  start(shards: readonly string[], events: PresenceCoordinationEvents): void;
  /** Shares presence observed here (from Graph) with every other replica. */
  share(observations: readonly PresenceObservation[]): void;
  /** Hands a lifecycle notification for a subscription this replica does not hold to the others. */
  forwardLifecycle(item: ForwardedLifecycle): void;
  /** Gives every shard up (the others take them over at once) and stops listening. */
  stop(): Promise<void>;
}
