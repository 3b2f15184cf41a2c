/**
 * The presence-writes feature: the contact center's state shown in Teams.
 *
 * - **Experts in a session** (accepted preview, transfer, conference, consultation) show `presence.write.experts`
 *   (Busy/InACall by default) through the connector's own application presence session, kept alive while the session
 *   lasts and cleared when it ends, on every way it ends and after a crash and restart too (the written presences are
 *   kept in the database). It follows the session load, which follows the committed-event spine
 *   (`InteractionService.onCommitted`; with replicas, the database re-read after any replica's commit).
 * - **Agents who use Teams too** (`directory.agents[].entraUserId`, with `presence.write.agents`) show the state the
 *   contact center reports through the agent API (`POST /agents/{agentId}/state`), as the agents' mapping says (a
 *   file reloaded when it changes), or Teams is left alone. Reported states are kept in the database; with replicas
 *   each replica re-reads them every second.
 * - A person in a session shows the session's presence over their agent state.
 *
 * Writes are made for the people whose presence shard this process holds: one replica writes a given person's
 * presence. They take a share of the presence quota ahead of polls, in the one Graph client.
 */
import type { AnyRoute } from '../adapters/agent-api/define-route.js';
import { type AgentStateReporting, agentStateRoutes } from '../adapters/agent-api/routes/agent-state-routes.js';
import { createGraphPresenceWriteGateway } from '../adapters/graph/presence-write-gateway.js';
import type { PresenceWriteOptions } from '../adapters/graph/presence-write-options.js';
import { createSqlAgentStateStore } from '../adapters/store/sql-agent-states.js';
import { createSqlPresenceWriteStore } from '../adapters/store/sql-presence-writes.js';
import { watchAgentPresenceMapping } from '../config/agent-presence-watch.js';
import { activeAgents } from '../domain/interaction/active-sessions.js';
import { type AgentContactState, type AgentPresenceRule, mapAgentState } from '../domain/presence/agent-presence.js';
import { CallWindow } from '../domain/presence/call-window.js';
import type { ShownPresence } from '../domain/presence/presence-write.js';
import type { AgentEntry } from '../domain/routing/directory.js';
import type { InteractionService } from '../services/interaction-service.js';
import { PresenceWriter } from '../services/presence-writer.js';
import type { Feature, Infrastructure } from './feature.js';
import type { GraphAccess } from './graph.js';
import type { Presence } from './presence.js';

/** Graph's presence quota: calls per window, and the window. */
const QUOTA_CALLS = 1500;
const QUOTA_WINDOW_MS = 30_000;
/** With replicas, how often reported agent states are re-read, and how far back (a commit may land late). */
const AGENT_REREAD_MS = 1_000;
const AGENT_REREAD_OVERLAP_MS = 5_000;

/** The built presence-writes feature. */
export interface PresenceWrites extends Feature {
  readonly writer: PresenceWriter;
  /** Writes per quota window the writer may take ahead of polls. */
  readonly writesPerWindow: number;
  /** The agent API routes of the feature (agents' reported states); empty without `presence.write.agents`. */
  readonly routes: readonly AnyRoute[];
  /** A knowledge worker's count of active sessions changed: what Teams shows for them follows. */
  sessionLoad(knowledgeWorkerId: string, activeSessions: number): void;
}

/** What the feature is built from besides its settings. */
export interface PresenceWritesParts {
  readonly graph: GraphAccess;
  readonly presence: Presence;
  /** The app registration's id: the application presence session's id. */
  readonly clientId: string;
  /** The connector's share of the presence quota (`presence.quotaShare`). */
  readonly quotaShare: number;
  /** The agents' mapping as loaded at start (`write.agents.mappingFile`, or the shipped mapping). */
  readonly agentRules: readonly AgentPresenceRule[];
  readonly agents: readonly AgentEntry[];
  readonly contactCenterOfAgent: (agentId: string) => string;
  /** Whether replicas share the database (reported agent states and agents' sessions are then re-read). */
  readonly replicas: boolean;
  /** The committed-event spine: agents' own sessions (alone; replicas re-read them). */
  readonly commands: InteractionService;
}

/** Builds the feature (nothing is written until `start`). */
export function createPresenceWrites(
  options: PresenceWriteOptions,
  infra: Infrastructure,
  parts: PresenceWritesParts,
): PresenceWrites {
  const log = infra.logger.child({ part: 'presence-writes' });
  const writesPerWindow = Math.max(1, Math.floor(options.writeShare * parts.quotaShare * QUOTA_CALLS));
  const holder = parts.presence.shards;
  const writer = new PresenceWriter(
    { expirationMinutes: options.expirationMinutes },
    {
      store: createSqlPresenceWriteStore(infra.database),
      gateway: createGraphPresenceWriteGateway(parts.graph.client, parts.clientId, parts.graph.presenceQuota),
      clock: infra.clock,
      owns: (id) => holder.holdsUser(id),
      budget: new CallWindow(writesPerWindow, QUOTA_WINDOW_MS),
      logger: log,
    },
  );
  const inSession: ShownPresence = {
    availability: options.experts.availability,
    activity: options.experts.activity,
    statusMessage: options.experts.statusMessage ?? null,
  };

  // What each person should show: a session's presence over an agent state.
  const bySession = new Map<string, ShownPresence>();
  const byAgentState = new Map<string, ShownPresence>();
  const show = (userId: string) => writer.want(userId, bySession.get(userId) ?? byAgentState.get(userId) ?? null);

  // Agents who use Teams too.
  const agentsOn = options.agents !== undefined;
  const teamsUserOf = new Map(parts.agents.flatMap((a) => (a.entraUserId ? [[a.id, a.entraUserId] as const] : [])));
  const agentStore = createSqlAgentStateStore(infra.database);
  let rules = parts.agentRules;
  const reported = new Map<string, AgentContactState & { readonly reportedAt: number }>();
  // Sessions the connector itself sees (a chat, an IM, a consultation the agent is connected to) count as Busy on a
  // chat, over the reported state.
  const sessionsOf = new Map<string, Set<string>>();
  const applyAgent = (agentId: string): ShownPresence | null => {
    const userId = teamsUserOf.get(agentId);
    const inSession = (sessionsOf.get(agentId)?.size ?? 0) > 0;
    const state: AgentContactState | undefined = inSession ? { state: 'Busy', media: 'chat' } : reported.get(agentId);
    if (!userId) return null;
    const pair = state ? mapAgentState(rules, state) : null;
    if (pair) byAgentState.set(userId, { ...pair, statusMessage: null });
    else byAgentState.delete(userId);
    show(userId);
    return byAgentState.get(userId) ?? null;
  };
  const learn = (records: readonly (AgentContactState & { agentId: string; reportedAt: number })[]) => {
    for (const r of records) {
      const known = reported.get(r.agentId);
      if (known && known.reportedAt > r.reportedAt) continue;
      reported.set(r.agentId, { state: r.state, reason: r.reason, media: r.media, reportedAt: r.reportedAt });
      applyAgent(r.agentId);
    }
  };
  const reporting: AgentStateReporting = {
    contactCenterOf: (agentId) =>
      parts.agents.some((a) => a.id === agentId) ? parts.contactCenterOfAgent(agentId) : undefined,
    usesTeams: (agentId) => teamsUserOf.has(agentId),
    async report(agentId, state) {
      const reportedAt = Math.max(infra.clock.now(), (reported.get(agentId)?.reportedAt ?? 0) + 1);
      await agentStore.put({ agentId, ...state, reportedAt });
      learn([{ agentId, ...state, reportedAt }]);
      const pair = byAgentState.get(teamsUserOf.get(agentId) ?? '');
      return pair ? { availability: pair.availability, activity: pair.activity } : null;
    },
  };

  const setSessions = (agentId: string, sessions: Set<string>) => {
    const before = sessionsOf.get(agentId)?.size ?? 0;
    if (sessions.size === 0) sessionsOf.delete(agentId);
    else sessionsOf.set(agentId, sessions);
    if (before > 0 !== sessions.size > 0) applyAgent(agentId);
  };
  if (agentsOn && !parts.replicas)
    parts.commands.onCommitted((info) => {
      for (const ix of info.interactions) {
        const live = activeAgents(ix);
        for (const p of ix.parties) {
          if (p.person.kind !== 'agent' || !teamsUserOf.has(p.person.id)) continue;
          const sessions = new Set(sessionsOf.get(p.person.id));
          if (live.has(p.person.id)) sessions.add(ix.id);
          else sessions.delete(ix.id);
          setSessions(p.person.id, sessions);
        }
      }
    });

  holder.onAcquired((ids) => {
    const agentUsers = [...teamsUserOf.values()].filter((id) => holder.holdsUser(id));
    writer
      .takeOver([...ids, ...agentUsers])
      .catch((err: unknown) => log.warn({ err: String(err) }, 'could not read the presences written for a shard'));
  });

  let stopWatching: (() => void) | null = null;
  let reread: NodeJS.Timeout | null = null;
  return {
    name: 'presence-writes',
    writer,
    writesPerWindow,
    routes: agentsOn ? agentStateRoutes(reporting) : [],
    sessionLoad(id, active) {
      if (active > 0) bySession.set(id, inSession);
      else bySession.delete(id);
      show(id);
    },
    start() {
      // Writing waits for the agents' reported states: a presence recorded for an agent must not be cleared before
      // what their state says is known.
      if (!agentsOn) writer.start();
      if (agentsOn) {
        let seen = 0;
        const readAgents = () =>
          agentStore
            .since(Math.max(0, seen - AGENT_REREAD_OVERLAP_MS))
            .then((records) => {
              for (const r of records) seen = Math.max(seen, r.reportedAt);
              learn(records);
            })
            .catch((err: unknown) => log.warn({ err: String(err) }, 'could not read reported agent states'));
        // Agents in sessions: read at start (and, with replicas, every second: any replica may commit them).
        const readSessions = () =>
          agentStore
            .inSessions()
            .then((rows) => {
              const live = new Map<string, Set<string>>();
              for (const r of rows) live.set(r.agentId, (live.get(r.agentId) ?? new Set()).add(r.interactionId));
              for (const agentId of teamsUserOf.keys()) setSessions(agentId, live.get(agentId) ?? new Set());
            })
            .catch((err: unknown) => log.warn({ err: String(err) }, 'could not read agents’ sessions'));
        void Promise.all([readAgents(), readSessions()]).then(() => writer.start());
        if (parts.replicas) {
          reread = setInterval(() => void readAgents().then(readSessions), AGENT_REREAD_MS);
          reread.unref();
        }
        const mappingFile = options.agents?.mappingFile;
        if (mappingFile)
          stopWatching = watchAgentPresenceMapping({
            path: mappingFile,
            onRules: (next) => {
              rules = next;
              for (const agentId of reported.keys()) applyAgent(agentId);
            },
            logger: log,
          });
      }
      log.info(
        {
          shows: `${inSession.availability}/${inSession.activity}`,
          writesPerWindow,
          agents: agentsOn ? teamsUserOf.size : 0,
        },
        'presence writes started: the contact center’s state shows in Teams',
      );
    },
    async stop() {
      stopWatching?.();
      if (reread) clearInterval(reread);
      await writer.stop();
    },
  };
}
