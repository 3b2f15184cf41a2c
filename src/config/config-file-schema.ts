/**
 * The YAML configuration file: the directory (knowledge workers, agents), routing points, queues and timeouts.
 * Secrets never live here: they come from the environment.
 */
import { z } from 'zod';

const id = z.string().trim().min(1, 'must not be empty').max(200);
const name = z.string().trim().min(1, 'must not be empty').max(200);

/** A static agent state from the directory, used until Graph presence is configured. */
export const staticStateSchema = z.enum(['Ready', 'NotReady', 'Busy', 'LoggedOut']);

export const knowledgeWorkerSchema = z.strictObject({
  /** Entra ID object id (aadObjectId). */
  id,
  name,
  email: z.email().optional(),
  phone: z.string().trim().min(3).max(40).optional(),
  skills: z.array(z.string().trim().min(1)).default([]),
  state: staticStateSchema.default('Ready'),
});

export const agentSchema = z.strictObject({ id, name, email: z.email().optional() });

export const routingPointSchema = z.strictObject({
  id,
  name,
  /** Knowledge worker ids (directory ids). */
  members: z.array(id).min(1, 'a routing point needs at least one member'),
  strategy: z.enum(['round-robin', 'longest-idle', 'priority', 'broadcast']).default('round-robin'),
  previewTimeoutSeconds: z.number().int().min(5).max(600).default(30),
  maxOffers: z.number().int().min(1).max(100).default(3),
  /** Another routing point to try when no member takes it; otherwise the agent is told "no expert available". */
  defaultRoute: z.strictObject({ routingPoint: id }).optional(),
});

export const queueSchema = z.strictObject({
  id,
  name,
  /** Agents who take chats from this queue (conference or consult through a queue). */
  members: z.array(id).default([]),
});

export const configFileSchema = z.strictObject({
  directory: z
    .strictObject({
      knowledgeWorkers: z.array(knowledgeWorkerSchema).default([]),
      agents: z.array(agentSchema).default([]),
    })
    .default({ knowledgeWorkers: [], agents: [] }),
  routingPoints: z.array(routingPointSchema).default([]),
  queues: z.array(queueSchema).default([]),
  timeouts: z
    .strictObject({
      /** Default preview timeout for invitations not sent through a routing point. */
      previewSeconds: z.number().int().min(5).max(600).default(30),
    })
    .default({ previewSeconds: 30 }),
});

/** The parsed configuration file. */
export type ConfigFile = z.infer<typeof configFileSchema>;
export type KnowledgeWorkerEntry = z.infer<typeof knowledgeWorkerSchema>;
export type AgentEntry = z.infer<typeof agentSchema>;
export type RoutingPointEntry = z.infer<typeof routingPointSchema>;
export type QueueEntry = z.infer<typeof queueSchema>;
