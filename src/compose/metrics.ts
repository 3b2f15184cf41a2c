/**
 * The metrics feature: the Prometheus metrics at `GET /metrics` (bearer token when `METRICS_TOKEN` is set). Preview
 * outcomes are counted from the interaction service's `committed` event, Teams send durations as each send settles;
 * the parts' own counters (Graph, notifications, presence, Teams) are read at scrape time. A part not running has no
 * series.
 */
import { type ConnectorMetrics, createConnectorMetrics } from '../adapters/metrics/connector-metrics.js';
import { type MetricSources, presenceStaleness } from '../adapters/metrics/metric-sources.js';
import { createMetricsRouter } from '../adapters/metrics/metrics-router.js';
import type { MediationRef } from '../domain/interaction/types.js';
import type { InteractionService } from '../services/interaction-service.js';
import type { Feature, Infrastructure } from './feature.js';
import type { Presence } from './presence.js';
import type { Teams } from './teams.js';

/** The metrics settings. */
export interface MetricsSlice {
  /** The bearer token scrapes must send, or null for an open endpoint. */
  readonly token: string | null;
}

/** The built metrics feature. */
export interface Metrics extends Feature {
  readonly metrics: ConnectorMetrics;
}

/** What the metrics read. */
export interface MetricsParts {
  readonly commands: Pick<InteractionService, 'onCommitted'>;
  readonly presence: Presence | null;
  readonly teams: Teams | null;
  /** The configured queues and routing points (their depth is reported, 0 when empty). */
  readonly mediations: () => readonly Pick<MediationRef, 'kind' | 'id'>[];
  /** Counters of parts built outside the connector. */
  readonly extraSources?: MetricSources | undefined;
}

/** Builds the metrics and subscribes them to what they count. */
export function createMetrics(slice: MetricsSlice, infra: Infrastructure, parts: MetricsParts): Metrics {
  const { presence, teams } = parts;
  const metrics = createConnectorMetrics({
    db: infra.database.db,
    clock: infra.clock,
    mediations: parts.mediations,
    sources: {
      teams: () => teams?.sendStats,
      // Parts not running have no series.
      ...(presence && {
        graph: () => presence.client.stats,
        presence: () => presenceStaleness(presence.tracker, infra.clock.now()),
        ...(presence.subscriptions && {
          notifications: () => presence.notificationStats(),
          notificationInbox: () => presence.inboxSize(),
          notificationBacklog: () => presence.notificationBacklog(),
          subscriptions: () => presence.subscriptions?.health(),
        }),
      }),
      ...parts.extraSources,
    },
  });
  parts.commands.onCommitted((info) => metrics.countEffects(info.emitted));
  teams?.onSendSettled((durationMs, outcome) => metrics.observeTeamsSend(durationMs, outcome));
  return { name: 'metrics', mounts: [{ router: createMetricsRouter(metrics.registry, slice.token) }], metrics };
}
