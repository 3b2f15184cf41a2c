/**
 * Builds the reporting side for the composition root: the report routes (added to the agent API), the report
 * page at `/reports`, and the Prometheus metrics at `/metrics`.
 */
import express from 'express';
import type { Kysely } from 'kysely';
import type { AnyRoute } from './adapters/agent-api/define-route.js';
import { type ConnectorMetrics, createConnectorMetrics } from './adapters/metrics/connector-metrics.js';
import type { MetricSources } from './adapters/metrics/metric-sources.js';
import { createMetricsRouter } from './adapters/metrics/metrics-router.js';
import { reportPageRouter } from './adapters/reports/report-page.js';
import { reportRoutes } from './adapters/reports/report-routes.js';
import type { Database } from './adapters/store/schema.js';
import type { Config } from './config/read-config.js';
import type { RoutingIndex } from './domain/routing/routing-index.js';
import type { Clock } from './ports/clock.js';
import type { PresenceHistoryStore } from './ports/presence/presence-history-store.js';

/** What {@link wireReporting} needs. */
export interface ReportingWiringDeps {
  readonly config: Config;
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly index: () => RoutingIndex;
  readonly presenceHistory: PresenceHistoryStore;
  readonly sources: MetricSources;
}

/** The report routes, the router for `/reports` and `/metrics`, and the metrics to feed. */
export function wireReporting(deps: ReportingWiringDeps): {
  routes: AnyRoute[];
  router: express.Router;
  metrics: ConnectorMetrics;
} {
  const { config } = deps;
  const metrics = createConnectorMetrics({
    db: deps.db,
    clock: deps.clock,
    sources: deps.sources,
    mediations: () => [
      ...[...deps.index().routingPoints.keys()].map((id) => ({ kind: 'routing-point' as const, id })),
      ...config.file.queues.map((q) => ({ kind: 'queue' as const, id: q.id })),
    ],
  });
  const routes = reportRoutes({
    db: deps.db,
    defaultContactCenter: config.file.agentApi.defaultContactCenter,
    index: deps.index,
    queues: config.file.queues,
    agents: config.file.directory.agents,
    presenceHistory: deps.presenceHistory,
    clock: deps.clock,
  });
  const router = express.Router();
  router.use(createMetricsRouter(metrics.registry, config.metrics.token));
  router.use(reportPageRouter());
  return { routes, router, metrics };
}
