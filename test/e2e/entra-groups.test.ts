/**
 * A routing point whose members are an Entra group, end to end against the Graph emulator: the members are read
 * page by page (nested groups flattened), those the configured directory does not list join it from Graph and
 * are tracked for presence, and a broadcast reaches them all; a membership change in Entra is picked up by the next
 * sync without a restart; when Graph refuses, routing keeps the last good members (logged once, shown by the
 * doctor's check), even across a restart.
 */
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { checkGroupSync } from '../../src/cli/doctor/reach-checks.js';
import type { SendPreview } from '../../src/domain/interaction/effects.js';
import { RecordingChannel } from '../../src/ports/participant-channel.js';
import { testDatabases } from '../support/databases.js';
import { megan, type ReachWorld, startReachWorld } from '../support/reach-world.js';

const nora = { id: '2c1f0c1e-0000-4000-8000-00000000a0a0', name: 'Nora Graph' };
const oscar = { id: '2c1f0c1e-0000-4000-8000-00000000b0b0', name: 'Oscar Nested' };
const paula = { id: '2c1f0c1e-0000-4000-8000-00000000c0c0', name: 'Paula Later' };

const routing = `
routing:
  groupSyncIntervalMs: 600000
  routingPoints:
    - id: experts
      name: Experts
      members: { kind: entra-group, groupId: g-experts }
      strategy: { kind: broadcast, size: 10 }
      maxOffers: 10
`;

const databases = testDatabases();
afterAll(async () => {
  for (const d of databases) await d.cleanup();
});

describe.each(databases)('an Entra group as a routing point on $name', (d) => {
  let w: ReachWorld | undefined;
  afterEach(async () => {
    await w?.close();
    w = undefined;
  });

  /** Kate asks the Experts routing point; returns who got a preview. */
  async function broadcastReaches(world: ReachWorld, experts: RecordingChannel): Promise<string[]> {
    const res = await world
      .api(world.keys.kate)
      .post('/interactions', { target: { kind: 'routing-point', id: 'experts' }, text: 'Who knows invoices?' })
      .expect(201);
    await world.app.outbox.drain();
    return experts.sent
      .map((s) => s.effect)
      .filter((e): e is SendPreview => e.type === 'SendPreview' && e.interactionId === res.body.id)
      .map((e) => e.to.id)
      .sort();
  }

  test('members from Graph page by page, changes picked up without a restart, the last good members kept', async () => {
    const experts = new RecordingChannel();
    w = await startReachWorld(await d.create(), {
      routing,
      deps: { channels: { 'knowledge-worker': experts } },
      beforeStart(graph) {
        graph.seedUsers([nora.id, oscar.id, paula.id]);
        graph.directory.addUsers([
          { id: nora.id, displayName: nora.name, mail: 'nora@contoso.example', businessPhones: ['+1 425 555 0199'] },
          { id: oscar.id, displayName: oscar.name },
          { id: paula.id, displayName: paula.name },
        ]);
        graph.directory.setGroup('g-experts', [megan.id, nora.id], ['g-nested']);
        graph.directory.setGroup('g-nested', [oscar.id]);
        graph.directory.groups.maxPageSize = 2;
      },
    });
    const world = w;
    await world.app.directory.groups?.syncOnce();
    const pages = world.graph.log.filter((c) => c.path.startsWith('/groups/g-experts/transitiveMembers'));
    expect(pages.map((c) => c.status)).toEqual([200, 200]);
    expect(await world.entryOf(nora.id)).toMatchObject({
      name: nora.name,
      email: 'nora@contoso.example',
      phones: ['+1 425 555 0199'],
    });
    for (const kw of [megan, nora, oscar]) await world.untilReady(kw.id);
    expect(await broadcastReaches(world, experts)).toEqual([megan.id, nora.id, oscar.id].sort());

    // Entra changes: Nora and the nested group leave, Paula joins. The next sync picks it up, no restart.
    world.graph.directory.setGroup('g-experts', [megan.id, paula.id]);
    await world.app.directory.groups?.syncOnce();
    expect(await world.entryOf(nora.id)).toBeUndefined();
    await world.untilReady(paula.id);
    expect(await broadcastReaches(world, experts)).toEqual([megan.id, paula.id].sort());

    // Graph refuses: the last good members stay, the failure is logged once and shown by the doctor's check.
    world.graph.directory.denyPermission('GroupMember.Read.All');
    world.graph.directory.setGroup('g-experts', [megan.id]);
    await world.app.directory.groups?.syncOnce();
    await world.app.directory.groups?.syncOnce();
    expect(await broadcastReaches(world, experts)).toEqual([megan.id, paula.id].sort());
    expect(world.logs.filter((l) => l.includes('Entra group sync failed'))).toHaveLength(1);
    const [doctor] = await checkGroupSync(world.app.database, world.config.routing);
    expect(doctor).toMatchObject({ name: 'Entra group g-experts', status: 'fail' });
    expect(doctor?.detail).toContain('failed: Graph answered 403 Authorization_RequestDenied');
    expect(doctor?.detail).toContain('routing point experts keeps the 2 member(s) last read');
    expect(doctor?.fix).toContain('GroupMember.Read.All');

    // A restart while Graph still refuses: the stored members keep routing going.
    await world.restart();
    await world.app.directory.groups?.syncOnce();
    await world.untilReady(paula.id);
    expect(await broadcastReaches(world, experts)).toEqual([megan.id, paula.id].sort());

    // Graph answers again: the sync catches up with Entra.
    world.graph.directory.denyPermission('GroupMember.Read.All', false);
    await world.app.directory.groups?.syncOnce();
    expect(await broadcastReaches(world, experts)).toEqual([megan.id]);
    expect((await checkGroupSync(world.app.database, world.config.routing))[0]).toMatchObject({
      status: 'ok',
      detail: expect.stringContaining('1 member(s) for routing point experts'),
    });
  });

  test('a request waiting at a routing point with no members yet is offered to a member the next sync adds', async () => {
    const experts = new RecordingChannel();
    w = await startReachWorld(await d.create(), {
      routing: `
routing:
  groupSyncIntervalMs: 600000
  routingPoints:
    - id: newcomers
      name: Newcomers
      members: { kind: entra-group, groupId: g-newcomers }
      strategy: { kind: round-robin }
      waitMs: 600000
`,
      deps: { channels: { 'knowledge-worker': experts } },
      beforeStart(graph) {
        graph.seedUsers([paula.id]);
        graph.directory.addUsers([{ id: paula.id, displayName: paula.name }]);
        graph.directory.setGroup('g-newcomers', []);
      },
    });
    const world = w;
    await world.app.directory.groups?.syncOnce();
    const res = await world
      .api(world.keys.kate)
      .post('/interactions', { target: { kind: 'routing-point', id: 'newcomers' }, text: 'Anyone new?' })
      .expect(201);
    const id = res.body.id as string;
    await world.app.outbox.drain();
    const view = await world.api(world.keys.kate).get(`/interactions/${id}`).expect(200);
    expect(view.body.request.waiting).toMatchObject({ routingPoint: { id: 'newcomers' }, position: 1 });

    // Paula joins the group in Entra: the next sync adds her, and the waiting request is offered to her.
    world.graph.directory.setGroup('g-newcomers', [paula.id]);
    await world.app.directory.groups?.syncOnce();
    await expect
      .poll(
        async () => {
          await world.app.outbox.drain();
          return experts.to(paula.id).filter((e) => e.type === 'SendPreview' && e.interactionId === id).length;
        },
        { timeout: 20_000 },
      )
      .toBe(1);
  });
});
