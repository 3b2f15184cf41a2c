/**
 * Session load from summaries: a knowledge worker's count of sessions follows the summaries of the interactions
 * they are party to, whatever order the summaries arrive in (an older revision changes nothing), without reading the
 * database; a re-read (after summaries may have been lost) replaces what the summaries said with what is stored.
 */
import { describe, expect, test } from 'vitest';
import type { SessionSummary } from '../../src/domain/interaction/active-sessions.js';
import type { ActiveSession, ActiveSessions } from '../../src/ports/active-sessions.js';
import { SessionLoad } from '../../src/services/session-load.js';

/** The stored sessions, and how often they were read. */
function storedSessions(rows: ActiveSession[] = []) {
  const reads: (readonly string[] | null)[] = [];
  const sessions: ActiveSessions = {
    async list(ids) {
      reads.push(ids);
      return rows.filter((r) => ids === null || ids.includes(r.knowledgeWorkerId));
    },
  };
  return { sessions, reads, rows };
}

const summary = (interactionId: string, revision: number, kws: string[], live: string[]): SessionSummary => ({
  interactionId,
  revision,
  knowledgeWorkers: kws,
  live,
});

describe('SessionLoad', () => {
  test('follows summaries without reading, and tells each change of a count', () => {
    const { sessions, reads } = storedSessions();
    const told: [string, number][] = [];
    const load = new SessionLoad(sessions, (id, n) => told.push([id, n]));
    load.apply([summary('ix-1', 2, ['kw-ann'], ['kw-ann']), summary('ix-2', 4, ['kw-ann', 'kw-leo'], ['kw-ann'])]);
    expect(load.of('kw-ann')).toBe(2);
    expect(load.of('kw-leo')).toBe(0);
    load.apply([summary('ix-1', 3, ['kw-ann'], [])]);
    expect(load.of('kw-ann')).toBe(1);
    expect(told).toEqual([
      ['kw-ann', 1],
      ['kw-ann', 2],
      ['kw-ann', 1],
    ]);
    expect(reads).toEqual([]);
  });

  test('a summary older than one applied for its interaction changes nothing, in whatever order they arrive', () => {
    const load = new SessionLoad(storedSessions().sessions, () => undefined);
    // The end (revision 6) arrives before the begin (revision 4): the knowledge worker stays free.
    load.apply([summary('ix-1', 6, ['kw-ann'], [])]);
    load.apply([summary('ix-1', 4, ['kw-ann'], ['kw-ann'])]);
    expect(load.of('kw-ann')).toBe(0);
    // The same summary twice counts once.
    load.apply([summary('ix-2', 2, ['kw-ann'], ['kw-ann'])]);
    load.apply([summary('ix-2', 2, ['kw-ann'], ['kw-ann'])]);
    expect(load.of('kw-ann')).toBe(1);
  });

  test('a re-read of everyone replaces what summaries said with what is stored', async () => {
    const stored = storedSessions([{ knowledgeWorkerId: 'kw-leo', interactionId: 'ix-7', connectedAt: 1 }]);
    const load = new SessionLoad(stored.sessions, () => undefined);
    load.apply([summary('ix-1', 2, ['kw-ann'], ['kw-ann'])]);
    await load.refresh(null);
    expect(load.of('kw-ann')).toBe(0);
    expect(load.of('kw-leo')).toBe(1);
    expect(stored.reads).toEqual([null]);
  });
});
