/**
 * Fires invitation time-outs at their due times, from the durable due times in the store. At start it fires
 * every invitation that fell due while the connector was down. The engine refuses a time-out not yet due or
 * already ended, so each fires exactly once.
 */
import type { Logger } from 'pino';
import type { Clock } from '../ports/clock.js';
import type { InteractionCommands } from '../ports/interaction-commands.js';
import type { InteractionStore } from '../ports/interaction-store.js';

/** Options for {@link TimeoutScheduler}. */
export interface TimeoutSchedulerOptions {
  readonly store: InteractionStore;
  readonly commands: InteractionCommands;
  readonly clock: Clock;
  readonly logger: Logger;
}

export class TimeoutScheduler {
  private timer: NodeJS.Timeout | null = null;
  private stopped = true;
  private running: Promise<number> | null = null;

  constructor(private readonly options: TimeoutSchedulerOptions) {}

  /** Fires every due time-out; returns how many invitations timed out. */
  async fireDue(): Promise<number> {
    if (this.running) return this.running;
    this.running = (async () => {
      const { store, commands, clock, logger } = this.options;
      let fired = 0;
      for (;;) {
        const due = await store.dueInvitations(clock.now(), 100);
        if (due.length === 0) break;
        for (const d of due) {
          const result = await commands.execute({
            type: 'Timeout',
            interactionId: d.interactionId,
            invitationId: d.invitationId,
          });
          if (result.ok) fired += 1;
          else logger.debug({ ...d, refusal: result.refusal.code }, 'time-out not applied');
        }
        if (due.length < 100) break;
      }
      return fired;
    })();
    try {
      return await this.running;
    } finally {
      this.running = null;
      this.schedule();
    }
  }

  start(): void {
    this.stopped = false;
    void this.fireDue();
  }

  /** Re-reads the next due time (after a commit that scheduled a time-out). */
  kick(): void {
    if (!this.stopped) this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.running) await this.running.catch(() => 0);
  }

  private schedule(): void {
    if (this.stopped) return;
    void this.options.store.nextDueAt().then((next) => {
      if (this.stopped || next === null) return;
      if (this.timer) clearTimeout(this.timer);
      const wait = Math.max(0, next - this.options.clock.now());
      this.timer = setTimeout(() => void this.fireDue(), Math.min(wait, 2_147_483_647));
      this.timer.unref();
    });
  }
}
