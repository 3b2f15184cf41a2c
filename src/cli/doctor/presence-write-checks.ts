/**
 * The doctor's check of the permission presence writes need (`presence.write`): Presence.ReadWrite.All, proven by one
 * real call that changes nothing anyone sees — `clearPresence` of the connector's own presence session for a
 * knowledge worker the connector has written nothing for (so there is no session of ours to clear: Graph answers 404,
 * or 200 for a session nobody recorded, which clearing only tidies). A 403 names the consent to grant.
 */
import type { TokenSource } from '../../adapters/graph/app-token.js';
import { GraphClient } from '../../adapters/graph/graph-client.js';
import { GraphApiError, GraphAuthError } from '../../adapters/graph/graph-errors.js';
import type { PresenceOptions } from '../../adapters/graph/presence-options.js';
import type { OpenDatabase } from '../../adapters/store/open-database.js';
import { createSqlPresenceWriteStore } from '../../adapters/store/sql-presence-writes.js';
import type { Directory } from '../../domain/routing/directory.js';
import { type CheckResult, describeFailure, failed, passed, skipped } from './check-result.js';

const NAME = 'Graph permission Presence.ReadWrite.All';

/** Runs the check when presence writes are configured; nothing otherwise. */
export async function checkPresenceWrite(
  presence: PresenceOptions | null,
  tokens: TokenSource | null,
  directory: Directory,
  database: OpenDatabase | null,
): Promise<CheckResult[]> {
  if (!presence?.write) return [];
  if (!tokens) return [skipped(NAME, 'needs the Graph app token')];
  if (!database) return [skipped(NAME, 'needs the database (what the connector wrote is recorded there)')];
  const written = new Set((await createSqlPresenceWriteStore(database).list(null)).map((r) => r.userId));
  const subject = directory.knowledgeWorkers.find((k) => !written.has(k.id));
  if (!subject)
    return [skipped(NAME, 'every knowledge worker shows a presence the connector wrote; try again when one is free')];
  const client = new GraphClient(
    { graphBaseUrl: presence.graphBaseUrl, maxRetries: 1, backoffBaseMs: 500, timeoutMs: 10_000 },
    { tokens },
  );
  const what = `clearing the connector's presence session for ${subject.name} (clearPresence)`;
  try {
    await client.request('POST', `/users/${encodeURIComponent(subject.id)}/presence/clearPresence`, {
      sessionId: presence.clientId,
    });
    return [passed(NAME, `${what} works`)];
  } catch (error) {
    if (error instanceof GraphApiError && error.status === 404) return [passed(NAME, `${what} works (no session)`)];
    if (error instanceof GraphApiError && (error.status === 403 || error.status === 401))
      return [
        failed(
          NAME,
          `Graph refused ${what} with ${error.status} ${error.code}: the permission is missing or not consented, so experts in a session would not show Busy in Teams`,
          `add the application permission Presence.ReadWrite.All to app ${presence.clientId} (Entra ID → App registrations → API permissions → Microsoft Graph → Application permissions) and select "Grant admin consent" (docs/admin.md section 2), or remove presence.write`,
        ),
      ];
    if (error instanceof GraphAuthError)
      return [failed(NAME, `no Graph token (${error.reason})`, 'fix the Graph app token check first')];
    return [
      failed(
        NAME,
        `Graph at ${presence.graphBaseUrl} did not answer ${what} (${error instanceof GraphApiError ? `${error.status} ${error.code}` : describeFailure(error)})`,
        `allow outbound HTTPS from this host to ${presence.graphBaseUrl} and check presence.graphBaseUrl`,
      ),
    ];
  }
}
