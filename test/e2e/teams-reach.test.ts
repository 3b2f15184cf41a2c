/**
 * Reaching knowledge workers, end to end through the agent API, the Graph emulator and the Bot Connector emulator:
 * an expert who never opened the bot gets the app installed proactively and the consultation's preview card in the
 * chat Graph returned; an install refused by Graph, and a send refused with 403 MessageWritesBlocked, make the expert
 * not routable (a refused preview ends its invitation at once and routing moves on to the next expert): the reason is stored, shown in the directory and by the doctor's check, named in the agent's "no
 * expert available", and kept across a restart; a block lifts when the expert writes to the bot again.
 */
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { SqlUnreachableStore } from '../../src/adapters/store/sql-reach-stores.js';
import { createSqlConversationReferenceStore } from '../../src/adapters/store/sql-teams-stores.js';
import { checkTeamsReach } from '../../src/cli/doctor/reach-checks.js';
import type { PersonEffect } from '../../src/ports/participant-channel.js';
import request from '../support/api-request.js';
import { testDatabases } from '../support/databases.js';
import { alex, CATALOG_APP, megan, type ReachWorld, startReachWorld, TENANT } from '../support/reach-world.js';

const databases = testDatabases();
afterAll(async () => {
  for (const d of databases) await d.cleanup();
});

/** An activity from Megan's personal chat at the Bot Connector emulator. */
function fromMegan(w: ReachWorld, name: string, patch: Record<string, unknown> = {}): Record<string, unknown> {
  const a = JSON.parse(readFileSync(new URL(`../fixtures/teams/${name}.json`, import.meta.url), 'utf8')) as Record<
    string,
    unknown
  >;
  a.serviceUrl = w.bot.serviceUrl;
  a.from = { id: `29:${megan.id}`, name: megan.name, aadObjectId: megan.id };
  a.conversation = { conversationType: 'personal', tenantId: TENANT, id: `a:${megan.id}` };
  a.channelData = { tenant: { id: TENANT } };
  return { ...a, ...patch };
}

describe.each(databases)('reaching knowledge workers on $name', (d) => {
  let w: ReachWorld | undefined;
  afterEach(async () => {
    await w?.close();
    w = undefined;
  });

  /** Kate consults the Experts routing point from a customer chat; returns the consultation's id. */
  async function consult(world: ReachWorld, chatId: string): Promise<string> {
    await world.kateTakesAChat(chatId);
    const res = await world
      .api(world.keys.kate)
      .post('/interactions', {
        target: { kind: 'routing-point', id: 'experts' },
        text: 'Can you check this invoice?',
        parentInteractionId: chatId,
      })
      .expect(201);
    await world.app.outbox.drain();
    return res.body.id as string;
  }
  /** The details of the "no expert available" event of an interaction. */
  async function failureOf(world: ReachWorld, id: string): Promise<unknown> {
    const events = await world.kateEvents();
    return events.find((e) => e.type === 'invitation.failed' && e.interactionId === id)?.data.details;
  }

  test('an expert without a conversation gets the app installed proactively, then the preview card', async () => {
    w = await startReachWorld(await d.create());
    await w.untilReady(megan.id);
    expect(await w.entryOf(megan.id)).toMatchObject({ reachable: true });
    expect(await createSqlConversationReferenceStore(w.app.database).get(megan.id)).toBeUndefined();

    await consult(w, 'chat-1');

    const installation = w.graph.directory.installs.of(megan.id)[0];
    expect(installation?.teamsAppId).toBe(CATALOG_APP);
    const card = JSON.stringify(w.bot.activitiesOf(installation?.chatId ?? '').at(-1));
    expect(card).toContain('Can you check this invoice?');
    expect(card).toContain('Kate Lewis');
    expect(card).toContain('"verb":"accept"');
    expect((await createSqlConversationReferenceStore(w.app.database).get(megan.id))?.conversationId).toBe(
      installation?.chatId,
    );
    expect(await w.entryOf(megan.id)).toMatchObject({ reachable: true });
  });

  test('an install refused by Graph: not routable, the reason stored, shown and named, across a restart', async () => {
    const url = await d.create();
    w = await startReachWorld(url);
    await w.untilReady(megan.id);
    w.graph.directory.denyPermission('TeamsAppInstallation.ReadWriteSelfForUser.All');

    const id = await consult(w, 'chat-2');

    const why = 'the Teams app could not be installed for them (installing the app: Graph answered 403 Forbidden)';
    expect(await failureOf(w, id)).toEqual([
      `No expert available at Experts: everyone is unreachable in Teams (1) — Megan Bowen: ${why}.`,
    ]);
    expect(await new SqlUnreachableStore(w.app.database).list()).toEqual([
      expect.objectContaining({
        userId: megan.id,
        reason: 'install-failed',
        detail: 'installing the app: Graph answered 403 Forbidden',
      }),
    ]);
    expect(await w.entryOf(megan.id)).toMatchObject({
      reachable: false,
      unreachable: { reason: 'install-failed', detail: 'installing the app: Graph answered 403 Forbidden' },
    });
    const experts = await w.api(w.keys.kate).get('/directory?kind=routing-point').expect(200);
    expect(experts.body.entries[0].state).toEqual({ kind: 'NotReady', reason: 'No member is Ready' });
    const doctor = await checkTeamsReach(w.app.database, w.config.teams, w.config.directory);
    expect(doctor.status).toBe('fail');
    expect(doctor.detail).toContain(`Megan Bowen (${megan.id}): ${why}`);
    expect(doctor.fix).toContain('TeamsAppInstallation.ReadWriteSelfForUser.All');

    // A restart on the same database: still not routable, for the same reason, without asking Graph again.
    const installsBefore = w.graph.log.filter((c) => c.method === 'POST' && c.path.endsWith('/installedApps')).length;
    await w.restart();
    await w.untilReady(megan.id);
    expect(await w.entryOf(megan.id)).toMatchObject({ reachable: false, unreachable: { reason: 'install-failed' } });
    const again = await consult(w, 'chat-3');
    expect(await failureOf(w, again)).toEqual([
      `No expert available at Experts: everyone is unreachable in Teams (1) — Megan Bowen: ${why}.`,
    ]);
    expect(w.graph.log.filter((c) => c.method === 'POST' && c.path.endsWith('/installedApps'))).toHaveLength(
      installsBefore,
    );
  });

  test('a preview refused with 403 MessageWritesBlocked moves on to the next expert at once', async () => {
    const world = await startReachWorld(await d.create(), {
      // A ten-minute preview time-out, and a clock that never moves: only ending the invitation at once can pass.
      routing: `
routing:
  routingPoints:
    - id: experts
      name: Experts
      members: { kind: static, ids: ["${megan.id}", "${alex.id}"] }
      strategy: { kind: round-robin }
      previewTimeoutMs: 600000
`,
      beforeStart: (graph) => graph.seedUsers([alex.id], 'Available', 'Available'),
    });
    w = world;
    const bot = (body: unknown) =>
      request(world.app.http).post('/api/messages').set('content-type', 'application/json').send(JSON.stringify(body));
    expect((await bot(fromMegan(world, 'installation-update-add'))).status).toBeLessThan(300);
    await world.untilReady(megan.id);
    await world.untilReady(alex.id);
    world.bot.inject({ status: 403, code: 'MessageWritesBlocked', conversationId: `a:${megan.id}` });
    const greeted = world.bot.requests.length; // the welcome Megan got on installing

    const id = await consult(world, 'chat-7');

    // Megan's preview was refused first; Alex's card (in the chat the app's install opened) came after it.
    const alexChat = world.graph.directory.installs.of(alex.id)[0]?.chatId ?? '';
    const sends = world.bot.requests
      .slice(greeted)
      .filter((r) => r.conversationId === `a:${megan.id}` || r.conversationId === alexChat);
    expect(sends.map((r) => [r.conversationId, r.status])).toEqual([
      [`a:${megan.id}`, 403],
      [alexChat, 201],
    ]);
    const card = JSON.stringify(world.bot.activitiesOf(alexChat).at(-1));
    expect(card).toContain('Can you check this invoice?');
    expect(card).toContain('"verb":"accept"');

    const why = 'they blocked the bot in Teams (the Bot Connector answered 403 MessageWritesBlocked)';
    const kate = world.api(world.keys.kate);
    const view = await kate.get(`/interactions/${id}`).expect(200);
    expect(
      view.body.invitations.map((i: { target: { name: string }; state: string }) => [i.target.name, i.state]),
    ).toEqual([
      ['Megan Bowen', 'undeliverable'],
      ['Alex Wilber', 'pending'],
    ]);
    expect(await world.entryOf(megan.id)).toMatchObject({ reachable: false, unreachable: { reason: 'blocked' } });

    // The outbox runs Megan's preview again, as after a crash before it was marked done: Teams refuses it again, and
    // her invitation, ended already, stays as it was; Alex gets no second card.
    const rows = await world.app.database.db
      .selectFrom('outbox')
      .select(['id', 'effect'])
      .where('interaction_id', '=', id)
      .where('type', '=', 'SendPreview')
      .execute();
    const megansPreview = rows.find((r) => (JSON.parse(r.effect) as PersonEffect).to.id === megan.id);
    expect(megansPreview).toBeDefined();
    const before = await world.app.store.get(id);
    world.bot.inject({ status: 403, code: 'MessageWritesBlocked', conversationId: `a:${megan.id}` });
    await world.app.channels['knowledge-worker'].send(
      megansPreview?.id ?? '',
      JSON.parse(megansPreview?.effect ?? '{}') as PersonEffect,
    );
    await world.app.outbox.drain();
    expect(await world.app.store.get(id)).toEqual(before);
    expect(world.bot.requests.at(-1)).toMatchObject({ conversationId: `a:${megan.id}`, status: 403 });
    expect(world.bot.activitiesOf(alexChat)).toHaveLength(1);

    // Alex accepts on his card.
    const invitationId = view.body.invitations[1].id as string;
    const accepted = await bot({
      ...fromMegan(world, 'invoke-adaptive-card-action'),
      from: { id: `29:${alex.id}`, name: alex.name, aadObjectId: alex.id },
      conversation: { conversationType: 'personal', tenantId: TENANT, id: alexChat },
      value: {
        action: { type: 'Action.Execute', title: 'Accept', verb: 'accept', data: { interactionId: id, invitationId } },
        trigger: 'manual',
      },
    });
    expect(accepted.status).toBe(200);
    await world.app.outbox.drain();

    // Kate read it in this order: the invitation to Megan could not be delivered (why), then Alex accepted.
    const events = (await world.kateEvents()).filter((e) => e.interactionId === id);
    const told = events.flatMap((e) => {
      if (e.type === 'transcript.system') return [`${e.type}: ${(e.data.entry as { text: string }).text}`];
      if (e.type === 'invitation.accepted') return [`${e.type}: ${(e.data.by as { name: string }).name}`];
      return [];
    });
    expect(told).toEqual([
      `transcript.system: The Instant Messaging invitation to Megan Bowen could not be delivered: ${why}.`,
      'invitation.accepted: Alex Wilber',
    ]);
    const undelivered = events.find((e) => e.type === 'transcript.system');
    expect(undelivered?.data.entry).toMatchObject({ event: { type: 'undeliverable', partyId: 'p2' } });

    // Megan's participation is reported like a time-out's, with its own finer outcome.
    const facts = await world.api(world.keys.platform).get(`/reports/facts?interactionId=${id}`).expect(200);
    expect(facts.body.facts).toEqual([
      expect.objectContaining({
        resource: expect.objectContaining({ name: 'Megan Bowen' }),
        descriptor: 'RoutedTo/Redirected [Revoked]',
        outcome: 'unreachable',
        routingPointId: 'experts',
      }),
    ]);
  });

  test('a send refused with 403 MessageWritesBlocked: not routable with the reason until the expert writes again', async () => {
    const world = await startReachWorld(await d.create());
    w = world;
    const bot = (body: unknown) =>
      request(world.app.http).post('/api/messages').set('content-type', 'application/json').send(JSON.stringify(body));
    expect((await bot(fromMegan(w, 'installation-update-add'))).status).toBeLessThan(300);
    await w.untilReady(megan.id);
    w.bot.inject({ status: 403, code: 'MessageWritesBlocked', conversationId: `a:${megan.id}` });

    const first = await consult(w, 'chat-4');
    expect(w.graph.directory.installs.of(megan.id)).toEqual([]);
    const why = 'they blocked the bot in Teams (the Bot Connector answered 403 MessageWritesBlocked)';
    expect(await w.entryOf(megan.id)).toMatchObject({ reachable: false, unreachable: { reason: 'blocked' } });
    // The undelivered preview ends its invitation at once (the clock never moves here); the request then finds no
    // one and says why.
    expect(await failureOf(w, first)).toEqual([
      `No expert available at Experts: everyone is unreachable in Teams (1) — Megan Bowen: ${why}.`,
    ]);

    await w.restart();
    await w.untilReady(megan.id);
    const second = await consult(w, 'chat-5');
    expect(await failureOf(w, second)).toEqual([
      `No expert available at Experts: everyone is unreachable in Teams (1) — Megan Bowen: ${why}.`,
    ]);
    const doctor = await checkTeamsReach(w.app.database, w.config.teams, w.config.directory);
    expect(doctor.detail).toContain(`Megan Bowen (${megan.id}): ${why}`);
    expect(doctor.fix).toContain('ask them to unblock the app in Teams');

    // Megan writes to the bot: Teams reaches her again, and so does routing.
    expect((await bot(fromMegan(w, 'message', { text: 'hello' }))).status).toBeLessThan(300);
    expect(await w.entryOf(megan.id)).toMatchObject({ reachable: true });
    await consult(w, 'chat-6');
    expect(JSON.stringify(w.bot.activitiesOf(`a:${megan.id}`).at(-1))).toContain('Can you check this invoice?');
  });

  test('a request waiting for an expert who blocked the bot is offered as soon as Teams reaches her again', async () => {
    const world = await startReachWorld(await d.create(), {
      routing: `
routing:
  routingPoints:
    - id: experts
      name: Experts
      members: { kind: static, ids: [${megan.id}] }
      strategy: { kind: round-robin }
      waitMs: 600000
`,
    });
    w = world;
    const bot = (body: unknown) =>
      request(world.app.http).post('/api/messages').set('content-type', 'application/json').send(JSON.stringify(body));
    expect((await bot(fromMegan(world, 'installation-update-add'))).status).toBeLessThan(300);
    await world.untilReady(megan.id);
    world.bot.inject({ status: 403, code: 'MessageWritesBlocked', conversationId: `a:${megan.id}` });

    // The first preview cannot be delivered, and Megan is marked unreachable: the next request finds no one it
    // can reach and waits at Experts without an offer.
    const first = await consult(world, 'chat-7');
    expect(await world.entryOf(megan.id)).toMatchObject({ reachable: false });
    const id = await consult(world, 'chat-8');
    const view = async () => (await world.api(world.keys.kate).get(`/interactions/${id}`).expect(200)).body;
    expect((await view()).invitations).toEqual([]);
    expect((await view()).request.waiting).toMatchObject({ routingPoint: { id: 'experts' } });

    // Megan writes to the bot: her mark clears, and the waiting request is offered to her at once (the first one
    // keeps waiting: a request is offered to each person once).
    expect((await bot(fromMegan(world, 'message', { text: 'hello' }))).status).toBeLessThan(300);
    await expect
      .poll(
        async () => {
          await world.app.outbox.drain();
          return (await view()).invitations.map((i: { state: string; target: { id: string } }) => i.target.id);
        },
        { timeout: 20_000 },
      )
      .toEqual([megan.id]);
    expect((await view()).request.waiting).toBeNull();
    const firstView = await world.api(world.keys.kate).get(`/interactions/${first}`).expect(200);
    expect(firstView.body.request.waiting).toMatchObject({ routingPoint: { id: 'experts' }, position: 1 });
  });
});
