/**
 * The doctor's Graph permission checks: each application permission the connector needs is proven by one real call
 * with the app token — `getPresencesByUserId` (Presence.Read.All), a user read (User.Read.All), the user's installed
 * apps (TeamsAppInstallation.ReadWriteSelfForUser.All) and, when Entra groups feed routing points, a group's members
 * (GroupMember.Read.All). A 403 names the missing permission and the consent to grant.
 */
import type { TokenSource } from '../../adapters/graph/app-token.js';
import { GraphClient } from '../../adapters/graph/graph-client.js';
import { GraphApiError, GraphAuthError } from '../../adapters/graph/graph-errors.js';
import type { PresenceOptions } from '../../adapters/graph/presence-options.js';
import type { Directory } from '../../domain/routing/directory.js';
import type { Routing } from '../../domain/routing/routing-point.js';
import { type CheckResult, describeFailure, failed, passed, skipped } from './check-result.js';

/** One permission and the call that proves it. */
interface PermissionProbe {
  readonly permission: string;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly body?: unknown;
  readonly what: string;
}

function consentFix(permission: string, clientId: string): string {
  return (
    `add the application permission ${permission} to app ${clientId} (Entra ID → App registrations → API permissions → ` +
    'Microsoft Graph → Application permissions) and select "Grant admin consent" (docs/admin.md section 2)'
  );
}

async function probe(
  client: GraphClient,
  p: PermissionProbe,
  presence: PresenceOptions,
  subject: { id: string; name: string; key: string },
): Promise<CheckResult> {
  const name = `Graph permission ${p.permission}`;
  try {
    await client.request(p.method, p.path, p.body);
    return passed(name, `${p.what} works`);
  } catch (error) {
    if (error instanceof GraphApiError && (error.status === 403 || error.status === 401))
      return failed(
        name,
        `Graph refused ${p.what} with ${error.status} ${error.code}: the permission is missing or not consented`,
        consentFix(p.permission, presence.clientId),
      );
    if (error instanceof GraphApiError && error.status === 404)
      return failed(
        name,
        `Graph does not know ${subject.name} (${subject.id}): ${error.code}`,
        `set ${subject.key} to the Entra object id (or group id) as shown in Entra ID, or remove the entry`,
      );
    if (error instanceof GraphAuthError)
      return failed(name, `no Graph token (${error.reason})`, 'fix the Graph app token check first');
    return failed(
      name,
      `Graph at ${presence.graphBaseUrl} did not answer ${p.what} (${error instanceof GraphApiError ? `${error.status} ${error.code}` : describeFailure(error)})`,
      `allow outbound HTTPS from this host to ${presence.graphBaseUrl} and check presence.graphBaseUrl`,
    );
  }
}

/** Runs the permission checks (sequentially, one call each). Skipped without a token or knowledge workers. */
export async function checkGraphPermissions(
  presence: PresenceOptions | null,
  tokens: TokenSource | null,
  slices: { readonly routing: Routing; readonly directory: Directory },
): Promise<CheckResult[]> {
  const permissions = ['Presence.Read.All', 'User.Read.All', 'TeamsAppInstallation.ReadWriteSelfForUser.All'];
  const groupPoints = slices.routing.routingPoints.flatMap((rp, i) =>
    rp.members.kind === 'entra-group' ? [{ index: i, id: rp.id, groupId: rp.members.groupId }] : [],
  );
  if (groupPoints.length > 0) permissions.push('GroupMember.Read.All');
  const names = permissions.map((p) => `Graph permission ${p}`);
  if (!presence) return [];
  if (!tokens) return names.map((n) => skipped(n, 'needs the Graph app token'));
  const first = slices.directory.knowledgeWorkers[0];
  const client = new GraphClient(
    { graphBaseUrl: presence.graphBaseUrl, maxRetries: 1, backoffBaseMs: 500, timeoutMs: 10_000 },
    { tokens },
  );
  const results: CheckResult[] = [];
  if (!first) {
    results.push(
      ...names.slice(0, 3).map((n) => skipped(n, 'no knowledge workers in directory.knowledgeWorkers to try it on')),
    );
  } else {
    const user = encodeURIComponent(first.id);
    const subject = { id: first.id, name: first.name, key: 'directory.knowledgeWorkers[0].id' };
    const probes: PermissionProbe[] = [
      {
        permission: 'Presence.Read.All',
        method: 'POST',
        path: '/communications/getPresencesByUserId',
        body: { ids: [first.id] },
        what: `reading ${first.name}'s presence (getPresencesByUserId)`,
      },
      {
        permission: 'User.Read.All',
        method: 'GET',
        path: `/users/${user}?$select=id,displayName,userPrincipalName,businessPhones,mobilePhone`,
        what: `reading ${first.name}'s user profile`,
      },
      {
        permission: 'TeamsAppInstallation.ReadWriteSelfForUser.All',
        method: 'GET',
        path: `/users/${user}/teamwork/installedApps`,
        what: `listing the Teams apps installed for ${first.name}`,
      },
    ];
    for (const p of probes) results.push(await probe(client, p, presence, subject));
  }
  const group = groupPoints[0];
  if (group) {
    results.push(
      await probe(
        client,
        {
          permission: 'GroupMember.Read.All',
          method: 'GET',
          path: `/groups/${encodeURIComponent(group.groupId)}/members?$select=id&$top=1`,
          what: `reading the members of routing point ${group.id}'s group`,
        },
        presence,
        {
          id: group.groupId,
          name: `routing point ${group.id}'s group`,
          key: `routing.routingPoints[${group.index}].members.groupId`,
        },
      ),
    );
  }
  return results;
}
