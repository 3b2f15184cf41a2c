/**
 * The written-presence store port: every presence the connector wrote to Teams and has not cleared yet, so a
 * connector that crashed clears what it left behind once it runs again, and the replica that takes a person's
 * presence shard over knows what the previous holder wrote.
 */
import type { WrittenPresence } from '../../domain/presence/presence-write.js';

/** Durable record of written presences, one per person. */
export interface PresenceWriteStore {
  /** The records of these people (null: everyone's). */
  list(userIds: readonly string[] | null): Promise<WrittenPresence[]>;
  /** Records a presence about to be written (before the call, so a crash cannot lose it). */
  put(record: WrittenPresence): Promise<void>;
  /** Forgets a person's record once their presence is cleared in Graph. */
  remove(userId: string): Promise<void>;
}

/** In-memory written-presence store (unit tests). */
export class MemoryPresenceWriteStore implements PresenceWriteStore {
  readonly rows = new Map<string, WrittenPresence>();
  async list(userIds: readonly string[] | null): Promise<WrittenPresence[]> {
    if (userIds === null) return [...this.rows.values()];
    return userIds.flatMap((id) => this.rows.get(id) ?? []);
  }
  async put(record: WrittenPresence): Promise<void> {
    this.rows.set(record.userId, record);
  }
  async remove(userId: string): Promise<void> {
    this.rows.delete(userId);
  }
}
