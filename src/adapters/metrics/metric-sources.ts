/**
 * Where the metrics read from: counters the parts keep (the Graph client, the notification processor, the Teams
 * sender) and the presence tracker's staleness. Each source is optional; a part not running has no series.
 */
import type { PresenceTracker } from '../../domain/presence/presence-tracker.js';
import type { GraphClientStats } from '../graph/graph-client.js';
import type { BacklogState } from '../graph/notification-backlog.js';
import type { ProcessorStats } from '../graph/notification-processor.js';
import type { SubscriptionHealth } from '../graph/subscription-manager.js';
import type { SenderStats } from '../teams/rate-limited-sender.js';

/** How fresh the tracked presence is. */
export interface PresenceStaleness {
  /** Knowledge workers tracked. */
  readonly tracked: number;
  /** Tracked knowledge workers whose presence is Unknown (never confirmed, or not confirmed within the window). */
  readonly unknown: number;
  /** The age of the oldest confirmed presence, ms; null when none is confirmed. */
  readonly oldestConfirmationAgeMs: number | null;
}

/** The parts' counters, read at scrape time. A source answering undefined is skipped. */
export interface MetricSources {
  readonly graph?: (() => GraphClientStats | undefined) | undefined;
  readonly notifications?: (() => ProcessorStats | undefined) | undefined;
  readonly presence?: (() => PresenceStaleness | undefined) | undefined;
  readonly teams?: (() => SenderStats | undefined) | undefined;
  /** How the presence subscriptions held here stand. */
  readonly subscriptions?: (() => SubscriptionHealth | undefined) | undefined;
  /** Change notifications accepted but not yet processed (the inbox's size). */
  readonly notificationInbox?: (() => number | undefined) | undefined;
  /** The change-notification backlog in items, the age of its oldest, and what was shed to polling. */
  readonly notificationBacklog?: (() => BacklogState | undefined) | undefined;
}

/** Reads the staleness of every tracked user from a tracker at `now` (one pass over the users). */
export function presenceStaleness(tracker: PresenceTracker, now: number): PresenceStaleness {
  let unknown = 0;
  let oldest: number | null = null;
  for (const userId of tracker.userIds()) {
    const snap = tracker.snapshot(userId, now);
    if (!snap) continue;
    if (snap.state.kind === 'unknown') unknown++;
    if (snap.ageMs !== undefined && (oldest === null || snap.ageMs > oldest)) oldest = snap.ageMs;
  }
  return { tracked: tracker.size, unknown, oldestConfirmationAgeMs: oldest };
}
