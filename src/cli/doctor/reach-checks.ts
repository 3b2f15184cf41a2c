/**
 * The doctor's reach checks, read from the database the connector keeps them in: which knowledge workers the bot
 * cannot reach in Teams and why (the install failed, the app is not installed, they blocked the bot; or no
 * conversation yet), and how the sync of each Entra group feeding a routing point went (members, when, the last
 * error: routing keeps the last good members meanwhile).
 */
import type { OpenDatabase } from '../../adapters/store/open-database.js';
import { reachDb } from '../../adapters/store/sql-reach-stores.js';
import type { TeamsOptions } from '../../adapters/teams/teams-options.js';
import { describeUnreachable } from '../../adapters/teams/teams-reach.js';
import type { Directory } from '../../domain/routing/directory.js';
import type { EntraUser } from '../../domain/routing/group-directory.js';
import type { Routing } from '../../domain/routing/routing-point.js';
import type { UnreachableReason } from '../../ports/reachability.js';
import { type CheckResult, describeFailure, failed, passed, skipped, warned } from './check-result.js';

/** How many people a line names before "and N more". */
const NAMED = 10;

function names(list: readonly string[]): string {
  const shown = list.slice(0, NAMED);
  const more = list.length > shown.length ? `, and ${list.length - shown.length} more` : '';
  return `${shown.join(', ')}${more}`;
}

const fixes: Record<UnreachableReason, string> = {
  'install-failed':
    'grant TeamsAppInstallation.ReadWriteSelfForUser.All with admin consent, upload the app to the org catalog and check teams.teamsCatalogAppId (docs/admin.md sections 2, 4 and 5); the connector tries again after teams.unreachableRetryMs',
  'not-installed':
    'install the app for them with an app setup policy (Teams admin center → Teams apps → Setup policies; docs/admin.md section 5), or turn on proactive install (teams.teamsCatalogAppId)',
  blocked:
    'ask them to unblock the app in Teams; they become reachable again when they write to the bot or reinstall it',
};

/** Where the connector keeps what it learnt: marks, conversations, and the members of synced groups. */
async function readReach(database: OpenDatabase) {
  const db = reachDb(database);
  const [marks, refs, groups] = await Promise.all([
    db.selectFrom('teams_unreachable').selectAll().orderBy('user_id').execute(),
    database.db.selectFrom('conversation_refs').select('user_id').execute(),
    db.selectFrom('entra_groups').select(['group_id', 'members']).execute(),
  ]);
  return { marks, refs: new Set(refs.map((r) => r.user_id)), groups };
}

/**
 * Knowledge workers the bot cannot reach: those marked (with the reason), and those without a conversation (a
 * failure unless proactive install is on, which installs the app for them when routing first picks them).
 */
export async function checkTeamsReach(
  database: OpenDatabase | null,
  teams: TeamsOptions | null,
  directory: Directory,
): Promise<CheckResult> {
  const name = 'knowledge workers reachable in Teams';
  if (!teams) return skipped(name, 'no teams section in the configuration: the Teams bot is off');
  if (!database) return skipped(name, 'needs the database, where the conversations with the bot are kept');
  let read: Awaited<ReturnType<typeof readReach>>;
  try {
    read = await readReach(database);
  } catch (error) {
    return failed(name, `conversations could not be read (${describeFailure(error)})`, 'fix the database check first');
  }
  const people = new Map(directory.knowledgeWorkers.map((kw) => [kw.id, kw.name]));
  for (const g of read.groups)
    for (const u of JSON.parse(g.members) as EntraUser[])
      if (!people.has(u.id)) people.set(u.id, u.displayName ?? u.id);
  if (people.size === 0) return passed(name, 'the directory has no knowledge workers yet');
  const label = (id: string) => `${people.get(id) ?? id} (${id})`;
  const marked = read.marks.filter((m) => people.has(m.user_id));
  const markedIds = new Set(marked.map((m) => m.user_id));
  const noConversation = [...people.keys()].filter((id) => !read.refs.has(id) && !markedIds.has(id));
  const proactive = teams.teamsCatalogAppId !== undefined;
  if (marked.length > 0) {
    const lines = marked.map(
      (m) => `${label(m.user_id)}: ${describeUnreachable({ reason: m.reason as UnreachableReason, detail: m.detail })}`,
    );
    const reasons = [...new Set(marked.map((m) => m.reason as UnreachableReason))];
    const waiting =
      noConversation.length > 0 ? `; ${noConversation.length} more have no conversation with the bot yet` : '';
    return failed(
      name,
      `${marked.length} of ${people.size} cannot be reached, so routing offers them nothing: ${names(lines)}${waiting}`,
      reasons.map((r) => fixes[r]).join('; '),
    );
  }
  if (noConversation.length === 0)
    return passed(name, `all ${people.size} knowledge workers have a conversation with the bot`);
  const who = names(noConversation.map(label));
  if (proactive)
    return warned(
      name,
      `${noConversation.length} of ${people.size} have no conversation with the bot yet: ${who} — the connector installs the app for each when routing first picks them`,
      'nothing to do unless an install fails (it then shows here with the reason)',
    );
  return failed(
    name,
    `${noConversation.length} of ${people.size} cannot be reached: ${who} — the bot has no conversation with them: the Teams app is not installed for them, or they removed it`,
    'install the app for them with an app setup policy (Teams admin center → Teams apps → Setup policies; docs/admin.md section 5); each becomes reachable when Teams tells the bot about the installation. Or turn on proactive install (teams.teamsCatalogAppId)',
  );
}

/** One line per Entra group feeding a routing point: its last sync, as the running connector stored it. */
export async function checkGroupSync(database: OpenDatabase | null, routing: Routing): Promise<CheckResult[]> {
  const groups = [
    ...new Set(routing.routingPoints.flatMap((rp) => (rp.members.kind === 'entra-group' ? [rp.members.groupId] : []))),
  ];
  if (groups.length === 0) return [];
  const nameOf = (g: string) => `Entra group ${g}`;
  if (!database) return groups.map((g) => skipped(nameOf(g), 'needs the database, where the group sync is kept'));
  let rows: {
    group_id: string;
    members: string;
    synced_at: number | null;
    attempted_at: number;
    error: string | null;
  }[];
  try {
    rows = await reachDb(database).selectFrom('entra_groups').selectAll().execute();
  } catch (error) {
    return groups.map((g) =>
      failed(nameOf(g), `the group sync could not be read (${describeFailure(error)})`, 'fix the database check first'),
    );
  }
  const points = (g: string) =>
    routing.routingPoints
      .filter((rp) => rp.members.kind === 'entra-group' && rp.members.groupId === g)
      .map((rp) => rp.id)
      .join(', ');
  return groups.map((g) => {
    const row = rows.find((r) => r.group_id === g);
    const name = nameOf(g);
    if (!row)
      return warned(
        name,
        `not synced yet (routing point ${points(g)}): the connector reads its members at start and every routing.groupSyncIntervalMs`,
        'start the connector; if this stays, look for "Entra group sync failed" in its log',
      );
    const count = (JSON.parse(row.members) as unknown[]).length;
    const synced = row.synced_at === null ? 'never' : new Date(Number(row.synced_at)).toISOString();
    if (row.error !== null) {
      const fix = /\b403\b/.test(row.error)
        ? 'grant the application permission GroupMember.Read.All with admin consent (docs/admin.md section 2)'
        : /\b404\b/.test(row.error)
          ? `set the routing point's members.groupId to the group's object id as shown in Entra ID`
          : 'check that this host reaches Microsoft Graph (presence.graphBaseUrl) and the Graph app token check above';
      return failed(
        name,
        `the last sync (${new Date(Number(row.attempted_at)).toISOString()}) failed: ${row.error}; routing point ${points(g)} keeps the ${count} member(s) last read (${synced})`,
        fix,
      );
    }
    return passed(name, `${count} member(s) for routing point ${points(g)}, synced ${synced}`);
  });
}
