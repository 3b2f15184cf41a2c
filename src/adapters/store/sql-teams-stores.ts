/**
 * The Teams ports on the database: conversation references and sent preview cards. (Each user's current session is
 * the active-sessions read model's: `sql-active-sessions.ts`.)
 */
import type { CardActivityStore, SentCard } from '../../ports/teams/card-activity-store.js';
import type {
  ConversationReferenceStore,
  StoredConversationReference,
} from '../../ports/teams/conversation-reference-store.js';
import type { OpenDatabase } from './open-database.js';

/** Conversation references, durable. */
export function createSqlConversationReferenceStore({ db }: OpenDatabase): ConversationReferenceStore {
  return {
    async get(userId) {
      const r = await db.selectFrom('conversation_refs').selectAll().where('user_id', '=', userId).executeTakeFirst();
      if (!r) return undefined;
      return {
        userId: r.user_id,
        tenantId: r.tenant_id,
        serviceUrl: r.service_url,
        conversationId: r.conversation_id,
        reference: JSON.parse(r.reference) as StoredConversationReference['reference'],
        updatedAt: Number(r.updated_at),
      };
    },
    async put(ref) {
      const values = {
        user_id: ref.userId,
        tenant_id: ref.tenantId,
        service_url: ref.serviceUrl,
        conversation_id: ref.conversationId,
        reference: JSON.stringify(ref.reference),
        updated_at: ref.updatedAt,
      };
      await db
        .insertInto('conversation_refs')
        .values(values)
        .onConflict((oc) => oc.column('user_id').doUpdateSet(values))
        .execute();
    },
    async delete(userId) {
      await db.deleteFrom('conversation_refs').where('user_id', '=', userId).execute();
    },
  };
}

/** Sent preview cards, durable, so a card is replaced after a restart too. */
export function createSqlCardActivityStore({ db }: OpenDatabase): CardActivityStore {
  const toCard = (r: {
    interaction_id: string;
    invitation_id: string;
    user_id: string;
    conversation_id: string;
    activity_id: string;
    headline: string;
    from_name: string | null;
  }): SentCard => ({
    interactionId: r.interaction_id,
    invitationId: r.invitation_id,
    userId: r.user_id,
    conversationId: r.conversation_id,
    activityId: r.activity_id,
    headline: r.headline,
    fromName: r.from_name,
  });
  return {
    async get(interactionId, invitationId) {
      const r = await db
        .selectFrom('sent_cards')
        .selectAll()
        .where('interaction_id', '=', interactionId)
        .where('invitation_id', '=', invitationId)
        .executeTakeFirst();
      return r ? toCard(r) : undefined;
    },
    async put(card) {
      const values = {
        interaction_id: card.interactionId,
        invitation_id: card.invitationId,
        user_id: card.userId,
        conversation_id: card.conversationId,
        activity_id: card.activityId,
        headline: card.headline,
        from_name: card.fromName,
        seq: Number(card.invitationId.replace(/\D/g, '')) || 0,
      };
      await db
        .insertInto('sent_cards')
        .values(values)
        .onConflict((oc) => oc.columns(['interaction_id', 'invitation_id']).doUpdateSet(values))
        .execute();
    },
    async listFor(interactionId, userId) {
      const rows = await db
        .selectFrom('sent_cards')
        .selectAll()
        .where('interaction_id', '=', interactionId)
        .where('user_id', '=', userId)
        .orderBy('seq')
        .execute();
      return rows.map(toCard);
    },
  };
}
