/**
 * Agents who use Teams too, end to end on SQLite and PostgreSQL: the contact center reports an agent's state through
 * the agent API (validated against the served OpenAPI document); an agent with an Entra user id shows it in Teams as
 * the agents' mapping says (busy on a call: Busy/InACall; after-call work: Teams left alone), through the connector's
 * own presence session in the Graph emulator; the mapping file reloads without a restart (an invalid edit is refused
 * with its line); the state survives a restart; a chat the connector routes to the agent counts as busy on a chat
 * while it lasts; and the API refuses another agent's, an unknown or a Teams-less agent.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { LOCAL_GRAPH_APP_ID } from '../../src/dev/local-presence.js';
import { testDatabases } from '../support/databases.js';
import { type ReachWorld, startReachWorld } from '../support/reach-world.js';

const KATE_TEAMS = 'c0ffee00-0000-4000-8000-00000000ca7e';
const databases = testDatabases();
afterAll(async () => {
  for (const d of databases) await d.cleanup();
});

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

describe.each(databases)('agents’ states shown in Teams on $name', (d) => {
  let w: ReachWorld | undefined;
  afterEach(async () => {
    await w?.close();
    w = undefined;
  });

  async function start(mappingFile?: string): Promise<ReachWorld> {
    const world = await startReachWorld(await d.create(), {
      presenceWrite: mappingFile ? `agents: { mappingFile: "${mappingFile}" }` : 'agents: {}',
      agents: `    - { id: agent-kate, name: Kate Lewis, entraUserId: "${KATE_TEAMS}" }
    - { id: agent-bob, name: Bob Kelly }`,
      beforeStart: (graph) => graph.seedUsers([KATE_TEAMS], 'Available', 'Available'),
    });
    w = world;
    return world;
  }
  const shown = (world: ReachWorld) => {
    const p = world.graph.presenceOf(KATE_TEAMS);
    return `${p?.availability}/${p?.activity}`;
  };

  test('busy on a call shows Busy/InACall; after-call work leaves Teams alone; it survives a restart', async () => {
    const world = await start();
    const kate = world.api(world.keys.kate);
    const busy = await kate.post('/agents/agent-kate/state', { state: 'Busy', media: 'call' }).expect(200);
    expect(busy.body).toEqual({
      agentId: 'agent-kate',
      state: 'Busy',
      reason: null,
      media: 'call',
      teams: { availability: 'Busy', activity: 'InACall' },
    });
    expect(await eventually(() => shown(world), 'Busy/InACall')).toBe('Busy/InACall');

    // A restart: the reported state is kept, and what Teams shows is not touched again.
    await world.restart();
    await new Promise((r) => setTimeout(r, 300));
    expect(shown(world)).toBe('Busy/InACall');
    expect(world.graph.log.filter((c) => c.path === `/users/${KATE_TEAMS}/presence/setPresence`)).toHaveLength(1);

    const acw = await world
      .api(world.keys.kate)
      .post('/agents/agent-kate/state', { state: 'AfterCallWork' })
      .expect(200);
    expect(acw.body.teams).toBeNull();
    expect(await eventually(() => shown(world), 'Available/Available')).toBe('Available/Available');
    expect(world.graph.sessions.appSessions(KATE_TEAMS).size).toBe(0);
  });

  test('the mapping file reloads without a restart (Away shows under Graph’s precedence); an invalid edit is refused with its line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'agent-map-'));
    const file = join(dir, 'agents.yaml');
    writeFileSync(file, 'agentStates:\n  - state: Busy\n    show: { availability: Busy, activity: InACall }\n');
    const world = await start(file);
    const kate = world.api(world.keys.kate);
    const lunch = await kate.post('/agents/agent-kate/state', { state: 'NotReady', reason: 'Lunch' }).expect(200);
    expect(lunch.body.teams).toBeNull();
    writeFileSync(
      file,
      'agentStates:\n  - state: NotReady\n    reason: Lunch\n    show: { availability: Away, activity: Away }\n',
    );
    const session = () => {
      const s = world.graph.sessions.appSessions(KATE_TEAMS).get(LOCAL_GRAPH_APP_ID);
      return s && `${s.availability}/${s.activity}`;
    };
    expect(await eventually(session, 'Away/Away')).toBe('Away/Away');
    // Graph ranks her Available Teams client above the connector's Away session: Teams still shows Available.
    expect(shown(world)).toBe('Available/Available');
    writeFileSync(file, 'agentStates:\n  - state: NotReady\n    show: { availability: Busy, activity: Busy }\n');
    const refused = () => world.logs.some((l) => l.includes('agent presence mapping not reloaded: line 3'));
    expect(await eventually(refused, true)).toBe(true);
    expect(session()).toBe('Away/Away');
  });

  test('a chat the connector routes to the agent counts as busy on a chat, until it ends', async () => {
    const world = await start();
    await world.kateTakesAChat('chat-k1');
    expect(await eventually(() => shown(world), 'Busy/InACall')).toBe('Busy/InACall');
    await world.api(world.keys.kate).post('/interactions/chat-k1/end').expect(200);
    await world.app.outbox.drain();
    expect(await eventually(() => shown(world), 'Available/Available')).toBe('Available/Available');
  });

  test('refuses another agent’s state, an unknown agent and an agent without a Teams user', async () => {
    const world = await start();
    const kate = world.api(world.keys.kate);
    const other = await kate.post('/agents/agent-bob/state', { state: 'Ready' }).expect(403);
    expect(other.body.type).toContain('other-agent');
    const platform = world.api(world.keys.platform);
    expect((await platform.post('/agents/agent-zoe/state', { state: 'Ready' }).expect(404)).body.type).toContain(
      'unknown-agent',
    );
    expect((await platform.post('/agents/agent-bob/state', { state: 'Ready' }).expect(409)).body.type).toContain(
      'no-teams-user',
    );
    const bad = await platform.post('/agents/agent-kate/state', { state: 'Ready', reason: 'Lunch' }).expect(400);
    expect(bad.body['invalid-params']).toEqual([
      { name: 'body.reason', reason: 'reason is only allowed with state NotReady' },
    ]);
    expect(world.graph.counters.presenceWrites).toBe(0);
  });
});
