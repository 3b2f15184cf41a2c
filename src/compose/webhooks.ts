/**
 * The webhooks feature: the worker that delivers the events queued for webhook subscriptions (Standard Webhooks
 * signatures, CloudEvents envelopes, retries with backoff). Appends here wake it; with replicas, so do the others'.
 */
import type { AgentApiOptions } from '../adapters/agent-api/agent-api-options.js';
import { agentApiDb } from '../adapters/store/agent-api-schema.js';
import type { EventLog } from '../adapters/store/event-log.js';
import type { ResolveHost } from '../adapters/webhooks/webhook-target.js';
import { WebhookWorker } from '../adapters/webhooks/webhook-worker.js';
import type { Feature, Infrastructure } from './feature.js';
import type { ScaleOut } from './scale-out.js';

/** The built webhooks feature. */
export interface Webhooks extends Feature {
  readonly worker: WebhookWorker;
}

/** Builds the webhook worker. */
export function createWebhooks(
  slice: AgentApiOptions['webhooks'],
  infra: Infrastructure,
  parts: {
    readonly log: EventLog;
    readonly scaleOut: ScaleOut | null;
    readonly fetch?: typeof fetch | undefined;
    /** Resolves target hosts before deliveries (default: the system resolver). */
    readonly resolve?: ResolveHost | undefined;
  },
): Webhooks {
  const worker = new WebhookWorker({
    db: agentApiDb(infra.database.db),
    log: parts.log,
    clock: infra.clock,
    logger: infra.logger.child({ part: 'webhooks' }),
    ...slice,
    fetch: parts.fetch,
    resolve: parts.resolve,
  });
  parts.scaleOut?.signals.on('webhooks', () => worker.kick());
  return { name: 'webhooks', worker, start: () => worker.start(), stop: () => worker.stop() };
}
