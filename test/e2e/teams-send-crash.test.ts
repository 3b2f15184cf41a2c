/**
 * Killing the connector (SIGKILL, a real `src/main.ts` process on SQLite, and PostgreSQL when TEST_DATABASE_URL is set) at each point of a send to Teams, then
 * restarting it on the same database: Teams (the Bot Connector emulator, which holds the POST in flight) gets a
 * preview card or a relayed line once when the send surely never arrived or its answer was recorded, and at most twice
 * when it is in doubt (started, never answered as far as the database knows); every
 * copy of a preview refreshes to the current state when Teams shows it, and a click on any copy answers with the
 * current state, so no stale live card remains.
 */
import { afterEach, describe, expect, test } from 'vitest';
import type { HeldRequest } from '../../src/dev/bot-connector-emulator/bot-connector-emulator.js';
import { buttonsOf, type Card, saysOnCard, verbsOf } from '../support/adaptive-cards.js';
import { testDatabases } from '../support/databases.js';
import { eventually } from '../support/replicas.js';
import { ann, leo, previewCards, type SendCrashWorld, startSendCrashWorld } from '../support/send-crash-world.js';

/** Where the connector dies, and how many copies Teams then holds (the send is repeated once when in doubt). */
const KILL_POINTS: ReadonlyArray<{
  readonly point: string;
  readonly copies: number;
  readonly crash: (w: SendCrashWorld, held: HeldRequest) => Promise<void>;
}> = [
  {
    point: 'before the POST reached Teams',
    copies: 1,
    crash: (w, held) => w.crashAndRestart(() => held.drop()),
  },
  {
    point: 'during the POST (Teams takes it after the crash)',
    copies: 2,
    crash: (w, held) => w.crashAndRestart(() => held.accept()),
  },
  {
    point: 'after Teams answered, before the answer was recorded',
    copies: 2,
    crash: async (w, held) => {
      const release = await w.lockSends();
      try {
        await held.accept();
      } finally {
        await w.crashAndRestart(release);
      }
    },
  },
  {
    point: 'after the answer was recorded, before the outbox marked the effect done',
    copies: 1,
    crash: async (w, held) => {
      const release = await w.holdOutboxDone();
      try {
        await held.accept();
        await w.recordedSend();
      } finally {
        await w.crashAndRestart(release);
      }
    },
  },
];

const CHAT = `a:${ann.id}`;
let world: SendCrashWorld | undefined;

afterEach(async () => {
  await world?.close();
  world = undefined;
});

/** The Action.Execute of a card's button `verb`. */
function actionOf(card: Card | undefined, verb: string): Record<string, unknown> {
  const button = buttonsOf(card).find((b) => b.verb === verb);
  if (!button) throw new Error(`the card has no ${verb} button`);
  return { type: 'Action.Execute', title: button.title, verb, data: button.data };
}

describe.each(testDatabases())('the connector on $name killed while sending to Teams', { timeout: 240_000 }, (d) => {
  test.each(KILL_POINTS)('a preview, killed $point: $copies card(s) in Teams', async ({ copies, crash }) => {
    const w = await startSendCrashWorld(d);
    world = w;
    const held = w.emulator.hold({ conversationId: CHAT });
    const started = await w.api('/interactions', {
      id: 'im-1',
      target: { kind: 'routing-point', id: 'billing' },
      text: 'Can you help with a refund for Ms. Mai?',
    });
    expect(started.status).toBe(201);
    await held.arrived;
    await crash(w, held);
    await w.settled();

    const sent = previewCards(w.posted());
    expect(sent).toHaveLength(copies);
    for (const card of sent) {
      expect((card.refresh as { userIds: string[] }).userIds).toEqual([`29:${ann.id}`]);
      // Shown while the request is open, each copy is the live preview.
      expect(verbsOf(await w.shown(card))).toEqual(['accept', 'decline']);
    }
    // Someone not named in the card refreshing it changes nothing and is told so.
    const refresh = sent[0]?.refresh as { action: unknown } | undefined;
    const other = await w.invoke(leo, refresh?.action, 'manual');
    expect(saysOnCard(other, 'sent to Ann Billing')).toBe(true);
    expect(verbsOf(other)).toEqual([]);

    // Ann accepts on the first copy (one Teams may never have been told to replace).
    const accepted = await w.invoke(ann, actionOf(sent[0], 'accept'), 'manual');
    expect(saysOnCard(accepted, 'Accepted')).toBe(true);
    await w.settled();
    for (const card of sent) {
      // Every copy shows the truth when displayed, and a click on any copy answers with it, changing nothing.
      expect(verbsOf(await w.shown(card))).toEqual(['end']);
      const late = await w.invoke(ann, actionOf(card, 'decline'), 'manual');
      expect(saysOnCard(late, 'Accepted')).toBe(true);
    }
    const view = (await (await w.api('/interactions/im-1')).json()) as {
      parties: { person: { id: string }; connectedAt: string | null }[];
    };
    expect(view.parties.filter((p) => p.person.id === ann.id && p.connectedAt !== null)).toHaveLength(1);
    // The copy the connector knows was replaced; any other still holds its buttons until shown, then refreshes.
    const stillLive = previewCards(w.emulator.activitiesOf(CHAT));
    expect(stillLive).toHaveLength(copies - 1);
  });

  test.each(KILL_POINTS)('a relayed message, killed $point: $copies line(s) in Teams', async ({ copies, crash }) => {
    const w = await startSendCrashWorld(d);
    world = w;
    await w.api('/interactions', {
      id: 'im-2',
      target: { kind: 'routing-point', id: 'billing' },
      text: 'Can you help with a refund for Ms. Mai?',
    });
    const [preview] = await eventually('the preview at Ann', () => {
      const cards = previewCards(w.posted());
      return cards.length > 0 ? cards : undefined;
    });
    expect(saysOnCard(await w.invoke(ann, actionOf(preview, 'accept'), 'manual'), 'Accepted')).toBe(true);
    await w.settled();

    const held = w.emulator.hold({ conversationId: CHAT });
    const said = await w.api('/interactions/im-2/messages', { text: 'The customer is on hold.' });
    expect(said.status).toBe(200);
    await held.arrived;
    await crash(w, held);
    await w.settled();

    const lines = w.posted().filter((a) => a.text === 'Kate Lewis: The customer is on hold.');
    expect(lines).toHaveLength(copies);
    // The session goes on: the next line arrives once.
    expect((await w.api('/interactions/im-2/messages', { text: 'Thanks.' })).status).toBe(200);
    await w.settled();
    expect(w.posted().filter((a) => a.text === 'Kate Lewis: Thanks.')).toHaveLength(1);
  });
});
