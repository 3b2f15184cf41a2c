/**
 * Carries out the effects committed to the outbox: routing requests through the router, everything addressed to a
 * person through the `ParticipantChannel` of that person's kind. Effects of one interaction run in order; a failure is retried with
 * exponential backoff and holds back the interaction's later effects until it succeeds or is given up.
 * Claims are leased and, on PostgreSQL, taken with `FOR UPDATE SKIP LOCKED`, so replicas share the outbox and each
 * effect runs once; a crash between commit and execution re-executes (the lease runs out); ports dedupe by effect id.
 *
 * Running in the background, the worker keeps claiming while earlier effects are still being carried out (up to
 * `maxInFlight`), so a slow effect of one interaction never holds back another interaction's; effects finished in
 * the same turn of the event loop are marked done in one write. Effects a commit here claimed for it at commit
 * ({@link OutboxWorker.runClaimed}) start with no claim at all; effects a commit left behind earlier pending ones of
 * their interaction are claimed by whoever runs those, when they end ({@link OutboxWorker.heldBack}).
 */
import type { Logger } from 'pino';
import type { Effect } from '../domain/interaction/effects.js';
import type { Clock } from '../ports/clock.js';
import type { CommandResult, InteractionCommands } from '../ports/interaction-commands.js';
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
  /** Effects being carried out at once, at most. Default 200. */
  readonly maxInFlight?: number | undefined;
  /** How long a claim holds before another worker may take the effect. Default 60 s. */
  readonly leaseMs?: number | undefined;
  /** Attempts before an effect is given up (kept with status failed). Default 8. */
  readonly maxAttempts?: number | undefined;
  /** First retry delay, doubled each attempt, capped at 5 minutes. Default 1 s. */
  readonly retryBaseMs?: number | undefined;
}

/** How long a claim holds by default before another worker may take the effect. */
export const OUTBOX_LEASE_MS = 60_000;

/** How long an interaction whose effects finished here is remembered, for a notice of effects held behind them. */
const FINISHED_MEMORY_MS = 30_000;

export class OutboxWorker {
  private readonly loop: DueWorkLoop;
  private readonly inFlight = new Set<Promise<void>>();
  private running = 0;
  private done: { ids: string[]; written: Promise<void> } | null = null;
  #started = false;
  /** Chains running here, by interaction. */
  readonly #chains = new Map<string, number>();
  /** Interactions with effects held behind a chain running here: claimed when it ends. */
  readonly #claimAfter = new Set<string>();
  /** When each interaction's last chain here ended (oldest first). */
  readonly #finished = new Map<string, number>();
  /** Claims in progress, and the notices of held-back effects that arrived meanwhile. */
  #claiming = 0;
  readonly #noticedWhileClaiming = new Set<string>();
  /** A claim round stopped for want of room: the next chain to end claims again. */
  #starved = false;

  constructor(private readonly options: OutboxWorkerOptions) {
    this.loop = new DueWorkLoop({
      runDue: () => this.claimAndStart(),
      nextDueAt: () => options.store.nextOutboxAt(),
      clock: options.clock,
      logger: options.logger,
      // Retries are scheduled here (wakeAt); claims of a stopped replica run out and are found by recheck().
      readNextAfterEveryRun: false,
    });
  }

  /** Runs until nothing is ready and nothing is in flight; returns how many effects ran. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      // A round that starts after every chain has finished sees all they committed (joining a running round asks
      // it for one more).
      await Promise.all(this.inFlight);
      const claimed = await this.loop.run();
      total += claimed;
      if (claimed === 0 && this.inFlight.size === 0) return total;
    }
  }

  /** Claims while there is room, starting each batch at once; returns how many effects were claimed. */
  private async claimAndStart(): Promise<number> {
    const max = this.options.maxInFlight ?? 200;
    let total = 0;
    for (;;) {
      const room = Math.min(this.options.batchSize ?? 100, max - this.running);
      if (room <= 0) {
        this.#starved = true;
        return total;
      }
      this.#claiming++;
      let items: OutboxItem[];
      try {
        items = await this.claim(room);
      } finally {
        this.#claiming--;
      }
      this.startAll(items);
      total += items.length;
      // Notices that came while the claim ran: their interactions may have just been claimed here.
      if (this.#claiming === 0 && this.#noticedWhileClaiming.size > 0) {
        const noticed = [...this.#noticedWhileClaiming];
        this.#noticedWhileClaiming.clear();
        for (const id of noticed) if (this.#chains.has(id)) this.#claimAfter.add(id);
      }
      // A claim that took fewer than it could found everything ready: claiming again would find nothing.
      if (items.length < room) return total;
    }
  }

  /**
   * Carries out effects a commit here claimed for this worker (see `InteractionService.claimAtCommit`): they start at
   * once, with no claim of their own.
   */
  runClaimed(items: readonly OutboxItem[]): void {
    if (items.length > 0) this.startAll(items);
  }

  /**
   * The lease commits here claim their effects for while this worker runs (undefined while it is stopped: its
   * effects are then left to be claimed).
   */
  commitLeaseMs(): number | undefined {
    return this.#started ? (this.options.leaseMs ?? OUTBOX_LEASE_MS) : undefined;
  }

  /**
   * A commit (here or on another replica) left these interactions' new effects unclaimed, behind earlier pending
   * ones. Where the earlier ones run here, the new ones are claimed as soon as they end; where they have just ended
   * here, at once. Elsewhere, whoever holds them does the same (a retry's wake-up or a lease running out covers the
   * rest).
   */
  heldBack(interactionIds: readonly string[]): void {
    let claimNow = false;
    const recent = this.options.clock.now() - FINISHED_MEMORY_MS;
    for (const id of interactionIds) {
      if (this.#chains.has(id)) this.#claimAfter.add(id);
      else if ((this.#finished.get(id) ?? Number.NEGATIVE_INFINITY) >= recent) claimNow = true;
      else if (this.#claiming > 0) this.#noticedWhileClaiming.add(id);
    }
    if (claimNow) this.loop.kick();
  }

  private claim(limit: number): Promise<OutboxItem[]> {
    const { store, clock } = this.options;
    return store.claimOutbox(clock.now(), limit, this.options.leaseMs ?? OUTBOX_LEASE_MS);
  }

  /**
   * Starts each interaction's effects in order. A chain that ends claims again only when effects were held behind it
   * (a notice came: {@link heldBack}) or a claim round found no room.
   */
  private startAll(items: readonly OutboxItem[]): void {
    const byInteraction = new Map<string, OutboxItem[]>();
    for (const item of items)
      byInteraction.set(item.interactionId, [...(byInteraction.get(item.interactionId) ?? []), item]);
    for (const [interactionId, list] of byInteraction) {
      this.running += list.length;
      this.#chains.set(interactionId, (this.#chains.get(interactionId) ?? 0) + 1);
      const chain: Promise<void> = this.runInOrder(list)
        .catch((error: unknown) => {
          // Its effects stay claimed until the lease runs out; then they are claimed again.
          this.options.logger.error({ err: error }, 'outbox chain failed; retried when its claim runs out');
          this.loop.wakeAt(this.options.clock.now() + (this.options.leaseMs ?? OUTBOX_LEASE_MS));
        })
        .finally(() => {
          this.running -= list.length;
          this.inFlight.delete(chain);
          if (this.#chainEnded(interactionId) || this.#starved) {
            this.#starved = false;
            this.loop.kick();
          }
        });
      this.inFlight.add(chain);
    }
  }

  /** Books the end of a chain; true when effects were held behind it (claim them now). */
  #chainEnded(interactionId: string): boolean {
    const left = (this.#chains.get(interactionId) ?? 1) - 1;
    if (left > 0) {
      this.#chains.set(interactionId, left);
      return false;
    }
    this.#chains.delete(interactionId);
    const now = this.options.clock.now();
    this.#finished.delete(interactionId);
    this.#finished.set(interactionId, now);
    for (const [id, at] of this.#finished) {
      if (at >= now - FINISHED_MEMORY_MS && this.#finished.size <= 10_000) break;
      this.#finished.delete(id);
    }
    return this.#claimAfter.delete(interactionId);
  }

  /**
   * Carries out one interaction's effects in order; those carried out are marked done together when the chain ends
   * (or before a failure is recorded). A crash before that re-executes them, as ports dedupe by effect id.
   */
  private async runInOrder(items: OutboxItem[]): Promise<void> {
    const { store, clock, logger } = this.options;
    const done: string[] = [];
    for (const [n, item] of items.entries()) {
      try {
        if (await this.carryOut(item.id, item.effect)) continue;
      } catch (error) {
        const attempts = item.attempts + 1;
        const giveUp = attempts >= (this.options.maxAttempts ?? 8);
        const delay = Math.min((this.options.retryBaseMs ?? 1_000) * 2 ** (attempts - 1), 300_000);
        const message = error instanceof Error ? error.message : String(error);
        if (done.length > 0) await this.markDone(done);
        await store.failOutbox(item.id, message, clock.now() + delay, giveUp);
        if (!giveUp) this.loop.wakeAt(clock.now() + delay);
        logger.warn(
          { effectId: item.id, effect: item.effect.type, attempts, giveUp, err: message },
          giveUp ? 'effect given up' : 'effect failed; will retry',
        );
        // The later effects of this interaction wait behind it: their order is kept.
        await store.releaseOutbox(items.slice(n + 1).map((i) => i.id));
        return;
      }
      done.push(item.id);
    }
    if (done.length > 0) await this.markDone(done);
  }

  /** Marks carried-out effects done; those finished in the same turn of the event loop share one write. */
  private markDone(ids: readonly string[]): Promise<void> {
    if (this.done) {
      this.done.ids.push(...ids);
      return this.done.written;
    }
    const batch = [...ids];
    const written = new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      this.done = null;
      return this.options.store.completeOutbox(batch);
    });
    this.done = { ids: batch, written };
    return written;
  }

  /** Carries out one effect; true when it was marked done already (in the commit of the command it ran). */
  private async carryOut(id: string, effect: Effect): Promise<boolean> {
    const committed = (r: CommandResult) => r.ok && r.interactions.length > 0;
    switch (effect.type) {
      case 'RouteRequest': {
        const command = await this.options.router.route(effect);
        // The answer's commit marks this effect done, and its effects do not wait for this one.
        const result = await this.options.commands.execute(command, undefined, { carryingOut: id });
        if (result.ok) return committed(result);
        const code = result.refusal.code;
        const stale = code === 'unknown-request' || code === 'interaction-ended' || code === 'request-pending';
        if (command.type === 'Offer' && !stale) {
          // An offer the engine will not make (someone already in the interaction): the request fails, the requester
          // is told, rather than waiting for an answer that cannot come.
          const failed = await this.options.commands.execute(
            {
              type: 'RoutingFailed',
              interactionId: command.interactionId,
              requestId: command.requestId,
              reasons: [result.refusal.message],
            },
            undefined,
            { carryingOut: id },
          );
          this.options.logger.warn({ effectId: id, refusal: code, failed: failed.ok }, 'routing answer refused');
          return committed(failed);
        }
        this.options.logger.debug({ effectId: id, refusal: code }, 'routing answer no longer needed');
        return false;
      }
      case 'SendPreview':
      case 'UpdatePreview':
      case 'Deliver':
      case 'ReplayTranscript':
      case 'Notify':
        await this.channelFor(effect).send(id, effect);
        return false;
      case 'RecordFact':
      case 'ScheduleTimeout':
      case 'ScheduleWaitExpiry':
        return false;
    }
  }

  private channelFor(effect: PersonEffect): ParticipantChannel {
    return this.options.channels[effect.to.kind];
  }

  /** Starts working: now, after every kick, and when a retry comes due. */
  start(): void {
    this.#started = true;
    this.loop.start();
  }

  /** Wakes the worker (after a commit). */
  kick(): void {
    this.loop.kick();
  }

  /** Wakes the worker and re-reads when the next effect comes due (claims of a stopped replica run out). */
  recheck(): void {
    this.loop.recheck();
  }

  /** Stops claiming; resolves when the effects in flight have finished. */
  async stop(): Promise<void> {
    this.#started = false;
    await this.loop.stop();
    await Promise.all(this.inFlight);
  }
}
