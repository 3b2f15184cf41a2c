/**
 * Fires invitation time-outs and the deadlines of requests waiting at routing points at their due times, from the
 * durable due times in the store. At start it fires every one that fell due while the connector was down. Due invitations are claimed (on PostgreSQL with
 * `FOR UPDATE SKIP LOCKED`), so replicas share the work; a claim whose replica stopped runs out and is taken again.
 * The engine refuses a time-out not yet due or already ended, so each fires exactly once.
 */
import type { Logger } from 'pino';
import type { Clock } from '../ports/clock.js';
import type { InteractionCommands } from '../ports/interaction-commands.js';
import type { InteractionStore } from '../ports/interaction-store.js';
import type { RoutingWaits } from '../ports/routing-waits.js';
import { DueWorkLoop } from './due-work-loop.js';

/** Options for {@link TimeoutScheduler}. */
export interface TimeoutSchedulerOptions {
  readonly store: InteractionStore;
  readonly commands: InteractionCommands;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Requests waiting at routing points: their deadlines fire here too (`WaitExpired`), claimed the same way. */
  readonly waits?: RoutingWaits | undefined;
  /** How long a claim on a due invitation or wait holds before another replica may fire it. Default 30 s. */
  readonly leaseMs?: number | undefined;
}

export class TimeoutScheduler {
  private readonly loop: DueWorkLoop;

  constructor(private readonly options: TimeoutSchedulerOptions) {
    this.loop = new DueWorkLoop({
      runDue: () => this.fireOnce(),
      nextDueAt: () => this.nextDueAt(),
      clock: options.clock,
      logger: options.logger,
    });
  }

  /** Fires every due time-out and wait deadline; returns how many took effect. */
  fireDue(): Promise<number> {
    return this.loop.run();
  }

  private async nextDueAt(): Promise<number | null> {
    const [invitations, waits] = await Promise.all([
      this.options.store.nextDueAt(),
      this.options.waits?.nextExpiryAt() ?? null,
    ]);
    if (invitations === null) return waits;
    return waits === null ? invitations : Math.min(invitations, waits);
  }

  private async fireOnce(): Promise<number> {
    return (await this.fireInvitations()) + (await this.fireWaits());
  }

  private async fireWaits(): Promise<number> {
    const { waits, commands, clock, logger } = this.options;
    if (!waits) return 0;
    let fired = 0;
    for (;;) {
      const due = await waits.claimExpired(clock.now(), 100, this.options.leaseMs ?? 30_000);
      for (const w of due) {
        const ix = await commands.get(w.interactionId);
        const requestId = ix?.request?.id;
        if (!requestId) continue;
        const result = await commands.execute({ type: 'WaitExpired', interactionId: w.interactionId, requestId });
        if (result.ok) fired += 1;
        else logger.debug({ ...w, refusal: result.refusal.code }, 'wait deadline not applied');
      }
      if (due.length < 100) return fired;
    }
  }

  private async fireInvitations(): Promise<number> {
    const { store, commands, clock, logger } = this.options;
    let fired = 0;
    for (;;) {
      const due = await store.claimDueInvitations(clock.now(), 100, this.options.leaseMs ?? 30_000);
      for (const d of due) {
        const result = await commands.execute({
          type: 'Timeout',
          interactionId: d.interactionId,
          invitationId: d.invitationId,
        });
        if (result.ok) fired += 1;
        else logger.debug({ ...d, refusal: result.refusal.code }, 'time-out not applied');
      }
      if (due.length < 100) return fired;
    }
  }

  start(): void {
    this.loop.start();
  }

  /** Fires what is due and re-reads the next due time. */
  kick(): void {
    this.loop.kick();
  }

  /** A time-out was scheduled for `dueAt` (here or on another replica): fires then, without reading the store now. */
  wakeAt(dueAt: number): void {
    this.loop.wakeAt(dueAt);
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }
}
