/**
 * Presence shards: the tracked users cut into fixed groups, the same on every replica (sorted ids, in chunks of at
 * most 650, the most one presence subscription covers). Shard n is polled by whoever holds it and, when there is an
 * n-th subscriber account, covered by that account's subscription. Pure.
 */

/** One shard: its name (the lease name) and its users. */
export interface PresenceShard {
  readonly index: number;
  readonly name: string;
  readonly userIds: readonly string[];
}

/** Cuts `userIds` into shards of `usersPerShard` (1–650), in sorted order; the same input gives the same shards. */
export function planShards(userIds: Iterable<string>, usersPerShard: number): PresenceShard[] {
  const size = Math.max(1, Math.min(650, Math.floor(usersPerShard)));
  const sorted = [...new Set(userIds)].sort();
  const out: PresenceShard[] = [];
  for (let i = 0; i * size < sorted.length; i++)
    out.push({ index: i, name: `shard-${i}`, userIds: sorted.slice(i * size, (i + 1) * size) });
  return out;
}
