/**
 * The active-sessions read model on SQLite and PostgreSQL: who is connected where, read from the committed
 * interactions and parties, latest connected first with ties broken the same way every time, and the current
 * session falling back to the previous one when the latest ends.
 */
import { afterAll, describe, expect, test } from 'vitest';
import { createSqlActiveSessions } from '../../../src/adapters/store/sql-active-sessions.js';
import type { PersonRef } from '../../../src/domain/interaction/types.js';
import { currentSession } from '../../../src/ports/active-sessions.js';
import { testDatabases } from '../../support/databases.js';
import { sampleDirectory, startTestApp, type TestApp, TestClock, testConfig } from '../../support/test-app.js';

const kate: PersonRef = { id: 'agent-kate', name: 'Kate Lewis', kind: 'agent' };
const ann: PersonRef = { id: 'kw-ann', name: 'Ann Billing', kind: 'knowledge-worker' };
const billing = { kind: 'routing-point' as const, id: 'billing', name: 'Billing Experts' };

/** Kate asks the billing routing point; the offer goes to Ann (the router's step, as a command) and she accepts. */
async function annAccepts(t: TestApp, interactionId: string): Promise<void> {
  const ok = (r: { ok: boolean }) => expect(r.ok).toBe(true);
  ok(await t.app.commands.execute({ type: 'StartIm', interactionId, initiator: kate, target: billing, text: 'Hi' }));
  const requestId = (await t.app.store.get(interactionId))?.request?.id as string;
  ok(
    await t.app.commands.execute({
      type: 'Offer',
      interactionId,
      requestId,
      targets: [ann],
      via: billing,
      timeoutMs: 30_000,
    }),
  );
  const invitationId = (await t.app.store.get(interactionId))?.invitations.at(-1)?.id as string;
  ok(await t.app.commands.execute({ type: 'Accept', interactionId, invitationId, by: ann.id }));
}

describe.each(testDatabases())('active sessions on $name', (database) => {
  afterAll(() => database.cleanup());

  test('latest connected first; when it ends, the one before is current again; ties in a fixed order', async () => {
    const clock = new TestClock();
    const t = await startTestApp(testConfig(sampleDirectory, await database.create()), clock);
    try {
      const sessions = createSqlActiveSessions(t.app.database);
      expect(await sessions.list([])).toEqual([]);
      expect(await currentSession(sessions, ann.id)).toBeUndefined();

      await annAccepts(t, 'im-a');
      clock.advance(1000);
      await annAccepts(t, 'im-b');
      expect(await sessions.list([ann.id])).toEqual([
        { knowledgeWorkerId: ann.id, interactionId: 'im-b', connectedAt: clock.now() },
        { knowledgeWorkerId: ann.id, interactionId: 'im-a', connectedAt: clock.now() - 1000 },
      ]);
      expect(await currentSession(sessions, ann.id)).toBe('im-b');
      expect(await sessions.list(['kw-leo'])).toEqual([]);

      // The latest ends: the previous one is current again.
      expect((await t.app.commands.execute({ type: 'End', interactionId: 'im-b', by: kate.id })).ok).toBe(true);
      expect(await currentSession(sessions, ann.id)).toBe('im-a');

      // Two sessions connected at the same instant (and created at the same instant): the higher id first, always.
      clock.advance(1000);
      await annAccepts(t, 'im-d');
      await annAccepts(t, 'im-c');
      expect((await sessions.list(null)).map((s) => s.interactionId)).toEqual(['im-d', 'im-c', 'im-a']);
      expect(await currentSession(sessions, ann.id)).toBe('im-d');
    } finally {
      await t.app.stop();
    }
  });
});
