/**
 * `npm run bench -- route-to-card`: time from a consultation request to the preview card's POST at the Bot
 * Connector, with 10,000 knowledge workers (and their conversation references) in the directory. The path: the
 * engine (StartIm → RouteRequest → Offer → SendPreview), the Messenger, the rate-limited sender, botbuilder's
 * CloudAdapter, HTTP to the emulator. The routing strategy here is a plain round-robin over the directory (the
 * real strategies live in src/domain/routing); the rate limits are raised so that only latency is measured.
 */
import { InMemoryActiveSessionStore } from '../src/adapters/teams/active-session-store.js';
import { createBotAdapter } from '../src/adapters/teams/bot-endpoint.js';
import { InMemoryCardActivityStore } from '../src/adapters/teams/card-activity-store.js';
import { InMemoryConversationReferenceStore } from '../src/adapters/teams/conversation-reference-store.js';
import { createRateLimitedSender } from '../src/adapters/teams/rate-limited-sender.js';
import { TeamsMessenger } from '../src/adapters/teams/teams-messenger.js';
import { startBotConnectorEmulator } from '../src/dev/bot-connector-emulator/bot-connector-emulator.js';
import { InMemoryInteractionCommands } from '../src/dev/in-memory-interaction-commands.js';
import type { PersonRef } from '../src/domain/interaction/types.js';

export const name = 'route-to-card';

const DIRECTORY = 10_000;
const WARMUP = 50;
const SAMPLES = 1_000;
const TENANT = 'bench-tenant';

export async function run(): Promise<Record<string, { value: number; unit: string; [k: string]: unknown }>> {
  const emulator = await startBotConnectorEmulator({ tenantPerSecond: 1_000_000 });
  const references = new InMemoryConversationReferenceStore();
  const directory: PersonRef[] = [];
  for (let i = 0; i < DIRECTORY; i++) {
    const kw: PersonRef = { id: `kw-${i}`, name: `Expert ${i}`, kind: 'knowledge-worker' };
    directory.push(kw);
    const conversation = { id: `a:kw-${i}`, conversationType: 'personal', tenantId: TENANT, isGroup: false, name: '' };
    await references.put({
      userId: kw.id,
      tenantId: TENANT,
      serviceUrl: emulator.serviceUrl,
      conversationId: conversation.id,
      updatedAt: 0,
      reference: {
        channelId: 'msteams',
        serviceUrl: emulator.serviceUrl,
        conversation,
        bot: { id: '28:bench', name: 'bench' },
        user: { id: `29:${kw.id}`, name: kw.name, aadObjectId: kw.id },
      },
    });
  }
  const messenger = new TeamsMessenger({
    adapter: createBotAdapter({ botAppId: '', botAppPassword: '', botAppType: 'MultiTenant' }),
    botAppId: '',
    references,
    cards: new InMemoryCardActivityStore(),
    sessions: new InMemoryActiveSessionStore(),
    sender: createRateLimitedSender({ perTenant: [{ limit: 1_000_000, windowMs: 1000 }] }),
  });
  const commands = new InMemoryInteractionCommands({
    onEffects: async (effects) => {
      for (const e of effects) await messenger.execute(e);
    },
  });
  const agent: PersonRef = { id: 'agent-kate', name: 'Kate Lewis', kind: 'agent' };
  const rp = { kind: 'routing-point' as const, id: 'rp-1', name: 'Experts' };
  const times: number[] = [];
  let next = 0;
  for (let n = 0; n < WARMUP + SAMPLES; n++) {
    const interactionId = `ix-${n}`;
    const started = performance.now();
    const res = await commands.execute({
      type: 'StartIm',
      interactionId,
      initiator: agent,
      target: rp,
      text: 'Can you help with a broken TV?',
      attachedData: { Priority: 'High', Reason: 'Broken TV' },
    });
    if (!res.ok) throw new Error(res.refusal.message);
    const request = res.interactions[0]?.request;
    if (!request) throw new Error('no request');
    const kw = directory[next++ % DIRECTORY] as PersonRef;
    const offered = await commands.execute({
      type: 'Offer',
      interactionId,
      requestId: request.id,
      targets: [kw],
      via: rp,
      timeoutMs: 30_000,
    });
    if (!offered.ok) throw new Error(offered.refusal.message);
    if (n >= WARMUP) times.push(performance.now() - started);
  }
  await emulator.close();
  times.sort((a, b) => a - b);
  const q = (p: number) =>
    Math.round((times[Math.min(times.length - 1, Math.floor(p * times.length))] as number) * 100) / 100;
  return {
    'route-to-card.p99': {
      value: q(0.99),
      unit: 'ms',
      p50: q(0.5),
      p90: q(0.9),
      max: q(1),
      samples: SAMPLES,
      directory: DIRECTORY,
      target: 20,
    },
  };
}
