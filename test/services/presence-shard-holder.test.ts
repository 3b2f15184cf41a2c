/**
 * The presence shard holder alone (one process, SQLite): it holds every planned shard and the late joiners' shard,
 * so knowledge workers tracked after start (new Entra group members) are polled at once.
 */
import pino from 'pino';
import { describe, expect, test } from 'vitest';
import { compileMappingRules, DEFAULT_MAPPING_RULES } from '../../src/domain/presence/mapping-rules.js';
import { planShards } from '../../src/domain/presence/presence-shards.js';
import { PresenceTracker } from '../../src/domain/presence/presence-tracker.js';
import { LATE_JOINERS_SHARD, PresenceShardHolder } from '../../src/services/presence-shard-holder.js';

function aloneHolder() {
  const due: string[][] = [];
  const holder = new PresenceShardHolder({
    shards: planShards(['u1', 'u2', 'u3'], 2),
    tracker: new PresenceTracker({ rules: compileMappingRules(DEFAULT_MAPPING_RULES), staleAfterMs: 600_000 }),
    clock: { now: () => 0 },
    coordination: null,
    publication: null,
    subscriptions: null,
    markDue: (ids) => due.push([...ids]),
    publish: () => {},
    logger: pino({ level: 'silent' }),
  });
  return { holder, due };
}

describe('PresenceShardHolder alone', () => {
  test('holds every planned shard and the late joiners’ shard, and polls their users', () => {
    const { holder, due } = aloneHolder();
    holder.start();
    expect(holder.held()).toEqual(['shard-0', 'shard-1', LATE_JOINERS_SHARD]);
    expect([...holder.users()].sort()).toEqual(['u1', 'u2', 'u3']);
    expect(due.flat().sort()).toEqual(['u1', 'u2', 'u3']);
  });

  test('users tracked after start are polled at once, once, and known users are not added twice', () => {
    const { holder, due } = aloneHolder();
    holder.start();
    due.length = 0;
    holder.addLateJoiners(['u4', 'u2', 'u4']);
    expect(due).toEqual([['u4']]);
    holder.addLateJoiners(['u4']);
    expect(due).toEqual([['u4']]);
    expect([...holder.users()].sort()).toEqual(['u1', 'u2', 'u3', 'u4']);
  });

  test('users tracked before start join the late joiners’ shard and are polled when it is held', () => {
    const { holder, due } = aloneHolder();
    holder.addLateJoiners(['u9']);
    expect(due).toEqual([]);
    holder.start();
    expect([...holder.users()]).toContain('u9');
    expect(due.flat()).toContain('u9');
  });
});
