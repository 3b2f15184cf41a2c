/**
 * Runs work that comes due at stored times: now when started, when kicked, and when the next due time arrives.
 * Concurrent requests share one run; a request during a run triggers one more round. Used by the outbox worker and
 * the time-out scheduler.
 */
import type { Logger } from 'pino';
import type { Clock } from '../ports/clock.js';

/** Options for {@link DueWorkLoop}. */
export interface DueWorkLoopOptions {
  /** Does everything due now; returns how much it did. */
  readonly runDue: () => Promise<number>;
  /** The next time something comes due, or null. */
  readonly nextDueAt: () => Promise<number | null>;
  readonly clock: Clock;
  readonly logger: Logger;
}

const MAX_TIMER_MS = 2_147_483_647;

export class DueWorkLoop {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;
  private again = false;
  private stopped = true;

  constructor(private readonly options: DueWorkLoopOptions) {}

  /** Runs until nothing more is due; returns how much was done. */
  async run(): Promise<number> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      let total = 0;
      do {
        this.again = false;
        total += await this.options.runDue();
      } while (this.again);
      return total;
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
    this.background();
  }

  /** Something new may be due (after a commit). */
  kick(): void {
    if (!this.stopped) this.background();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.running) await this.running.catch(() => 0);
  }

  private background(): void {
    this.run().catch((error: unknown) =>
      this.options.logger.error({ err: error }, 'background work failed; retrying when next due'),
    );
  }

  private schedule(): void {
    if (this.stopped) return;
    this.options.nextDueAt().then(
      (next) => {
        if (this.stopped || next === null) return;
        if (this.timer) clearTimeout(this.timer);
        const wait = Math.max(0, next - this.options.clock.now());
        this.timer = setTimeout(() => this.background(), Math.min(wait, MAX_TIMER_MS));
        this.timer.unref();
      },
      (error: unknown) => this.options.logger.error({ err: error }, 'could not read the next due time'),
    );
  }
}
