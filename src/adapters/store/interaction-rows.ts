/** Maps interactions to table rows and back, and finds the rows a change touches. Pure. */
import type { Insertable, Selectable } from 'kysely';
import type { Interaction, Invitation, Party, TranscriptEntry } from '../../domain/interaction/types.js';
import type { ResourceFact } from '../../domain/reporting/resource-fact.js';
import type { ClaimedAtCommit, OutboxEntry } from '../../ports/interaction-store.js';
import type {
  InteractionsTable,
  InvitationsTable,
  OutboxTable,
  PartiesTable,
  ResourceFactsTable,
  TranscriptEntriesTable,
} from './schema.js';

const json = (v: unknown): string => JSON.stringify(v);
const parse = <T>(v: string | null): T => (v === null ? (null as T) : (JSON.parse(v) as T));

export function interactionRow(ix: Interaction): Insertable<InteractionsTable> {
  return {
    id: ix.id,
    media: ix.media,
    origin: json(ix.origin),
    attached_data: json(ix.attachedData),
    created_at: ix.createdAt,
    ended_at: ix.endedAt,
    owner_party_id: ix.ownerPartyId,
    mediation: ix.mediation ? json(ix.mediation) : null,
    home_queue: ix.homeQueue ? json(ix.homeQueue) : null,
    mediation_since: ix.mediationSince,
    request: ix.request ? json(ix.request) : null,
    consultation_ids: json(ix.consultationIds),
    parent_id: ix.origin.kind === 'consultation' ? ix.origin.parentInteractionId : null,
    request_count: ix.requestCount,
    revision: ix.revision,
  };
}

/**
 * The waiting entry's columns (migration 340-routing-waits): a waiting request's routing point, place and deadline,
 * or nulls (and no claim). Written only when the interaction waits or waited before the change.
 */
function waitColumns(ix: Interaction): Partial<Insertable<InteractionsTable>> {
  const w = ix.endedAt === null ? ix.request?.waiting : null;
  if (!w)
    return { wait_point: null, wait_since: null, wait_until: null, wait_priority: null, wait_claimed_until: null };
  return { wait_point: w.routingPoint.id, wait_since: w.since, wait_until: w.until, wait_priority: w.priority };
}

export function partyRow(interactionId: string, p: Party): Insertable<PartiesTable> {
  return {
    interaction_id: interactionId,
    id: p.id,
    person_id: p.person.id,
    person_name: p.person.name,
    person_kind: p.person.kind,
    role: p.role,
    visibility: p.visibility,
    status: p.status,
    invitation_id: p.invitationId,
    via: p.via ? json(p.via) : null,
    invited_at: p.invitedAt,
    // Written only when set, so a database without migration 370-mediation-time still takes other parties.
    ...(p.mediatedSince !== undefined ? { mediated_since: p.mediatedSince } : {}),
    connected_at: p.connectedAt,
    ended_at: p.endedAt,
    exit: p.exit,
  };
}

export function invitationRow(interactionId: string, i: Invitation): Insertable<InvitationsTable> {
  return {
    interaction_id: interactionId,
    id: i.id,
    kind: i.kind,
    request_id: i.requestId,
    party_id: i.partyId,
    target_id: i.target.id,
    target_name: i.target.name,
    target_kind: i.target.kind,
    inviter_party_id: i.inviterPartyId,
    via: i.via ? json(i.via) : null,
    created_at: i.createdAt,
    due_at: i.dueAt,
    state: i.state,
    revoke_cause: i.revokeCause,
    ended_at: i.endedAt,
  };
}

export function entryRow(interactionId: string, e: TranscriptEntry): Insertable<TranscriptEntriesTable> {
  return {
    interaction_id: interactionId,
    seq: e.seq,
    at: e.at,
    kind: e.kind,
    party_id: e.partyId,
    name: e.name,
    text: e.text,
    audience: e.audience,
    event: e.event ? json(e.event) : null,
  };
}

export function factRow(f: ResourceFact): Insertable<ResourceFactsTable> {
  return {
    interaction_id: f.interactionId,
    party_id: f.partyId,
    media: f.media,
    resource_kind: f.resource.kind,
    resource_id: f.resource.id,
    resource_name: f.resource.name,
    role: f.role,
    result: f.result,
    reason: f.reason,
    outcome: f.outcome,
    routing_point_id: f.routingPointId,
    started_at: f.startedAt,
    ended_at: f.endedAt,
    alert_ms: f.alertMs,
    engage_ms: f.engageMs,
    // Written only when there was mediation (migration 370-mediation-time); null reads back as 0.
    ...(f.mediationMs > 0 ? { mediation_ms: f.mediationMs } : {}),
  };
}

/** An effect's outbox id: stable, the ports' idempotency key. */
export function outboxIdOf(e: OutboxEntry): string {
  return `${e.interactionId}/${e.revision}/${e.idx}`;
}

/**
 * What a commit claimed of the effects it queued: the entries `isClaimed` accepts as items to run, and the
 * interactions of the others (held back behind earlier pending effects).
 */
export function claimedAtCommit(
  entries: readonly OutboxEntry[],
  isClaimed: (e: OutboxEntry) => boolean,
): ClaimedAtCommit {
  const claimed = entries.filter(isClaimed);
  return {
    items: claimed.map((e) => ({ id: outboxIdOf(e), interactionId: e.interactionId, effect: e.effect, attempts: 0 })),
    heldBack: [...new Set(entries.filter((e) => !isClaimed(e)).map((e) => e.interactionId))],
  };
}

/** An effect's outbox row, pending and available from `now`. */
export function outboxRow(e: OutboxEntry, now: number): Insertable<OutboxTable> {
  return {
    id: outboxIdOf(e),
    interaction_id: e.interactionId,
    revision: e.revision,
    idx: e.idx,
    type: e.effect.type,
    effect: JSON.stringify(e.effect),
    status: 'pending',
    attempts: 0,
    available_at: now,
    claimed_until: null,
    last_error: null,
    created_at: now,
  };
}

export function factFromRow(r: Selectable<ResourceFactsTable>): ResourceFact {
  return {
    interactionId: r.interaction_id,
    partyId: r.party_id,
    media: r.media as ResourceFact['media'],
    resource: { kind: r.resource_kind as ResourceFact['resource']['kind'], id: r.resource_id, name: r.resource_name },
    role: r.role as ResourceFact['role'],
    result: r.result as ResourceFact['result'],
    reason: r.reason as ResourceFact['reason'],
    outcome: r.outcome as ResourceFact['outcome'],
    routingPointId: r.routing_point_id,
    startedAt: Number(r.started_at),
    endedAt: Number(r.ended_at),
    alertMs: Number(r.alert_ms),
    engageMs: Number(r.engage_ms),
    mediationMs: Number(r.mediation_ms ?? 0),
  };
}

/** Rebuilds an interaction from its rows (parties, invitations and entries in their order). */
export function interactionFromRows(
  r: Selectable<InteractionsTable>,
  parties: Selectable<PartiesTable>[],
  invitations: Selectable<InvitationsTable>[],
  entries: Selectable<TranscriptEntriesTable>[],
): Interaction {
  const byNumber = (a: { id: string }, b: { id: string }) => Number(a.id.slice(1)) - Number(b.id.slice(1));
  const n = (v: number | null) => (v === null ? null : Number(v));
  return {
    id: r.id,
    media: r.media as Interaction['media'],
    origin: parse(r.origin),
    attachedData: parse(r.attached_data),
    createdAt: Number(r.created_at),
    endedAt: n(r.ended_at),
    ownerPartyId: r.owner_party_id,
    mediation: parse(r.mediation),
    homeQueue: parse(r.home_queue),
    mediationSince: n(r.mediation_since),
    request: parse(r.request),
    consultationIds: parse(r.consultation_ids),
    requestCount: r.request_count,
    revision: r.revision,
    parties: [...parties].sort(byNumber).map((p) => ({
      id: p.id,
      person: { id: p.person_id, name: p.person_name, kind: p.person_kind as Party['person']['kind'] },
      role: p.role as Party['role'],
      visibility: p.visibility as Party['visibility'],
      status: p.status as Party['status'],
      invitationId: p.invitation_id,
      via: parse(p.via),
      invitedAt: Number(p.invited_at),
      ...(p.mediated_since === null || p.mediated_since === undefined
        ? {}
        : { mediatedSince: Number(p.mediated_since) }),
      connectedAt: n(p.connected_at),
      endedAt: n(p.ended_at),
      exit: p.exit as Party['exit'],
    })),
    invitations: [...invitations].sort(byNumber).map((i) => ({
      id: i.id,
      kind: i.kind as Invitation['kind'],
      requestId: i.request_id,
      partyId: i.party_id,
      target: { id: i.target_id, name: i.target_name, kind: i.target_kind as Invitation['target']['kind'] },
      inviterPartyId: i.inviter_party_id,
      via: parse(i.via),
      createdAt: Number(i.created_at),
      dueAt: Number(i.due_at),
      state: i.state as Invitation['state'],
      revokeCause: i.revoke_cause as Invitation['revokeCause'],
      endedAt: n(i.ended_at),
    })),
    transcript: [...entries]
      .sort((a, b) => a.seq - b.seq)
      .map((e) => ({
        seq: e.seq,
        at: Number(e.at),
        kind: e.kind as TranscriptEntry['kind'],
        partyId: e.party_id,
        name: e.name,
        text: e.text,
        audience: e.audience as TranscriptEntry['audience'],
        event: parse(e.event),
      })),
  };
}

/** The rows to write for a change from `before` (undefined: a new interaction) to `after`. */
export interface RowChanges {
  /** The interaction's row; inserted when new, else updated where the stored revision is still `before`'s. */
  readonly interaction: Insertable<InteractionsTable>;
  readonly isNew: boolean;
  /** The revision the stored row must still have (`before`'s); null when new. */
  readonly expectedRevision: number | null;
  /** Parties and invitations that are new or changed (upserted). */
  readonly parties: Insertable<PartiesTable>[];
  readonly invitations: Insertable<InvitationsTable>[];
  /** Transcript entries appended. */
  readonly entries: Insertable<TranscriptEntriesTable>[];
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** What to write for a change of one interaction. */
export function rowChanges(before: Interaction | undefined, after: Interaction): RowChanges {
  const waits = Boolean(after.request?.waiting || before?.request?.waiting);
  return {
    interaction: waits ? { ...interactionRow(after), ...waitColumns(after) } : interactionRow(after),
    isNew: before === undefined,
    expectedRevision: before?.revision ?? null,
    parties: after.parties
      .filter(
        (p) =>
          !same(
            p,
            before?.parties.find((b) => b.id === p.id),
          ),
      )
      .map((p) => partyRow(after.id, p)),
    invitations: after.invitations
      .filter(
        (i) =>
          !same(
            i,
            before?.invitations.find((b) => b.id === i.id),
          ),
      )
      .map((i) => invitationRow(after.id, i)),
    entries: after.transcript.slice(before?.transcript.length ?? 0).map((e) => entryRow(after.id, e)),
  };
}
