/**
 * `npm run bench -- teams-send`: proactive sends to 200 conversations, sustained for over 60 s, through the
 * Messenger, botbuilder's CloudAdapter and the rate-limited sender into the Bot Connector emulator, which enforces
 * the Teams limits. Target: at least 0.9 × the per-tenant limit, zero 429s, no conversation over its own limits.
 */

import { createBotAdapter } from '../src/adapters/teams/bot-adapter.js';
import { createRateLimitedSender } from '../src/adapters/teams/rate-limited-sender.js';
import { createServiceUrlPolicy } from '../src/adapters/teams/service-urls.js';
import { TeamsMessenger } from '../src/adapters/teams/teams-messenger.js';
import { DEFAULT_OPENID_METADATA_URL } from '../src/adapters/teams/teams-options.js';
import { startBotConnectorEmulator } from '../src/dev/bot-connector-emulator/bot-connector-emulator.js';
import type { Deliver } from '../src/domain/interaction/effects.js';
import { createLogger } from '../src/logger.js';
import { InMemoryCardActivityStore } from '../src/ports/teams/card-activity-store.js';
import { InMemoryConversationReferenceStore } from '../src/ports/teams/conversation-reference-store.js';
import { expertReference } from './support/expert-reference.js';

export const name = 'teams-send';

const CONVERSATIONS = 200;
const TENANT_LIMIT = 50; // per second, the emulator's and the sender's
const PER_CONVERSATION = 16; // 3,200 sends: about 65 s at the tenant limit
const TENANT = 'bench-tenant';

export async function run(): Promise<Record<string, { value: number; unit: string; [k: string]: unknown }>> {
  const emulator = await startBotConnectorEmulator({ tenantPerSecond: TENANT_LIMIT });
  const references = new InMemoryConversationReferenceStore();
  const sender = createRateLimitedSender({ perTenant: [{ limit: TENANT_LIMIT, windowMs: 1000 }] });
  const messenger = new TeamsMessenger({
    adapter: createBotAdapter(
      { botAppId: '', botAppPassword: '', botAppType: 'MultiTenant', openIdMetadataUrl: DEFAULT_OPENID_METADATA_URL },
      createLogger('silent'),
    ),
    botAppId: '',
    serviceUrls: createServiceUrlPolicy({ allowed: [], localMode: true }),
    references,
    cards: new InMemoryCardActivityStore(),
    sender,
    // Only lines are sent here: no card is built from an interaction's state.
    interactions: { get: async () => undefined },
  });
  for (let i = 0; i < CONVERSATIONS; i++) await references.put(expertReference(i, TENANT, emulator.serviceUrl));
  const started = performance.now();
  const sends: Promise<unknown>[] = [];
  for (let n = 0; n < PER_CONVERSATION; n++) {
    for (let i = 0; i < CONVERSATIONS; i++) {
      const effect: Deliver = {
        type: 'Deliver',
        interactionId: `ix-${i}`,
        partyId: 'p',
        to: { id: `kw-${i}`, name: `KW ${i}`, kind: 'knowledge-worker' },
        entry: {
          seq: n,
          at: 0,
          kind: 'message',
          partyId: 'a',
          name: 'Kate Lewis',
          text: `message ${n}`,
          audience: 'all',
          event: null,
        },
      };
      sends.push(messenger.execute(effect));
    }
  }
  const outcomes = await Promise.allSettled(sends);
  const seconds = (performance.now() - started) / 1000;
  const stats = emulator.stats();
  const throttled = emulator.requests.filter((r) => r.status === 429).length;
  // Per conversation, the messages must arrive in order, each exactly once.
  let misordered = 0;
  for (let i = 0; i < CONVERSATIONS; i++) {
    const texts = emulator.activitiesOf(`a:kw-${i}`).map((a) => a.text);
    const expected = Array.from({ length: PER_CONVERSATION }, (_, n) => `Kate Lewis: message ${n}`);
    if (JSON.stringify(texts) !== JSON.stringify(expected)) misordered++;
  }
  await emulator.close();
  const rate = stats.accepted / seconds;
  return {
    'teams-send.rate': {
      value: Math.round(rate * 10) / 10,
      unit: 'sends/s',
      ratioToTenantLimit: Math.round((rate / TENANT_LIMIT) * 1000) / 1000,
      tenantLimit: TENANT_LIMIT,
      conversations: CONVERSATIONS,
      sends: stats.accepted,
      seconds: Math.round(seconds * 10) / 10,
      failed: outcomes.filter((o) => o.status === 'rejected').length,
    },
    'teams-send.429s': { value: throttled, unit: 'responses', senderRetries: sender.stats.retries },
    'teams-send.conversation-peaks': {
      value: Math.max(...stats.conversationPeaks.map((p, i) => p / ([7, 8, 60][i] as number))),
      unit: 'ratio to limit',
      peaks: stats.conversationPeaks,
      limits: [7, 8, 60],
    },
    'teams-send.tenant-peak': { value: stats.tenantPeak, unit: 'sends in 1 s', limit: TENANT_LIMIT },
    'teams-send.misordered-conversations': { value: misordered, unit: 'conversations' },
  };
}
