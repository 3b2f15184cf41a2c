/**
 * Round-robin under a burst: requests routed at once through one connector, or through two on one PostgreSQL
 * database, each go to the next member in turn, so every member is offered exactly one (none twice while others get
 * nothing).
 */
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { type TestDatabase, testDatabases } from '../support/databases.js';
import { startTestApp, type TestApp, TestClock, testConfig } from '../support/test-app.js';

const MEMBERS = 24;
const directory = `
directory:
  knowledgeWorkers:
${Array.from({ length: MEMBERS }, (_, n) => `    - { id: kw-${n}, name: Expert ${n}, staticState: Ready }`).join('\n')}
  agents:
    - { id: agent-kate, name: Kate Lewis }
routing:
  routingPoints:
    - id: turns
      name: Experts in turn
      members: { kind: static, ids: [${Array.from({ length: MEMBERS }, (_, n) => `kw-${n}`).join(', ')}] }
      strategy: { kind: round-robin }
      previewTimeoutMs: 30000
`;

async function startIms(t: TestApp, from: number, count: number): Promise<void> {
  for (let n = from; n < from + count; n++) {
    const result = await t.app.commands.execute({
      type: 'StartIm',
      interactionId: `im-${n}`,
      initiator: { id: 'agent-kate', name: 'Kate Lewis', kind: 'agent' },
      target: { kind: 'routing-point', id: 'turns', name: 'Experts in turn' },
      text: `Question ${n}`,
    });
    expect(result.ok).toBe(true);
  }
}

/** Who was offered a preview, one entry per preview sent. */
const offered = (...apps: TestApp[]) =>
  apps.flatMap((t) => t.experts.sent.filter((s) => s.effect.type === 'SendPreview').map((s) => s.effect.to.id));

function useConnectors(database: TestDatabase) {
  const running: TestApp[] = [];
  afterAll(() => database.cleanup());
  afterEach(async () => {
    for (const t of running.splice(0)) await t.app.stop();
  });
  return async (count: number) => {
    const config = testConfig(directory, await database.create());
    const apps: TestApp[] = [];
    for (let n = 0; n < count; n++) apps.push(await startTestApp(config, new TestClock()));
    running.push(...apps);
    return apps;
  };
}

describe.each(testDatabases())('round-robin under a burst on $name', (database) => {
  const connectors = useConnectors(database);

  test('requests routed at once through one connector go to every member in turn, once each', async () => {
    const [a] = await connectors(1);
    if (!a) throw new Error('no connector');
    await startIms(a, 0, MEMBERS);
    // One claim takes every routing request: they are all decided at once.
    await a.app.outbox.drain();
    expect(offered(a)).toHaveLength(MEMBERS);
    expect(new Set(offered(a))).toEqual(new Set(Array.from({ length: MEMBERS }, (_, n) => `kw-${n}`)));
  });
});

describe.each(testDatabases().filter((d) => d.name === 'postgres'))(
  'round-robin under a burst through two connectors on $name',
  (database) => {
    const connectors = useConnectors(database);

    test('requests routed at once through both go to every member once', async () => {
      const [a, b] = await connectors(2);
      if (!a || !b) throw new Error('no connectors');
      await startIms(a, 0, MEMBERS / 2);
      await startIms(b, MEMBERS / 2, MEMBERS / 2);
      await Promise.all([a.app.outbox.drain(), b.app.outbox.drain()]);
      await Promise.all([a.app.outbox.drain(), b.app.outbox.drain()]);
      const all = offered(a, b);
      expect(all).toHaveLength(MEMBERS);
      expect(new Set(all).size).toBe(MEMBERS);
    });
  },
);
