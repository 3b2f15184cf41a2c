/**
 * The YAML configuration file: the directory (knowledge workers, agents), routing points, queues and timeouts.
 * Secrets never live here: they come from the environment.
 */
import { z } from 'zod';
import { agentApiOptionsSchema } from '../adapters/agent-api/agent-api-options.js';
import { presenceFileSchema } from '../adapters/graph/presence-options.js';
import { teamsOptionsSchema } from '../adapters/teams/teams-options.js';
import { escalationOptionsSchema } from '../domain/escalation/voice-target.js';
import type { AgentEntry, QueueEntry } from '../domain/routing/directory.js';
import { knowledgeWorkersSchema } from '../domain/routing/knowledge-worker.js';
import { routingOptionsSchema } from '../domain/routing/routing-point.js';

/** The Teams bot's settings in the file; its credentials come from the environment. */
export const teamsFileSchema = teamsOptionsSchema.omit({
  botAppId: true,
  botAppPassword: true,
  botAppType: true,
  botTenantId: true,
});

const id = z.string().trim().min(1, 'must not be empty').max(200);
const name = z.string().trim().min(1, 'must not be empty').max(200);

export const agentSchema = z.strictObject({
  id,
  name,
  email: z.email().optional(),
  /** The agent's Entra user id, when they use Teams too: their contact-center state shows there (`presence.write.agents`). */
  entraUserId: z.string().trim().min(1).max(200).optional(),
});

export const queueSchema = z.strictObject({
  id,
  name,
  /** Agents who take chats from this queue (conference or consult through a queue). */
  members: z.array(id).default([]),
});

/** Replicas on one PostgreSQL database (ignored on SQLite): see docs/scale-out.md. */
export const scaleOutSchema = z.strictObject({
  /** How long a replica's hold on a presence shard lasts without renewal (renewed every third of it), ms. */
  leaseMs: z.number().int().min(300).max(600_000).default(30_000),
  /** How often every replica wakes its workers anyway, in case a notification was lost, ms. */
  wakeEveryMs: z.number().int().min(100).max(600_000).default(5_000),
});

export const configFileSchema = z.strictObject({
  directory: z
    .strictObject({
      /** Knowledge workers: see src/domain/routing/knowledge-worker.ts. */
      knowledgeWorkers: knowledgeWorkersSchema.default([]),
      agents: z.array(agentSchema).default([]),
    })
    .default({ knowledgeWorkers: [], agents: [] }),
  /** Routing points and the named-target preview timeout: see src/domain/routing/routing-point.ts. */
  routing: routingOptionsSchema.default({
    routingPoints: [],
    namedPreviewTimeoutMs: 30_000,
    groupSyncIntervalMs: 300_000,
  }),
  queues: z.array(queueSchema).default([]),
  /** The Teams bot: allowed tenants, case-information fields on the preview, send limits. Without it the bot is off. */
  teams: teamsFileSchema.optional(),
  /** The presence engine (Graph presence → agent states). Without it, routing reads the directory's static states. */
  presence: presenceFileSchema.optional(),
  /** Voice targets: the default country code for E.164. */
  escalation: escalationOptionsSchema.default(escalationOptionsSchema.parse({})),
  /** The agent side (API, events, webhooks): see src/adapters/agent-api/agent-api-options.ts. */
  agentApi: agentApiOptionsSchema.default(agentApiOptionsSchema.parse({})),
  /** Several replicas on one PostgreSQL database. */
  scaleOut: scaleOutSchema.default(scaleOutSchema.parse({})),
});

/** The parsed configuration file. */
export type ConfigFile = z.infer<typeof configFileSchema>;

/** The `scaleOut` section as parsed (defaults applied). */
export type ScaleOutOptions = z.infer<typeof scaleOutSchema>;

/** `T`, provided it is assignable to `U`: a type error at its use means the two have drifted apart. */
type AssignableTo<U, T extends U> = T;

/**
 * Compile-time check: what the schema parses is the domain's plain types (src/domain/routing/directory.ts), so
 * services and adapters use those and never import configuration. `tsc` fails here when a schema and its type drift.
 */
export type SchemaFitsDomain = [
  AssignableTo<AgentEntry, z.infer<typeof agentSchema>>,
  AssignableTo<QueueEntry, z.infer<typeof queueSchema>>,
  AssignableTo<readonly AgentEntry[], ConfigFile['directory']['agents']>,
  AssignableTo<readonly QueueEntry[], ConfigFile['queues']>,
];
