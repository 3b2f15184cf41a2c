/**
 * The presence history port: closed time-in-state periods for reporting, and the latest state per user (snapshot)
 * so a restart does not forget who was in which state since when. In-memory default doubles as a fake.
 */
import type { AgentState } from '../../domain/presence/agent-state.js';
import type { StateHistoryRecord } from '../../domain/presence/state-change.js';

/** The latest published state of a user. */
export interface PresenceSnapshotRecord {
  readonly userId: string;
  readonly state: AgentState;
  readonly since: number;
}

/** Persistence of presence snapshots and history. */
export interface PresenceHistoryStore {
  /** Appends closed periods and updates the snapshots, in one write. */
  record(history: readonly StateHistoryRecord[], snapshots: readonly PresenceSnapshotRecord[]): Promise<void>;
  /** History of one user between two times (inclusive of overlaps). */
  historyOf(userId: string, from: number, to: number): Promise<StateHistoryRecord[]>;
}

/** In-memory presence history. */
export class MemoryPresenceHistoryStore implements PresenceHistoryStore {
  readonly history: StateHistoryRecord[] = [];
  readonly snapshots = new Map<string, PresenceSnapshotRecord>();
  async record(history: readonly StateHistoryRecord[], snapshots: readonly PresenceSnapshotRecord[]): Promise<void> {
    this.history.push(...history);
    for (const s of snapshots) this.snapshots.set(s.userId, s);
  }
  async historyOf(userId: string, from: number, to: number): Promise<StateHistoryRecord[]> {
    return this.history.filter((h) => h.userId === userId && h.endedAt >= from && h.startedAt <= to);
  }
}
