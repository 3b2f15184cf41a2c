/**
 * The doctor's subscription-health check: every presence subscription the connector stored, and whether its change
 * notifications are accepted. A subscription whose notifications are all refused (their validation tokens do not
 * verify: a wrong tenant, app id or clock) is a failure, though Graph itself still counts it as healthy.
 */
import type { PresenceOptions } from '../../adapters/graph/presence-options.js';
import type { OpenDatabase } from '../../adapters/store/open-database.js';
import { SqlSubscriptionStore } from '../../adapters/store/sql-presence-stores.js';
import { type CheckResult, describeFailure, failed, passed, skipped } from './check-result.js';

/** Checks the stored subscriptions (none without `presence.subscriptions`). */
export async function checkSubscriptionHealth(
  database: OpenDatabase | null,
  presence: PresenceOptions | null,
  now: number = Date.now(),
): Promise<CheckResult[]> {
  if (!presence?.subscriptions) return [];
  const name = 'subscription health';
  if (!database) return [skipped(name, 'the database cannot be reached')];
  let records: Awaited<ReturnType<SqlSubscriptionStore['list']>>;
  try {
    records = await new SqlSubscriptionStore(database).list();
  } catch (error) {
    return [
      failed(
        name,
        `the stored subscriptions cannot be read (${describeFailure(error)})`,
        'run the connector once so it migrates the database',
      ),
    ];
  }
  const live = records.filter((r) => r.expiresAt > now);
  if (live.length === 0)
    return [skipped(name, 'no live subscription is stored yet (the running connector creates them)')];
  const refused = live.filter((r) => r.refusedSince != null);
  if (refused.length === 0)
    return [passed(name, `${live.length} live subscription(s); their notifications are accepted`)];
  return refused.map((r) =>
    failed(
      name,
      `the subscription of ${r.account} (${r.userIds.length} users): every notification refused since ${new Date(r.refusedSince ?? now).toISOString()}; its users are only polled`,
      'check presence.tenantId (the tenant id, or a domain of the tenant), presence.clientId (the app the subscriptions are created for) and this server’s clock; the connector accepts them again by itself once they verify',
    ),
  );
}
