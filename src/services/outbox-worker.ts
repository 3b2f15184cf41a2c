/**
 * Carries out the effects committed to the outbox: routing requests through the router, everything addressed to a
 * person through that person's channel. Effects of one interaction run in order; a failure is retried with
 * exponential backoff and holds back the interaction's later effects until it succeeds or is given up.
 * Claims are leased and, on PostgreSQL, taken with `FOR UPDATE SKIP LOCKED`, so replicas share the outbox and each
 * effect runs once; a crash between commit and execution re-executes (the lease runs out); ports dedupe by effect id.
 */
import type { Logger } from 'pino';
import type { Effect } from '../domain/interaction/effects.js';
import type { Clock } from '../ports/clock.js';
import type { InteractionCommands } from '../ports/interaction-commands.js';
import type { InteractionStore, OutboxItem } from '../ports/interaction-store.js';
import type { ParticipantChannel, PersonEffect } from '../ports/participant-channel.js';
import type { Router } from '../ports/router.js';
import { DueWorkLoop } from './due-work-loop.js';

/** Options for {@link OutboxWorker}. */
export interface OutboxWorkerOptions {
  readonly store: InteractionStore;
  readonly commands: InteractionCommands;
  readonly router: Router;
  readonly channels: {
    readonly 'knowledge-worker': ParticipantChannel;
    readonly agent: ParticipantChannel;
    readonly customer: ParticipantChannel;
  };
  readonly clock: Clock;
  readonly logger: Logger;
  /** Effects claimed per round. Default 100. */
  readonly batchSize?: number | undefined;
  /** How long a claim holds before another worker may take the effect. Default 60 s. */
  readonly leaseMs?: number | undefined;
  /** Attempts before an effect is given up (kept with status failed). Default 8. */
  readonly maxAttempts?: number | undefined;
  /** First retry delay, doubled each attempt, capped at 5 minutes. Default 1 s. */
  readonly retryBaseMs?: number | undefined;
}

export class OutboxWorker {
  private readonly loop: DueWorkLoop;

  constructor(private readonly options: OutboxWorkerOptions) {
    this.loop = new DueWorkLoop({
      runDue: async () => {
        let total = 0;
        for (let done = await this.runOnce(); done > 0; done = await this.runOnce()) total += done;
        return total;
      },
      nextDueAt: () => options.store.nextOutboxAt(),
      clock: options.clock,
      logger: options.logger,
    });
  }

  /** Runs until nothing is ready; returns how many effects ran. Concurrent calls share one run. */
  drain(): Promise<number> {
    return this.loop.run();
  }
  /** Claims one batch and carries it out; returns how many effects were claimed. */
  async runOnce(): Promise<number> {
    const { store, clock } = this.options;
    const items = await store.claimOutbox(clock.now(), this.options.batchSize ?? 100, this.options.leaseMs ?? 60_000);
    const byInteraction = new Map<string, OutboxItem[]>();
    for (const item of items)
      byInteraction.set(item.interactionId, [...(byInteraction.get(item.interactionId) ?? []), item]);
    await Promise.all([...byInteraction.values()].map((list) => this.runInOrder(list)));
    return items.length;
  }

  private async runInOrder(items: OutboxItem[]): Promise<void> {
    const { store, clock, logger } = this.options;
    for (const [n, item] of items.entries()) {
      try {
        await this.carryOut(item.id, item.effect);
        await store.completeOutbox(item.id);
      } catch (error) {
        const attempts = item.attempts + 1;
        const giveUp = attempts >= (this.options.maxAttempts ?? 8);
        const delay = Math.min((this.options.retryBaseMs ?? 1_000) * 2 ** (attempts - 1), 300_000);
        const message = error instanceof Error ? error.message : String(error);
        await store.failOutbox(item.id, message, clock.now() + delay, giveUp);
        logger.warn(
          { effectId: item.id, effect: item.effect.type, attempts, giveUp, err: message },
          giveUp ? 'effect given up' : 'effect failed; will retry',
        );
        // The later effects of this interaction wait behind it: their order is kept.
        await store.releaseOutbox(items.slice(n + 1).map((i) => i.id));
        return;
      }
    }
  }

  private async carryOut(id: string, effect: Effect): Promise<void> {
    switch (effect.type) {
      case 'RouteRequest': {
        const command = await this.options.router.route(effect);
        const result = await this.options.commands.execute(command);
        if (!result.ok)
          this.options.logger.debug({ effectId: id, refusal: result.refusal.code }, 'routing answer no longer needed');
        return;
      }
      case 'SendPreview':
      case 'UpdatePreview':
      case 'Deliver':
      case 'ReplayTranscript':
      case 'Notify':
        return this.channelFor(effect).send(id, effect);
      case 'RecordFact':
      case 'ScheduleTimeout':
        return;
    }
  }

  private channelFor(effect: PersonEffect): ParticipantChannel {
    return this.options.channels[effect.to.kind];
  }

  /** Starts working: now, after every kick, and when a retry comes due. */
  start(): void {
    this.loop.start();
  }

  /** Wakes the worker (after a commit). */
  kick(): void {
    this.loop.kick();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }
}
