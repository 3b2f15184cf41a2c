/**
 * presence-memory: heap bytes per tracked user at 100,000 users — the tracker holding each user's presence with a
 * sequence number, source, age, state and load, plus the poller's per-user bookkeeping. Target < 2 KB.
 */
import { randomUUID } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { compileMappingRules, DEFAULT_MAPPING_RULES } from '../src/domain/presence/mapping-rules.js';
import { PresenceTracker } from '../src/domain/presence/presence-tracker.js';

export const name = 'presence-memory';

const USERS = 100_000;
const values = [
  ['Available', 'Available'],
  ['Busy', 'InACall'],
  ['Busy', 'InAMeeting'],
  ['Away', 'Away'],
  ['DoNotDisturb', 'Presenting'],
  ['Offline', 'OffWork'],
] as const;

function gc(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

export async function run() {
  // Ids arrive as JSON strings from Graph; build them the same way so each is its own heap string.
  const ids: string[] = JSON.parse(JSON.stringify(Array.from({ length: USERS }, () => randomUUID())));
  gc();
  const before = process.memoryUsage().heapUsed;
  const tracker = new PresenceTracker({ rules: compileMappingRules(DEFAULT_MAPPING_RULES), staleAfterMs: 300_000 });
  const lastPolled = new Map<string, number>(); // the poller's bookkeeping, same shape as PresencePoller's
  const now = Date.now();
  for (const id of ids) tracker.track(id, now);
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i] ?? '';
    const [availability, activity] = values[i % values.length] ?? values[0];
    const parsed = JSON.parse(
      JSON.stringify({ id, availability, activity, sequenceNumber: `C${String(now + i).padStart(16, '0')}` }),
    ) as { availability: string; activity: string; sequenceNumber: string };
    tracker.apply({ userId: id, ...parsed, observedAt: now, source: i % 2 ? 'poll' : 'notification' }, now);
    lastPolled.set(id, now);
  }
  tracker.setLoad(ids[0] ?? '', 1, now);
  gc();
  const after = process.memoryUsage().heapUsed;
  // The ids themselves were allocated before the baseline; count them too, as a tracked user's id is part of its cost.
  const idBytes = ids.reduce((n, s) => n + 16 + s.length, 0);
  const perUser = (after - before + idBytes) / USERS;
  if (tracker.size !== USERS || lastPolled.size !== USERS) throw new Error('bench setup broken');
  return {
    'presence-memory': {
      value: Math.round(perUser),
      unit: 'bytes of heap per tracked user',
      users: USERS,
      includes: 'tracker record, sequence number, Map entries, poller bookkeeping, the user id string',
      target: '< 2048',
    },
  };
}
