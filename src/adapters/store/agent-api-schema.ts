/**
 * Row types of the agent side's tables (migration 100-agent-api), kept apart from the engine's schema and joined
 * to it with Kysely's `withTables`.
 */
import type { ColumnType, Generated, Kysely } from 'kysely';
import type { Database } from './schema.js';

type Millis = ColumnType<number, number, number>;

/** An API key: only its SHA-256 hash is kept. */
export interface ApiKeysTable {
  id: string;
  hash: string;
  contact_center: string;
  /** The agent the key acts as; null for a platform key (acts for the agent named in `X-Agent-Id`). */
  agent_id: string | null;
  label: string;
  created_at: Millis;
  revoked_at: Millis | null;
}

/** One event of the log agents' streams and webhooks read; `seq` orders it. */
export interface AgentEventsTable {
  seq: Generated<number>;
  /** The effect id (or another stable id) the event came from: appending twice keeps one. */
  source_id: string;
  contact_center: string;
  agent_id: string | null;
  /** `agent` (one agent), `platform` (the contact-center platform), `broadcast` (everyone in the contact center). */
  audience: string;
  type: string;
  interaction_id: string | null;
  data: string;
  created_at: Millis;
}

/** The contact center an interaction created through the API belongs to. */
export interface ApiInteractionsTable {
  interaction_id: string;
  contact_center: string;
}

/** A webhook endpoint of a contact center. */
export interface WebhookSubscriptionsTable {
  id: string;
  contact_center: string;
  url: string;
  /** The Standard Webhooks signing secret (`whsec_…`); needed in clear to sign. */
  secret: string;
  /** JSON array of event types, empty for all. */
  types: string;
  created_at: Millis;
  deleted_at: Millis | null;
}

/** One event to deliver to one endpoint: the webhook outbox. */
export interface WebhookDeliveriesTable {
  subscription_id: string;
  event_seq: Millis;
  status: string;
  attempts: number;
  next_at: Millis;
  claimed_until: Millis | null;
  last_error: string | null;
}

/** The agent side's tables. */
export type AgentApiTables = {
  api_keys: ApiKeysTable;
  agent_events: AgentEventsTable;
  api_interactions: ApiInteractionsTable;
  webhook_subscriptions: WebhookSubscriptionsTable;
  webhook_deliveries: WebhookDeliveriesTable;
};

/** The database seen with the agent side's tables. */
export type AgentApiDb = Kysely<Database & AgentApiTables>;

/** Widens the engine's database handle to the agent side's tables. */
export function agentApiDb(db: Kysely<Database>): AgentApiDb {
  return db.withTables<AgentApiTables>();
}
