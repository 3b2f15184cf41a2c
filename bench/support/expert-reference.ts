/** The stored 1:1 conversation reference of benchmark expert `kw-<i>`, as an installation would have left it. */
import type { StoredConversationReference } from '../../src/ports/teams/conversation-reference-store.js';

/** Expert `kw-<i>`'s reference in `tenantId`, served by the Bot Connector at `serviceUrl`. */
export function expertReference(i: number, tenantId: string, serviceUrl: string): StoredConversationReference {
  const conversation = { id: `a:kw-${i}`, conversationType: 'personal', tenantId, isGroup: false, name: '' };
  return {
    userId: `kw-${i}`,
    tenantId,
    serviceUrl,
    conversationId: conversation.id,
    updatedAt: 0,
    reference: {
      channelId: 'msteams',
      serviceUrl,
      conversation,
      bot: { id: '28:bench-bot', name: 'bench' },
      user: { id: `29:kw-${i}`, name: `Expert ${i}`, aadObjectId: `kw-${i}` },
    },
  };
}
