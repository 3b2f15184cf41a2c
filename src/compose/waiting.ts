/**
 * The waiting feature: requests waiting at routing points (`waitMs`) are routed again, in their order, whenever a
 * member may have become available: a knowledge worker's presence changed, a session ended (here, or on another
 * replica), a knowledge worker became reachable in Teams again, a group sync added members, or a new wait was
 * committed (someone may have become available meanwhile). While nothing can be waiting (the last look found none,
 * and no wait was committed here or told by another replica since: `waits`), these wakes read nothing. Their
 * deadlines are fired by the time-out scheduler (`delivery.ts`).
 */
import type { InteractionService } from '../services/interaction-service.js';
import { WaitingRouter } from '../services/waiting-router.js';
import type { Directory } from './directory.js';
import type { Feature, Infrastructure } from './feature.js';
import type { Presence } from './presence.js';
import type { Routing } from './routing.js';
import type { ScaleOut } from './scale-out.js';
import type { Teams } from './teams.js';

/** The built waiting feature. */
export interface Waiting extends Feature {
  readonly router: WaitingRouter;
}

/** What {@link createWaiting} listens to and uses. */
export interface WaitingParts {
  readonly commands: InteractionService;
  readonly routing: Routing;
  readonly directory: Directory;
  readonly presence: Presence | null;
  readonly teams: Teams | null;
  readonly scaleOut: ScaleOut | null;
}

/** Builds the waiting router and subscribes it to everything that may make a member available. */
export function createWaiting(infra: Infrastructure, parts: WaitingParts): Waiting {
  const { scaleOut } = parts;
  const router = new WaitingRouter({
    waits: parts.routing.waits,
    commands: parts.commands,
    router: parts.routing.router,
    logger: infra.logger.child({ part: 'waiting' }),
    // Waits begun on other replicas are told (`waits`) while their notifications are heard.
    trustIdle: scaleOut ? () => scaleOut.signals.listening() : undefined,
  });
  const wake = () => router.wake();
  parts.commands.onCommitted((info) => {
    if (info.emitted.some((e) => e.type === 'ScheduleWaitExpiry')) router.waitBegan();
    else if (info.sessionsChanged.length > 0) wake();
  });
  parts.presence?.onStateChange(async (changes) => {
    if (changes.some((c) => c.state.kind === 'Ready')) wake();
  });
  parts.teams?.reach.onCleared(wake);
  parts.directory.onRebuilt(wake);
  scaleOut?.signals.on('sessions', wake);
  scaleOut?.signals.on('waits', () => router.waitBegan());
  return {
    name: 'waiting',
    router,
    start: () => router.start(),
    stop: () => router.stop(),
  };
}
