/**
 * Delivers the webhook outbox: each (endpoint, event) is POSTed as a CloudEvents 1.0 JSON document signed as the
 * Standard Webhooks spec says (`webhook-id` = the event id, `webhook-timestamp`, `webhook-signature`). A non-2xx
 * answer or a network error is retried with exponential backoff until `maxAttempts`: at least once, so receivers
 * deduplicate by `webhook-id`. Claims are leased and taken with `FOR UPDATE SKIP LOCKED` on PostgreSQL, so replicas on
 * one database share the work and each delivery is attempted by one replica at a time. Unless private targets are
 * allowed, the target's host is resolved before each attempt: one that resolves to a loopback, private, link-local
 * or unspecified address (DNS rebinding since it was registered) is not sent to, and the delivery is recorded as
 * failed at once with the reason.
 */
import { sql } from 'kysely';
import type { Logger } from 'pino';
import { Webhook } from 'standardwebhooks';
import type { Clock } from '../../ports/clock.js';
import type { AgentApiDb } from '../store/agent-api-schema.js';
import { dialectOf } from '../store/dialect.js';
import type { AppendedSignal, EventLog } from '../store/event-log.js';
import { toCloudEvent } from './cloud-event.js';
import { type ResolveHost, refusedTarget } from './webhook-target.js';

/** Options for {@link WebhookWorker}. */
export interface WebhookWorkerOptions {
  readonly db: AgentApiDb;
  readonly log: EventLog;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Attempts before a delivery is given up (status failed). */
  readonly maxAttempts: number;
  /** First retry delay, doubled per attempt, capped at one hour. */
  readonly retryBaseMs: number;
  /** Per-request timeout. */
  readonly timeoutMs: number;
  /** Deliveries claimed per round. Default 50. */
  readonly batchSize?: number | undefined;
  /** The HTTP client (default: global fetch). */
  readonly fetch?: typeof fetch | undefined;
  /** Whether targets on loopback, private, link-local or unspecified addresses are sent to. */
  readonly allowPrivateTargets: boolean;
  /** Resolves target hosts before a delivery (default: the system resolver, as fetch uses). */
  readonly resolve?: ResolveHost | undefined;
}

/** The outcome of one round. */
export interface DeliveryRound {
  readonly delivered: number;
  readonly failed: number;
}

export class WebhookWorker {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<DeliveryRound> | null = null;
  private stopped = true;

  private readonly isPostgres: boolean;

  constructor(private readonly options: WebhookWorkerOptions) {
    this.isPostgres = dialectOf(options.db) === 'postgres';
  }

  /** Delivers everything due now, round after round; concurrent calls share one run. */
  async drain(): Promise<DeliveryRound> {
    if (this.running) return this.running;
    this.running = (async () => {
      let delivered = 0;
      let failed = 0;
      for (;;) {
        const round = await this.runOnce();
        delivered += round.delivered;
        failed += round.failed;
        if (round.delivered + round.failed === 0) return { delivered, failed };
      }
    })();
    try {
      return await this.running;
    } finally {
      this.running = null;
      this.schedule();
    }
  }

  /** Claims and delivers one batch of due deliveries. */
  async runOnce(): Promise<DeliveryRound> {
    const { db, clock } = this.options;
    const now = clock.now();
    const lease = now + this.options.timeoutMs * 2;
    const due = await db.transaction().execute(async (trx) => {
      // Locked on PostgreSQL (`FOR UPDATE OF d SKIP LOCKED`): replicas claiming at once take different deliveries.
      let query = trx
        .selectFrom('webhook_deliveries as d')
        .innerJoin('webhook_subscriptions as s', 's.id', 'd.subscription_id')
        .select(['d.subscription_id', 'd.event_seq', 'd.attempts', 's.url', 's.secret', 's.deleted_at'])
        .where('d.status', '=', 'pending')
        .where('d.next_at', '<=', now)
        .where((eb) => eb.or([eb('d.claimed_until', 'is', null), eb('d.claimed_until', '<', now)]))
        .orderBy('d.event_seq')
        .limit(this.options.batchSize ?? 50);
      if (this.isPostgres) query = query.forUpdate('d').skipLocked();
      const rows = await query.execute();
      if (rows.length === 0) return rows;
      await trx
        .updateTable('webhook_deliveries')
        .set({ claimed_until: lease })
        .where((eb) =>
          eb.or(
            rows.map((r) => eb.and([eb('subscription_id', '=', r.subscription_id), eb('event_seq', '=', r.event_seq)])),
          ),
        )
        .execute();
      return rows;
    });
    let delivered = 0;
    let failed = 0;
    await Promise.all(
      due.map(async (d) => {
        const key = { subscription_id: d.subscription_id, event_seq: d.event_seq };
        if (d.deleted_at !== null) return this.finish(key, 'cancelled', d.attempts, null);
        const refused = this.options.allowPrivateTargets ? null : await refusedTarget(d.url, this.options.resolve);
        if (refused) {
          failed++;
          this.options.logger.warn(
            { webhook: d.subscription_id, eventId: String(d.event_seq), reason: refused },
            'webhook delivery refused: the target is an internal address',
          );
          return this.finish(key, 'failed', d.attempts + 1, `refused target: ${refused}`);
        }
        const error = await this.post(d.url, d.secret, Number(d.event_seq));
        if (error === null) {
          delivered++;
          return this.finish(key, 'delivered', d.attempts + 1, null);
        }
        failed++;
        const attempts = d.attempts + 1;
        const giveUp = attempts >= this.options.maxAttempts;
        this.options.logger.warn(
          { webhook: d.subscription_id, eventId: String(d.event_seq), attempts, giveUp, err: error },
          giveUp ? 'webhook delivery given up' : 'webhook delivery failed; will retry',
        );
        const delay = Math.min(this.options.retryBaseMs * 2 ** (attempts - 1), 3_600_000);
        return this.finish(key, giveUp ? 'failed' : 'pending', attempts, error, clock.now() + delay);
      }),
    );
    return { delivered, failed };
  }

  private async finish(
    key: { subscription_id: string; event_seq: number },
    status: string,
    attempts: number,
    error: string | null,
    nextAt?: number,
  ): Promise<void> {
    await this.options.db
      .updateTable('webhook_deliveries')
      .set({
        status,
        attempts,
        last_error: error,
        claimed_until: null,
        ...(nextAt !== undefined ? { next_at: nextAt } : {}),
      })
      .where('subscription_id', '=', key.subscription_id)
      .where('event_seq', '=', key.event_seq)
      .execute();
  }

  /** POSTs one event; null on a 2xx, else why it failed (no secrets, no response bodies). */
  private async post(url: string, secret: string, seq: number): Promise<string | null> {
    const event = await this.options.log.get(seq);
    if (!event) return 'event missing';
    const payload = JSON.stringify(toCloudEvent(event));
    const sentAt = new Date(this.options.clock.now());
    const signature = new Webhook(secret).sign(event.id, sentAt, payload);
    try {
      const response = await (this.options.fetch ?? fetch)(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/cloudevents+json',
          'webhook-id': event.id,
          'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
          'webhook-signature': signature,
        },
        body: payload,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      await response.arrayBuffer().catch(() => undefined);
      return response.ok ? null : `HTTP ${response.status}`;
    } catch (error) {
      return error instanceof Error ? `${error.name}: ${error.message}` : 'network error';
    }
  }

  /** Counts deliveries by status (for health and tests). */
  async counts(): Promise<Record<string, number>> {
    const rows = await this.options.db
      .selectFrom('webhook_deliveries')
      .select((eb) => ['status', eb.fn.countAll<number>().as('n')])
      .groupBy('status')
      .execute();
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  }

  /** Starts delivering: now, after every append that queued deliveries, and when a retry comes due. */
  start(): void {
    this.stopped = false;
    this.options.log.on('appended', this.onAppended);
    void this.drain();
  }

  private readonly onAppended = (signal: AppendedSignal): void => {
    if (signal.deliveries > 0) this.kick();
  };

  /** Wakes the worker. */
  readonly kick = (): void => {
    if (!this.stopped) void this.drain();
  };

  async stop(): Promise<void> {
    this.stopped = true;
    this.options.log.off('appended', this.onAppended);
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.running) await this.running.catch(() => undefined);
  }

  private schedule(): void {
    if (this.stopped) return;
    void this.options.db
      .selectFrom('webhook_deliveries')
      // A delivery claimed by another replica comes due again when its claim runs out.
      .select(sql<number | null>`min(case when claimed_until > next_at then claimed_until else next_at end)`.as('next'))
      .where('status', '=', 'pending')
      .executeTakeFirst()
      .then((row) => {
        if (this.stopped || row?.next === null || row?.next === undefined) return;
        if (this.timer) clearTimeout(this.timer);
        const wait = Math.max(0, Number(row.next) - this.options.clock.now());
        this.timer = setTimeout(() => void this.drain(), Math.min(wait, 2_147_483_647));
        this.timer.unref();
      });
  }
}
