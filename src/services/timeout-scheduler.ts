/**
 * Fires invitation time-outs at their due times, from the durable due times in the store. At start it fires
 * every invitation that fell due while the connector was down. Due invitations are claimed (on PostgreSQL with
 * `FOR UPDATE SKIP LOCKED`), so replicas share the work; a claim whose replica stopped runs out and is taken again.
 * The engine refuses a time-out not yet due or already ended, so each fires exactly once.
 */
import type { Logger } from 'pino';
import type { Clock } from '../ports/clock.js';
import type { InteractionCommands } from '../ports/interaction-commands.js';
import type { InteractionStore } from '../ports/interaction-store.js';
import { DueWorkLoop } from './due-work-loop.js';

/** Options for {@link TimeoutScheduler}. */
export interface TimeoutSchedulerOptions {
  readonly store: InteractionStore;
  readonly commands: InteractionCommands;
  readonly clock: Clock;
  readonly logger: Logger;
  /** How long a claim on a due invitation holds before another replica may fire it. Default 30 s. */
  readonly leaseMs?: number | undefined;
}

export class TimeoutScheduler {
  private readonly loop: DueWorkLoop;

  constructor(private readonly options: TimeoutSchedulerOptions) {
    this.loop = new DueWorkLoop({
      runDue: () => this.fireOnce(),
      nextDueAt: () => options.store.nextDueAt(),
      clock: options.clock,
      logger: options.logger,
    });
  }

  /** Fires every due time-out; returns how many invitations timed out. */
  fireDue(): Promise<number> {
    return this.loop.run();
  }

  private async fireOnce(): Promise<number> {
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
