/**
 * Offers waiting requests as soon as someone can take them. A request that found no one at a routing point with a
 * wait (`waitMs`) stays open with a waiting entry in the database; whenever a member may have become available (a
 * presence change, a session end, a knowledge worker reachable again in Teams, new members from a group sync, a new
 * wait, a start), the waiting requests are routed again in their order: by routing point, higher priority first, then
 * arrival. The first to find someone is offered; the others keep their place, and a member with a preview pending
 * (a waiting request offered to them, here or on another replica) is not offered another until they answer. An offer of a request already offered
 * elsewhere (another replica woke too) is refused by the engine, so each is offered once.
 *
 * A wake costs nothing while nothing can be waiting: a pass that finds no waiting request remembers it, and only news
 * that a request may have begun waiting since (a wait committed here, or told by another replica, see
 * {@link WaitingRouter.waitBegan}) makes the next wake read again. A request begins waiting only by a commit that
 * schedules its wait's expiry, so that news is exact; while another replica's news may be missed (`trustIdle` false,
 * e.g. the listening connection is down), every wake reads.
 */
import type { Logger } from 'pino';
import { routeRequestOf } from '../domain/interaction/requests.js';
import type { InteractionCommands } from '../ports/interaction-commands.js';
import type { Router } from '../ports/router.js';
import type { RoutingWaits } from '../ports/routing-waits.js';

/** Options for {@link WaitingRouter}. */
export interface WaitingRouterOptions {
  readonly waits: RoutingWaits;
  readonly commands: InteractionCommands;
  readonly router: Router;
  readonly logger: Logger;
  /** Waiting requests looked at per pass, at most. Default 500. */
  readonly batchSize?: number | undefined;
  /**
   * Whether every wait begun elsewhere is being told to {@link WaitingRouter.waitBegan} (default: always, one
   * process); while false, wakes read even when the last pass found nothing waiting.
   */
  readonly trustIdle?: (() => boolean) | undefined;
}

/** Routes waiting requests again when someone may have become available. */
export class WaitingRouter {
  private running: Promise<number> | null = null;
  private again = false;
  private stopped = true;
  /** Counts the news that a request may have begun waiting (here or on another replica). */
  private waitNews = 0;
  /** {@link waitNews} when a pass last found nothing waiting (read after it); null while something may wait. */
  private idleAt: number | null = null;

  constructor(private readonly options: WaitingRouterOptions) {}

  /** Routes the waiting requests once more now, coalescing with a pass under way; resolves with the offers made. */
  offerWaiting(): Promise<number> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      let offers = 0;
      try {
        do {
          this.again = false;
          offers += await this.pass();
        } while (this.again);
        return offers;
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  /**
   * Someone may have become available: routes the waiting requests in the background (once started), unless
   * nothing can be waiting (then nothing is read).
   */
  wake(): void {
    if (this.stopped || this.nothingWaits()) return;
    this.offerWaiting().catch((err: unknown) => this.options.logger.error({ err }, 'routing waiting requests failed'));
  }

  /** A request may have begun waiting (a wait was committed here or on another replica): wakes, and reads. */
  waitBegan(): void {
    this.waitNews += 1;
    this.wake();
  }

  /** Whether the last pass found nothing waiting and no request may have begun waiting since. */
  nothingWaits(): boolean {
    return this.idleAt === this.waitNews && (this.options.trustIdle?.() ?? true);
  }

  /** Starts answering wakes, and routes what waits now (members may have become available while stopped). */
  start(): void {
    this.stopped = false;
    this.idleAt = null;
    this.wake();
  }

  /** Stops answering wakes; resolves when the pass under way has finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.running?.catch(() => 0);
  }

  private async pass(): Promise<number> {
    const { waits, commands, router, logger } = this.options;
    // Taken before the read: a wait told after it may be missing from what the read returns.
    const news = this.waitNews;
    const waiting = await waits.waiting(this.options.batchSize ?? 500);
    this.idleAt = waiting.length === 0 ? news : null;
    if (waiting.length === 0) return 0;
    /** Routing points where a request that excluded no one found no one: those behind it find no one either. */
    const empty = new Set<string>();
    /**
     * People with a preview pending (on any replica), and those offered a waiting request in this pass: a preview does
     * not make them Busy, but waiting requests wait for someone else (or for them to answer), so one free member takes
     * one waiting request at a time.
     */
    const taken = new Set<string>(await waits.invitedNow());
    let offers = 0;
    for (const w of waiting) {
      if (empty.has(w.routingPointId)) continue;
      const ix = await commands.get(w.interactionId);
      const req = ix?.request;
      if (!ix || !req?.waiting) continue;
      const routed = routeRequestOf(ix, req);
      const answer = await router.route({ ...routed, present: [...(routed.present ?? []), ...taken] });
      if (answer.type === 'Wait') {
        if (req.offered.length === 0) empty.add(w.routingPointId);
        continue;
      }
      const result = await commands.execute(answer);
      if (answer.type === 'Offer') for (const target of answer.targets) taken.add(target.id);
      if (result.ok && answer.type === 'Offer') offers += 1;
      if (!result.ok) logger.debug({ interactionId: ix.id, refusal: result.refusal.code }, 'waiting request moved on');
    }
    return offers;
  }
}
