/**
 * Runs work that comes due at stored times: now when started, when kicked, and when the next due time arrives.
 * Concurrent requests share one run; a request during a run triggers one more round. A caller that knows a new due
 * time (a commit that scheduled one, here or on another replica) hands it to {@link DueWorkLoop.wakeAt}, which arms
 * the timer without reading the store. Used by the outbox worker and the time-out scheduler.
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
  /**
   * Whether the next due time is read after every run (default), or only after the first run and after
   * {@link DueWorkLoop.recheck}: for work whose future due times all come from this process ({@link DueWorkLoop.wakeAt})
   * or from a periodic recheck, this saves a read per run.
   */
  readonly readNextAfterEveryRun?: boolean | undefined;
}

const MAX_TIMER_MS = 2_147_483_647;

export class DueWorkLoop {
  private timer: NodeJS.Timeout | null = null;
  private timerAt: number | null = null;
  /** The earliest due time handed in since the last run started (the store may not have shown it yet). */
  private hint: number | null = null;
  private running: Promise<number> | null = null;
  private again = false;
  private stopped = true;
  private readNext = true;

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
        if (this.hint !== null && this.hint <= this.options.clock.now()) this.hint = null;
        total += await this.options.runDue();
      } while (this.again);
      return total;
    })();
    try {
      return await this.running;
    } finally {
      this.running = null;
      if (this.readNext || this.options.readNextAfterEveryRun !== false) {
        this.readNext = false;
        this.schedule();
      }
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

  /** Runs, then reads the next due time (for a periodic check: another process may have changed it). */
  recheck(): void {
    this.readNext = true;
    this.kick();
  }

  /** Something comes due at `at` (epoch ms): runs then, or now if it is due already. Reads nothing. */
  wakeAt(at: number): void {
    if (this.stopped) return;
    if (at <= this.options.clock.now()) {
      this.kick();
      return;
    }
    if (this.hint === null || at < this.hint) this.hint = at;
    if (this.timerAt === null || at < this.timerAt) this.arm(at);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.timerAt = null;
    if (this.running) await this.running.catch(() => 0);
  }

  /** Sets the one timer to `at`. */
  private arm(at: number): void {
    if (this.timer) clearTimeout(this.timer);
    const wait = Math.max(0, at - this.options.clock.now());
    this.timerAt = at;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.timerAt = null;
        this.background();
      },
      Math.min(wait, MAX_TIMER_MS),
    );
    this.timer.unref();
  }

  private background(): void {
    this.run().catch((error: unknown) =>
      this.options.logger.error({ err: error }, 'background work failed; retrying when next due'),
    );
  }

  private schedule(): void {
    if (this.stopped) return;
    this.options.nextDueAt().then(
      (stored) => {
        const next = stored === null ? this.hint : this.hint === null ? stored : Math.min(stored, this.hint);
        if (this.stopped || next === null) return;
        this.arm(next);
      },
      (error: unknown) => this.options.logger.error({ err: error }, 'could not read the next due time'),
    );
  }
}
