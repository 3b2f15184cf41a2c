/**
 * The reporting feature: the report routes (served under `/api/v1` by the agent API, with its keys and limits) and
 * the report page at `/reports`, read from the resource facts, the presence history and the directory.
 */
import type { AnyRoute } from '../adapters/agent-api/define-route.js';
import { reportPageRouter } from '../adapters/reports/report-page.js';
import { reportRoutes } from '../adapters/reports/report-routes.js';
import type { AgentEntry, QueueEntry } from '../domain/routing/directory.js';
import type { RoutingIndex } from '../domain/routing/routing-index.js';
import type { PresenceHistoryStore } from '../ports/presence/presence-history-store.js';
import type { Feature, Infrastructure } from './feature.js';

/** The reporting settings. */
export interface ReportingSlice {
  readonly defaultContactCenter: string;
  readonly agents: readonly AgentEntry[];
  readonly queues: readonly QueueEntry[];
  /** The contact center a queue belongs to. */
  readonly contactCenterOfQueue: (queueId: string) => string;
}

/** The built reporting feature. */
export interface Reporting extends Feature {
  /** The report routes, for the agent API. */
  readonly routes: readonly AnyRoute[];
}

/** Builds the report routes and page. */
export function createReporting(
  slice: ReportingSlice,
  infra: Infrastructure,
  parts: { readonly index: () => RoutingIndex; readonly presenceHistory: PresenceHistoryStore },
): Reporting {
  const routes = reportRoutes({
    db: infra.database.db,
    defaultContactCenter: slice.defaultContactCenter,
    index: parts.index,
    queues: slice.queues,
    contactCenterOfQueue: slice.contactCenterOfQueue,
    agents: slice.agents,
    presenceHistory: parts.presenceHistory,
    clock: infra.clock,
  });
  return { name: 'reporting', routes, mounts: [{ router: reportPageRouter() }] };
}
