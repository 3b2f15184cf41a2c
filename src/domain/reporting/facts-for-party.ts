/**
 * Derives the resource fact that closes a participation, following the 11 flows of 002
 * (reference/infomart-flows.md). Pure: reads the ended party and its interaction.
 */
import type { Interaction, MediationRef, Party } from '../interaction/types.js';
import type { FactReason, FactResult, FactRole, ResourceFact } from './resource-fact.js';

/** The fact for a party that has just ended, or null for the customer (not a resource). */
export function factForParty(interaction: Interaction, party: Party): ResourceFact | null {
  if (party.role === 'Customer' || party.endedAt === null || party.exit === null) return null;
  const role: FactRole = party.role;
  let result: FactResult;
  let reason: FactReason | null = null;
  if (role === 'Initiated') {
    const anyoneConnected = interaction.parties.some((p) => p.id !== party.id && p.connectedAt !== null);
    result = anyoneConnected ? 'Completed' : 'Abandoned';
  } else if (party.connectedAt !== null) {
    result = party.exit === 'transferred_away' ? 'Transferred' : 'Completed';
  } else if (party.exit === 'customer_left') {
    result = 'CustomerAbandoned';
    reason = 'AbandonedWhileRinging';
  } else {
    // Declined, timed out, withdrawn, taken by another, or never delivered (`unreachable`): not accepted, revoked
    // (flows 2, 4 and 6); the finer outcome keeps them apart.
    result = role === 'RoutedTo' ? 'Redirected' : 'Abandoned';
    reason = 'Revoked';
  }
  const answeredAt = party.connectedAt ?? party.endedAt;
  return {
    interactionId: interaction.id,
    partyId: party.id,
    media: interaction.media,
    resource: {
      kind: party.person.kind === 'agent' ? 'agent' : 'knowledge-worker',
      id: party.person.id,
      name: party.person.name,
    },
    role,
    result,
    reason,
    outcome: party.exit,
    routingPointId: party.via?.id ?? null,
    startedAt: party.invitedAt,
    endedAt: party.endedAt,
    alertMs: role === 'Initiated' ? 0 : Math.max(0, answeredAt - party.invitedAt),
    engageMs: party.connectedAt === null ? 0 : Math.max(0, party.endedAt - party.connectedAt),
    mediationMs:
      party.via === null || party.mediatedSince === undefined ? 0 : Math.max(0, party.invitedAt - party.mediatedSince),
  };
}

/**
 * The fact for the queue (Received/CustomerAbandoned [AbandonedWhileQueued]) or the routing point
 * (Puller/CustomerAbandoned) that held a chat when the customer left before anyone was offered it.
 */
export function factForMediation(
  interaction: Interaction,
  mediation: MediationRef,
  since: number,
  now: number,
): ResourceFact {
  const queued = mediation.kind === 'queue';
  return {
    interactionId: interaction.id,
    partyId: null,
    media: interaction.media,
    resource: { kind: mediation.kind, id: mediation.id, name: mediation.name },
    role: queued ? 'Received' : 'Puller',
    result: 'CustomerAbandoned',
    reason: queued ? 'AbandonedWhileQueued' : null,
    outcome: 'customer_left',
    routingPointId: mediation.id,
    startedAt: since,
    endedAt: now,
    alertMs: 0,
    engageMs: 0,
    mediationMs: Math.max(0, now - since),
  };
}
