/**
 * The connector's Prometheus metrics (prom-client): Node's default metrics (event loop lag, memory, CPU), preview
 * outcomes counted from committed effects, Teams send durations observed as they settle, and gauges and counters
 * read at scrape time from the database (backlogs, queue depths) and from the parts' own counters.
 */
import type { Kysely } from 'kysely';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Effect } from '../../domain/interaction/effects.js';
import type { MediationRef } from '../../domain/interaction/types.js';
import type { Clock } from '../../ports/clock.js';
import type { Database } from '../store/schema.js';
import { readBacklog } from './backlog-queries.js';
import type { MetricSources } from './metric-sources.js';

/** What {@link createConnectorMetrics} reads. */
export interface ConnectorMetricsDependencies {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly sources: MetricSources;
  /** The configured queues and routing points: their depth is reported (0 when empty). */
  readonly mediations: () => readonly Pick<MediationRef, 'kind' | 'id'>[];
  /** Collect Node's default metrics (default true; tests of several apps in one process may turn it off). */
  readonly defaultMetrics?: boolean | undefined;
}

/** The built metrics. */
export interface ConnectorMetrics {
  readonly registry: Registry;
  /** Counts what a committed command emitted (previews issued and how they ended). */
  countEffects(effects: readonly Effect[]): void;
  /** Records one Teams send: its duration and whether it went through. */
  observeTeamsSend(durationMs: number, outcome: 'sent' | 'failed'): void;
}

/**
 * prom-client's default gauges whose names end in a counter's `_total` (Prometheus's linter, `promtool check
 * metrics`, flags them). Their by-type twins stay (`nodejs_active_handles{type}`, …): the totals are their sums.
 */
const DROPPED_DEFAULT_METRICS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
] as const;

/** Node's default metrics (event loop lag, memory, CPU, handles by type), without {@link DROPPED_DEFAULT_METRICS}. */
function collectNodeMetrics(registry: Registry): void {
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 100 });
  for (const name of DROPPED_DEFAULT_METRICS) registry.removeSingleMetric(name);
}

/** Sets a counter to totals kept elsewhere (the part's own counter is the truth; it only goes up). */
function setTotals(counter: Counter<string>, totals: readonly (readonly [Record<string, string>, number])[]): void {
  counter.reset();
  for (const [labels, value] of totals) counter.inc(labels, Math.max(0, value));
}

/** Sets an unlabelled counter to a total kept elsewhere. */
function setTotal(counter: Counter<string>, value: number): void {
  setTotals(counter, [[{}, value]]);
}

/** Builds the registry and its collectors. */
export function createConnectorMetrics(deps: ConnectorMetricsDependencies): ConnectorMetrics {
  const registry = new Registry();
  const registers = [registry];
  const { sources } = deps;
  /** A part's metrics are registered only when the part is there (no misleading zeros). */
  const when = (present: unknown) => (present ? registers : []);
  if (deps.defaultMetrics !== false) collectNodeMetrics(registry);

  const previews = new Counter({
    name: 'ucc_previews_total',
    help: 'Interaction previews: issued (outcome="sent") and how they ended (accepted, declined, expired, undeliverable, withdrawn, taken, ended).',
    labelNames: ['outcome'],
    registers,
  });
  for (const outcome of ['sent', 'accepted', 'declined', 'expired', 'undeliverable', 'withdrawn', 'taken', 'ended']) {
    previews.inc({ outcome }, 0);
  }

  const teamsDuration = new Histogram({
    name: 'ucc_teams_send_duration_seconds',
    help: 'Teams Bot Connector sends, from hand-in to done (rate-limit waits and retries included).',
    labelNames: ['outcome'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers,
  });

  // Counters kept by the parts, copied at scrape time.
  const teamsSends = new Counter({
    name: 'ucc_teams_sends_total',
    help: 'Teams sends that went through.',
    registers,
    collect() {
      const s = sources.teams?.();
      if (s) setTotal(teamsSends, s.sent);
    },
  });
  const teamsFailed = new Counter({
    name: 'ucc_teams_send_failures_total',
    help: 'Teams sends given up.',
    registers,
    collect() {
      const s = sources.teams?.();
      if (s) setTotal(teamsFailed, s.failed);
    },
  });
  const teamsThrottled = new Counter({
    name: 'ucc_teams_throttled_total',
    help: 'HTTP 429 answers from the Teams Bot Connector.',
    registers,
    collect() {
      const s = sources.teams?.();
      if (s) setTotal(teamsThrottled, s.throttled);
    },
  });

  const graphCalls = new Counter({
    name: 'ucc_graph_calls_total',
    help: 'Microsoft Graph HTTP calls made (retries included).',
    registers: when(sources.graph),
    collect() {
      const s = sources.graph?.();
      if (s) setTotal(graphCalls, s.calls);
    },
  });
  const graphThrottled = new Counter({
    name: 'ucc_graph_throttled_total',
    help: 'HTTP 429 answers from Microsoft Graph (including $batch sub-responses).',
    registers: when(sources.graph),
    collect() {
      const s = sources.graph?.();
      if (s) setTotal(graphThrottled, s.throttled);
    },
  });
  const graphWaits = new Counter({
    name: 'ucc_graph_retry_after_waits_total',
    help: 'Pauses of all Graph calls for a Retry-After that Graph sent.',
    registers: when(sources.graph),
    collect() {
      const s = sources.graph?.();
      if (s) setTotal(graphWaits, s.retryAfterWaits);
    },
  });
  const graphWaitSeconds = new Counter({
    name: 'ucc_graph_retry_after_wait_seconds_total',
    help: 'Total length of the Retry-After pauses.',
    registers: when(sources.graph),
    collect() {
      const s = sources.graph?.();
      if (s) setTotal(graphWaitSeconds, s.retryAfterWaitMs / 1000);
    },
  });
  const graphErrors = new Counter({
    name: 'ucc_graph_errors_total',
    help: 'Graph calls that failed with a server error (5xx) or a network error.',
    labelNames: ['kind'],
    registers: when(sources.graph),
    collect() {
      const s = sources.graph?.();
      if (!s) return;
      setTotals(graphErrors, [
        [{ kind: 'server' }, s.serverErrors],
        [{ kind: 'network' }, s.networkErrors],
      ]);
    },
  });

  const notifications = new Counter({
    name: 'ucc_presence_notifications_total',
    help: 'Presence change notifications processed, by outcome (applied, ignored, refused).',
    labelNames: ['outcome'],
    registers: when(sources.notifications),
    collect() {
      const s = sources.notifications?.();
      if (!s) return;
      setTotals(notifications, [
        [{ outcome: 'applied' }, s.applied],
        [{ outcome: 'ignored' }, s.ignored],
        [{ outcome: 'refused' }, s.refused],
      ]);
    },
  });
  const lagLast = new Gauge({
    name: 'ucc_presence_notification_lag_seconds',
    help: 'How long the last notification batch waited between receipt and processing.',
    registers: when(sources.notifications),
    collect() {
      const s = sources.notifications?.();
      if (s) lagLast.set(s.lastLagMs / 1000);
    },
  });
  const lagSum = new Counter({
    name: 'ucc_presence_notification_lag_seconds_total',
    help: 'Sum of the waits of every notification batch (divide by ucc_presence_notification_batches_total).',
    registers: when(sources.notifications),
    collect() {
      const s = sources.notifications?.();
      if (s) setTotal(lagSum, s.lagMsTotal / 1000);
    },
  });
  const lagCount = new Counter({
    name: 'ucc_presence_notification_batches_total',
    help: 'Notification batches processed.',
    registers: when(sources.notifications),
    collect() {
      const s = sources.notifications?.();
      if (s) setTotal(lagCount, s.entries);
    },
  });

  const inbox = new Gauge({
    name: 'ucc_presence_inbox_depth',
    help: 'Presence change notifications accepted and waiting to be processed.',
    registers: when(sources.notificationInbox),
    collect() {
      const n = sources.notificationInbox?.();
      if (n !== undefined) inbox.set(n);
    },
  });
  const backlogItems = new Gauge({
    name: 'ucc_presence_notification_backlog',
    help: 'Presence change notification items accepted and not yet applied (waiting, or being decrypted and applied).',
    registers: when(sources.notificationBacklog),
    collect() {
      const b = sources.notificationBacklog?.();
      if (b) backlogItems.set(b.items);
    },
  });
  const backlogAge = new Gauge({
    name: 'ucc_presence_notification_backlog_oldest_age_seconds',
    help: 'Age of the oldest presence change notification accepted and not yet applied (0 when none).',
    registers: when(sources.notificationBacklog),
    collect() {
      const b = sources.notificationBacklog?.();
      if (b) backlogAge.set(b.oldestAgeMs / 1000);
    },
  });
  const shedItems = new Counter({
    name: 'ucc_presence_notifications_shed_total',
    help: 'Presence change notification items dropped from a backlog beyond presence.subscriptions.maxBacklog; their users were polled instead.',
    registers: when(sources.notificationBacklog),
    collect() {
      const b = sources.notificationBacklog?.();
      if (b) setTotal(shedItems, b.shedItems);
    },
  });
  const sheddings = new Counter({
    name: 'ucc_presence_notification_backlog_sheddings_total',
    help: 'Times the presence change notification backlog was shed to polling.',
    registers: when(sources.notificationBacklog),
    collect() {
      const b = sources.notificationBacklog?.();
      if (b) setTotal(sheddings, b.sheddings);
    },
  });
  const subscriptionHealth = new Gauge({
    name: 'ucc_presence_subscriptions',
    help: 'Presence subscriptions held by this replica, by health: healthy, refused (every notification refused lately: validation tokens that do not verify), failing (missing, expired or failing; their users are polled fast).',
    labelNames: ['health'],
    registers: when(sources.subscriptions),
    collect() {
      const s = sources.subscriptions?.();
      if (!s) return;
      subscriptionHealth.set({ health: 'healthy' }, s.healthy);
      subscriptionHealth.set({ health: 'refused' }, s.refused);
      subscriptionHealth.set({ health: 'failing' }, s.failing);
    },
  });
  const presenceUsers = new Gauge({
    name: 'ucc_presence_users',
    help: 'Knowledge workers whose presence is tracked, by freshness (tracked, unknown = stale or never confirmed).',
    labelNames: ['freshness'],
    registers: when(sources.presence),
    collect() {
      const s = sources.presence?.();
      if (!s) return;
      presenceUsers.set({ freshness: 'tracked' }, s.tracked);
      presenceUsers.set({ freshness: 'unknown' }, s.unknown);
    },
  });
  const presenceAge = new Gauge({
    name: 'ucc_presence_oldest_confirmation_age_seconds',
    help: 'Age of the least recently confirmed presence.',
    registers: when(sources.presence),
    collect() {
      const s = sources.presence?.();
      if (s?.oldestConfirmationAgeMs != null) presenceAge.set(s.oldestConfirmationAgeMs / 1000);
    },
  });

  // Backlogs and queues: one database read per scrape, shared by the gauges below.
  let pending: ReturnType<typeof readBacklog> | null = null;
  const backlog = () => {
    pending ??= readBacklog(deps.db).finally(() => {
      setImmediate(() => {
        pending = null;
      });
    });
    return pending;
  };
  const outbox = new Gauge({
    name: 'ucc_outbox_backlog',
    help: 'Effects in the outbox not yet carried out (pending) or given up (failed).',
    labelNames: ['status'],
    registers,
    async collect() {
      const b = await backlog();
      outbox.set({ status: 'pending' }, b.outbox.pending ?? 0);
      outbox.set({ status: 'failed' }, b.outbox.failed ?? 0);
    },
  });
  const outboxAge = new Gauge({
    name: 'ucc_outbox_oldest_pending_age_seconds',
    help: 'Age of the oldest pending outbox effect (0 when none).',
    registers,
    async collect() {
      const b = await backlog();
      outboxAge.set(b.oldestPendingAt === null ? 0 : Math.max(0, deps.clock.now() - b.oldestPendingAt) / 1000);
    },
  });
  const webhookBacklog = new Gauge({
    name: 'ucc_webhook_backlog',
    help: 'Webhook deliveries waiting.',
    registers,
    async collect() {
      webhookBacklog.set((await backlog()).webhooks);
    },
  });
  const pendingPreviews = new Gauge({
    name: 'ucc_previews_pending',
    help: 'Previews waiting for an answer.',
    registers,
    async collect() {
      pendingPreviews.set((await backlog()).pendingPreviews);
    },
  });
  const depth = new Gauge({
    name: 'ucc_queue_depth',
    help: 'Open interactions held by a queue (waiting) or a routing point (being routed).',
    labelNames: ['kind', 'id'],
    registers,
    async collect() {
      const b = await backlog();
      depth.reset();
      for (const m of deps.mediations()) depth.set({ kind: m.kind, id: m.id }, 0);
      for (const h of b.held) depth.set({ kind: h.kind, id: h.id }, h.count);
    },
  });

  return {
    registry,
    countEffects(effects) {
      for (const e of effects) {
        if (e.type === 'SendPreview') previews.inc({ outcome: 'sent' });
        else if (e.type === 'UpdatePreview') previews.inc({ outcome: e.outcome });
      }
    },
    observeTeamsSend(durationMs, outcome) {
      teamsDuration.observe({ outcome }, durationMs / 1000);
    },
  };
}
