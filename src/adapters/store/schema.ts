/**
 * Table row types for Kysely. One schema for SQLite (embedded default) and PostgreSQL (scale-out):
 * times are epoch milliseconds in bigint columns, structured values are JSON text.
 */
import type { ColumnType, Generated } from 'kysely';

/** A bigint column read as a number (the PostgreSQL driver is told to parse int8 as a number). */
type Millis = ColumnType<number, number, number>;

export interface InteractionsTable {
  id: string;
  media: string;
  origin: string;
  attached_data: string;
  created_at: Millis;
  ended_at: Millis | null;
  owner_party_id: string | null;
  mediation: string | null;
  home_queue: string | null;
  mediation_since: Millis | null;
  request: string | null;
  consultation_ids: string;
  parent_id: string | null;
  request_count: number;
  revision: number;
  /** The routing point the open request waits at (migration 340-routing-waits); null when it does not wait. */
  wait_point?: string | null;
  wait_since?: Millis | null;
  wait_until?: Millis | null;
  wait_priority?: number | null;
  /** Until when a replica holds the expiry of this wait; null when unclaimed. */
  wait_claimed_until?: Millis | null;
}

export interface PartiesTable {
  interaction_id: string;
  id: string;
  person_id: string;
  person_name: string;
  person_kind: string;
  role: string;
  visibility: string;
  status: string;
  invitation_id: string | null;
  via: string | null;
  invited_at: Millis;
  /** When the party's request began waiting at `via` (migration 370-mediation-time); null when offered at once. */
  mediated_since?: Millis | null;
  connected_at: Millis | null;
  ended_at: Millis | null;
  exit: string | null;
}

export interface InvitationsTable {
  interaction_id: string;
  id: string;
  kind: string;
  request_id: string;
  party_id: string;
  target_id: string;
  target_name: string;
  target_kind: string;
  inviter_party_id: string | null;
  via: string | null;
  created_at: Millis;
  due_at: Millis;
  /** Until when a replica holds the time-out of this invitation (scale-out); null when unclaimed. */
  claimed_until: ColumnType<number | null, number | null | undefined, number | null>;
  state: string;
  revoke_cause: string | null;
  ended_at: Millis | null;
}

export interface TranscriptEntriesTable {
  interaction_id: string;
  seq: number;
  at: Millis;
  kind: string;
  party_id: string | null;
  name: string | null;
  text: string;
  audience: string;
  event: string | null;
}

export interface ResourceFactsTable {
  id: Generated<number>;
  interaction_id: string;
  party_id: string | null;
  media: string;
  resource_kind: string;
  resource_id: string;
  resource_name: string;
  role: string;
  result: string;
  reason: string | null;
  outcome: string;
  routing_point_id: string | null;
  started_at: Millis;
  ended_at: Millis;
  alert_ms: Millis;
  engage_ms: Millis;
  /** Mediation time (migration 370-mediation-time); null (read as 0) when there was none. */
  mediation_ms?: Millis | null;
}

export interface OutboxTable {
  /** `<interactionId>/<revision>/<index>`: unique, and the idempotency key handed to ports. */
  id: string;
  interaction_id: string;
  revision: number;
  idx: number;
  type: string;
  effect: string;
  status: string;
  attempts: number;
  available_at: Millis;
  claimed_until: Millis | null;
  last_error: string | null;
  created_at: Millis;
}

export interface ConversationRefsTable {
  user_id: string;
  tenant_id: string;
  service_url: string;
  conversation_id: string;
  reference: string;
  updated_at: Millis;
}

export interface SentCardsTable {
  interaction_id: string;
  invitation_id: string;
  user_id: string;
  conversation_id: string;
  activity_id: string;
  headline: string;
  from_name: string | null;
  seq: number;
}

/** A named lease (migration 200-scale-out): held by `owner` until `expires_at`. */
export interface LeasesTable {
  name: string;
  owner: string;
  expires_at: Millis;
  acquired_at: Millis;
}

export interface Database {
  leases: LeasesTable;
  conversation_refs: ConversationRefsTable;
  sent_cards: SentCardsTable;
  interactions: InteractionsTable;
  parties: PartiesTable;
  invitations: InvitationsTable;
  transcript_entries: TranscriptEntriesTable;
  resource_facts: ResourceFactsTable;
  outbox: OutboxTable;
}
