/**
 * The contact center's state shown in Teams, end to end: the real connector (createApp) on SQLite and PostgreSQL, the
 * agent API, the bot endpoint with the Bot Connector emulator, and the Graph emulator as Graph. An expert who accepts a
 * consultation shows Busy/InACall in Teams through the connector's own presence session; the connector does not
 * mistake that for the expert's own status; the presence is cleared when the session ends, also when Graph was down
 * at the time and the connector crashed before it could clear it.
 */
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { createSqlPresenceWriteStore } from '../../src/adapters/store/sql-presence-writes.js';
import { LOCAL_GRAPH_APP_ID } from '../../src/dev/local-presence.js';
import request from '../support/api-request.js';
import { testDatabases } from '../support/databases.js';
import { megan, type ReachWorld, startReachWorld, TENANT } from '../support/reach-world.js';

const databases = testDatabases();
afterAll(async () => {
  for (const d of databases) await d.cleanup();
});

/** Polls `read` until it returns `expected` (deep equal) or 15 s have passed; returns the last value read. */
async function eventually<T>(read: () => Promise<T> | T, expected: T, ms = 15_000): Promise<T> {
  const until = Date.now() + ms;
  let last = await read();
  while (Date.now() < until) {
    try {
      expect(last).toEqual(expected);
      return last;
    } catch {
      await new Promise((r) => setTimeout(r, 25));
      last = await read();
    }
  }
  return last;
}

describe.each(databases)('presence written to Teams on $name', (d) => {
  let w: ReachWorld | undefined;
  afterEach(async () => {
    await w?.close();
    w = undefined;
  });

  /** Megan's presence as Graph shows it (what Teams and pollers read). */
  const shown = (world: ReachWorld) => {
    const p = world.graph.presenceOf(megan.id);
    return p && `${p.availability}/${p.activity}`;
  };
  const bot = (world: ReachWorld, body: unknown) =>
    request(world.app.http).post('/api/messages').set('content-type', 'application/json').send(JSON.stringify(body));
  const fromMegan = (world: ReachWorld, name: string, patch: Record<string, unknown> = {}) => {
    const a = JSON.parse(readFileSync(new URL(`../fixtures/teams/${name}.json`, import.meta.url), 'utf8')) as Record<
      string,
      unknown
    >;
    a.serviceUrl = world.bot.serviceUrl;
    a.from = { id: `29:${megan.id}`, name: megan.name, aadObjectId: megan.id };
    a.conversation = { conversationType: 'personal', tenantId: TENANT, id: `a:${megan.id}` };
    a.channelData = { tenant: { id: TENANT } };
    return { ...a, ...patch };
  };

  /** Kate consults Experts from a customer chat; Megan accepts on her card through the bot endpoint. */
  async function meganAccepts(world: ReachWorld, chatId: string): Promise<string> {
    await world.kateTakesAChat(chatId);
    const res = await world
      .api(world.keys.kate)
      .post('/interactions', {
        target: { kind: 'routing-point', id: 'experts' },
        text: 'Can you check this invoice?',
        parentInteractionId: chatId,
      })
      .expect(201);
    const id = res.body.id as string;
    await world.app.outbox.drain();
    const view = await world.api(world.keys.kate).get(`/interactions/${id}`).expect(200);
    const invitationId = view.body.invitations[0].id as string;
    const accepted = await bot(world, {
      ...fromMegan(world, 'invoke-adaptive-card-action'),
      value: {
        action: { type: 'Action.Execute', title: 'Accept', verb: 'accept', data: { interactionId: id, invitationId } },
        trigger: 'manual',
      },
    });
    expect(accepted.status).toBe(200);
    await world.app.outbox.drain();
    return id;
  }

  /** Moves the clock on until the connector has polled Graph `n` more times (polls come due on its clock). */
  async function polled(world: ReachWorld, n = 2): Promise<void> {
    const count = () => world.graph.log.filter((c) => c.path === '/communications/getPresencesByUserId').length;
    const target = count() + n;
    const until = Date.now() + 15_000;
    while (count() < target && Date.now() < until) {
      world.clock.advance(200);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(count()).toBeGreaterThanOrEqual(target);
  }

  /** Megan's knowledge-worker states as Kate's event stream carried them. */
  async function meganStates(world: ReachWorld): Promise<unknown[]> {
    return (await world.kateEvents())
      .filter(
        (e) =>
          e.type === 'knowledge-worker.state' &&
          (e.data.knowledgeWorker as { id: string } | undefined)?.id === megan.id,
      )
      .map((e) => e.data.state);
  }

  test('an expert who accepts shows Busy/InACall in Teams, read back as busy in our session, cleared at the end', async () => {
    const world = await startReachWorld(await d.create(), { presenceWrite: true });
    w = world;
    expect((await bot(world, fromMegan(world, 'installation-update-add'))).status).toBeLessThan(300);
    await world.untilReady(megan.id);
    expect(shown(world)).toBe('Available/Available');

    const id = await meganAccepts(world, 'chat-1');

    expect(await eventually(() => shown(world), 'Busy/InACall')).toBe('Busy/InACall');
    // The connector's own presence session, as the emulator holds it: set with the app's id as sessionId.
    expect([...world.graph.sessions.appSessions(megan.id).keys()]).toEqual([LOCAL_GRAPH_APP_ID]);
    expect(await createSqlPresenceWriteStore(world.app.database).list([megan.id])).toEqual([
      expect.objectContaining({ userId: megan.id, availability: 'Busy', activity: 'InACall', statusMessage: null }),
    ]);
    // Polls read Busy/InACall back: it is the connector's own write, so she stays Busy (in our session), never
    // NotReady(InACall) as if she had gone into a Teams call of her own.
    await polled(world);
    expect((await world.entryOf(megan.id))?.state).toEqual({ kind: 'Busy' });

    await world.api(world.keys.kate).post(`/interactions/${id}/end`).expect(200);
    await world.app.outbox.drain();
    expect(await eventually(() => shown(world), 'Available/Available')).toBe('Available/Available');
    expect(world.graph.sessions.appSessions(megan.id).size).toBe(0);
    expect(await eventually(() => createSqlPresenceWriteStore(world.app.database).list(null), [])).toEqual([]);
    await polled(world);
    await world.untilReady(megan.id);
    expect(
      await eventually(() => meganStates(world), [{ kind: 'Ready' }, { kind: 'Busy' }, { kind: 'Ready' }]),
    ).toEqual([{ kind: 'Ready' }, { kind: 'Busy' }, { kind: 'Ready' }]);
    // One write to set, one to clear: reading our own write back caused none.
    const writes = world.graph.log.filter((c) => c.path.startsWith(`/users/${megan.id}/presence/`));
    expect(writes.map((c) => `${c.path.split('/').at(-1)} ${c.status}`)).toEqual([
      'setPresence 200',
      'clearPresence 200',
    ]);
  });

  test('her own Do not disturb wins over the connector’s Busy and is read as her status', async () => {
    const world = await startReachWorld(await d.create(), { presenceWrite: true });
    w = world;
    expect((await bot(world, fromMegan(world, 'installation-update-add'))).status).toBeLessThan(300);
    await world.untilReady(megan.id);
    await meganAccepts(world, 'chat-2');
    await eventually(() => shown(world), 'Busy/InACall');
    await world.graph.setPresence(megan.id, 'DoNotDisturb', 'Presenting');
    expect(shown(world)).toBe('DoNotDisturb/Presenting');
    await polled(world);
    expect(
      await eventually(async () => (await world.entryOf(megan.id))?.state, { kind: 'NotReady', reason: 'Presenting' }),
    ).toEqual({ kind: 'NotReady', reason: 'Presenting' });
  });

  test('a session that ended while Graph was down is cleared after a crash and restart', async () => {
    const world = await startReachWorld(await d.create(), {
      presenceWrite: 'experts: { statusMessage: "Helping a customer" }',
    });
    w = world;
    expect((await bot(world, fromMegan(world, 'installation-update-add'))).status).toBeLessThan(300);
    await world.untilReady(megan.id);
    const id = await meganAccepts(world, 'chat-3');
    await eventually(() => shown(world), 'Busy/InACall');
    expect(
      await eventually(() => world.graph.presenceOf(megan.id)?.statusMessage?.message.content, 'Helping a customer'),
    ).toBe('Helping a customer');

    world.graph.setOutage(true);
    await world.api(world.keys.kate).post(`/interactions/${id}/end`).expect(200);
    await world.app.outbox.drain();
    // The clear failed (503) and is waiting to be retried when the connector stops: Teams still shows Busy.
    await eventually(() => (world.app.presenceWrites?.writer.stats.failures ?? 0) > 0, true);
    await world.app.stop();
    expect(shown(world)).toBe('Busy/InACall');

    world.graph.setOutage(false);
    await world.restart();
    expect(await eventually(() => shown(world), 'Available/Available')).toBe('Available/Available');
    expect(
      await eventually(() => world.graph.presenceOf(megan.id)?.statusMessage?.message.content, undefined),
    ).toBeUndefined();
    expect(await eventually(() => createSqlPresenceWriteStore(world.app.database).list(null), [])).toEqual([]);
  });
});
