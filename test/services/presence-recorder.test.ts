/**
 * The presence recorder over the in-memory history store: queued state changes are written to the history (closed
 * periods and snapshots) and then published to every listener, in slices of at most RECORD_SLICE changes, in order,
 * even when more is queued while a listener is still busy with an earlier slice; the event loop gets its turn between
 * slices; a failing history write is logged and the slices after it still go through; `settled()` resolves once
 * everything queued is done.
 */
import { describe, expect, test, vi } from 'vitest';
import { type AgentState, notReady, READY, UNKNOWN } from '../../src/domain/presence/agent-state.js';
import type { StateChange, StateHistoryRecord } from '../../src/domain/presence/state-change.js';
import {
  MemoryPresenceHistoryStore,
  type PresenceSnapshotRecord,
} from '../../src/ports/presence/presence-history-store.js';
import {
  type KnowledgeWorkerStateChange,
  PresenceRecorder,
  RECORD_SLICE,
  type StateChangeListener,
} from '../../src/services/presence-recorder.js';
import { captureLogs } from '../support/log-capture.js';

const T0 = Date.UTC(2026, 0, 15, 9, 0, 0);

const change = (userId: string, from: AgentState, to: AgentState, previousSince: number, at: number): StateChange => ({
  userId,
  from,
  to,
  previousSince,
  at,
  cause: 'poll',
});

/** A listener call as "user kind@at". */
type Heard = string[];

/** A listener told of each change of a slice in turn (the tests' view of a slice). */
const eachChange =
  (heard: (change: KnowledgeWorkerStateChange) => Promise<void> | void): StateChangeListener =>
  async (changes) => {
    for (const c of changes) await heard(c);
  };

/** A gate a test opens by hand. */
function gate() {
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

/** A history store whose next writes fail (a database that went away). */
class FailingHistoryStore extends MemoryPresenceHistoryStore {
  failures = 0;
  override async record(
    history: readonly StateHistoryRecord[],
    snapshots: readonly PresenceSnapshotRecord[],
  ): Promise<void> {
    if (this.failures > 0) {
      this.failures--;
      throw new Error('database is locked');
    }
    await super.record(history, snapshots);
  }
}

describe('PresenceRecorder', () => {
  test('a batch is recorded, then published to every listener as agent states, in order', async () => {
    const history = new MemoryPresenceHistoryStore();
    const { logger } = captureLogs();
    const recorder = new PresenceRecorder(history, logger);
    const heard: Heard = [];
    const historyAtPublish: number[] = [];
    recorder.onStateChange(
      eachChange(async ({ knowledgeWorkerId: id, state, at }) => {
        historyAtPublish.push(history.history.length);
        heard.push(`first ${id} ${state.kind}@${at - T0}`);
      }),
    );
    recorder.onStateChange(
      eachChange(async ({ knowledgeWorkerId: id, state, at }) => {
        heard.push(`second ${id} ${state.kind}${state.kind === 'NotReady' ? `(${state.reason})` : ''}@${at - T0}`);
      }),
    );

    recorder.record([
      change('kw-ann', UNKNOWN, READY, T0, T0 + 1_000),
      change('kw-leo', UNKNOWN, notReady('InAMeeting'), T0, T0 + 1_000),
    ]);
    await recorder.settled();

    expect(heard).toEqual([
      'first kw-ann Ready@1000',
      'first kw-leo NotReady@1000',
      'second kw-ann Ready@1000',
      'second kw-leo NotReady(InAMeeting)@1000',
    ]);
    // Both changes were in the history before the first listener heard of them.
    expect(historyAtPublish).toEqual([2, 2]);
    expect(history.history).toEqual([
      { userId: 'kw-ann', state: UNKNOWN, startedAt: T0, endedAt: T0 + 1_000, durationMs: 1_000 },
      { userId: 'kw-leo', state: UNKNOWN, startedAt: T0, endedAt: T0 + 1_000, durationMs: 1_000 },
    ]);
    expect(history.snapshots.get('kw-leo')).toEqual({
      userId: 'kw-leo',
      state: notReady('InAMeeting'),
      since: T0 + 1_000,
    });
  });

  test('changes queued while a listener is still busy with an earlier slice wait for it: order is kept', async () => {
    const history = new MemoryPresenceHistoryStore();
    const recorder = new PresenceRecorder(history, captureLogs().logger);
    const slow = gate();
    const heard: Heard = [];
    recorder.onStateChange(
      eachChange(async ({ knowledgeWorkerId: id, state, at }) => {
        heard.push(`slow ${id} ${state.kind}@${at - T0}`);
        if (at === T0 + 1_000) await slow.opened;
      }),
    );
    recorder.onStateChange(
      eachChange(async ({ knowledgeWorkerId: id, state, at }) => {
        heard.push(`fast ${id} ${state.kind}@${at - T0}`);
      }),
    );

    recorder.record([change('kw-ann', UNKNOWN, READY, T0, T0 + 1_000)]);
    await vi.waitFor(() => expect(heard).toEqual(['slow kw-ann Ready@1000']));
    recorder.record([change('kw-ann', READY, notReady('Away'), T0 + 1_000, T0 + 2_000)]);
    recorder.record([change('kw-ann', notReady('Away'), READY, T0 + 2_000, T0 + 3_000)]);
    const done = recorder.settled();

    // While the first listener holds the first batch, nothing of the later batches is written or published.
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(heard).toEqual(['slow kw-ann Ready@1000']);
    expect(history.history).toHaveLength(1);

    slow.open();
    await done;
    // The two batches queued meanwhile went out as one slice.
    expect(heard).toEqual([
      'slow kw-ann Ready@1000',
      'fast kw-ann Ready@1000',
      'slow kw-ann NotReady@2000',
      'slow kw-ann Ready@3000',
      'fast kw-ann NotReady@2000',
      'fast kw-ann Ready@3000',
    ]);
    expect(history.history.map((h) => [h.state.kind, h.startedAt - T0, h.endedAt - T0])).toEqual([
      ['unknown', 0, 1_000],
      ['ready', 1_000, 2_000],
      ['not-ready', 2_000, 3_000],
    ]);
    expect(history.snapshots.get('kw-ann')).toEqual({ userId: 'kw-ann', state: READY, since: T0 + 3_000 });
  });

  test('a failing history write is logged and later batches are still recorded and published', async () => {
    const history = new FailingHistoryStore();
    const { logger, records: lines } = captureLogs();
    const recorder = new PresenceRecorder(history, logger);
    const heard: Heard = [];
    recorder.onStateChange(
      eachChange(async ({ knowledgeWorkerId: id, state, at }) => {
        heard.push(`${id} ${state.kind}@${at - T0}`);
      }),
    );

    history.failures = 1;
    recorder.record([change('kw-ann', UNKNOWN, READY, T0, T0 + 1_000)]);
    recorder.record([change('kw-leo', UNKNOWN, READY, T0, T0 + 2_000)]);
    await recorder.settled();

    expect(heard.at(-1)).toBe('kw-leo Ready@2000');
    expect(history.history.map((h) => h.userId)).toEqual(['kw-leo']);
    const errors = lines.filter((l) => l.msg === 'could not record presence changes');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      level: 50,
      err: expect.objectContaining({ message: 'database is locked' }),
    });
  });

  test('a failing listener is logged and later batches still go through', async () => {
    const history = new MemoryPresenceHistoryStore();
    const { logger, records: lines } = captureLogs();
    const recorder = new PresenceRecorder(history, logger);
    const heard: Heard = [];
    recorder.onStateChange(
      eachChange(async ({ knowledgeWorkerId: id, at }) => {
        if (at === T0 + 1_000) throw new Error('event log unavailable');
        heard.push(`${id}@${at - T0}`);
      }),
    );

    recorder.record([change('kw-ann', UNKNOWN, READY, T0, T0 + 1_000)]);
    recorder.record([change('kw-ann', READY, notReady('Away'), T0 + 1_000, T0 + 2_000)]);
    await recorder.settled();

    expect(heard).toEqual(['kw-ann@2000']);
    expect(history.history).toHaveLength(2);
    expect(lines.filter((l) => l.msg === 'could not publish presence changes')).toHaveLength(1);
  });

  test('a listener failing on a slice costs neither the other listeners nor the later slices', async () => {
    const history = new MemoryPresenceHistoryStore();
    const { logger, records: lines } = captureLogs();
    const recorder = new PresenceRecorder(history, logger);
    const first: string[] = [];
    const second: string[] = [];
    recorder.onStateChange(
      eachChange(async ({ knowledgeWorkerId: id }) => {
        if (id === 'kw-ann') throw new Error('event log unavailable');
        first.push(id);
      }),
    );
    recorder.onStateChange(
      eachChange(async ({ knowledgeWorkerId: id }) => {
        second.push(id);
      }),
    );

    recorder.record([
      change('kw-ann', UNKNOWN, READY, T0, T0 + 1_000),
      change('kw-leo', UNKNOWN, READY, T0, T0 + 1_000),
    ]);
    recorder.record([change('kw-eve', UNKNOWN, READY, T0, T0 + 1_000)]);
    await recorder.settled();

    expect(first).toEqual(['kw-eve']);
    expect(second).toEqual(['kw-ann', 'kw-leo', 'kw-eve']);
    const failures = lines.filter((l) => l.msg === 'could not publish presence changes');
    expect(failures.map((l) => l.knowledgeWorkerIds)).toEqual([['kw-ann', 'kw-leo']]);
  });

  test('a burst is written and published in slices, and the event loop gets its turn between them', async () => {
    const writes: number[] = [];
    class CountingStore extends MemoryPresenceHistoryStore {
      override async record(
        history: readonly StateHistoryRecord[],
        snapshots: readonly PresenceSnapshotRecord[],
      ): Promise<void> {
        writes.push(history.length);
        await super.record(history, snapshots);
      }
    }
    const history = new CountingStore();
    const recorder = new PresenceRecorder(history, captureLogs().logger);
    const slices: number[] = [];
    const timeline: string[] = [];
    recorder.onStateChange(async (changes) => {
      slices.push(changes.length);
      timeline.push(`slice of ${changes.length}`);
      // Something else waiting on the event loop (an HTTP request, say) when the first slice is out.
      if (slices.length === 1) setImmediate(() => timeline.push('other work'));
    });
    const burst = Array.from({ length: RECORD_SLICE * 2 + 10 }, (_, i) =>
      change(`kw-${i}`, UNKNOWN, READY, T0, T0 + 1_000),
    );
    recorder.record(burst);
    await recorder.settled();

    expect(writes).toEqual([RECORD_SLICE, RECORD_SLICE, 10]);
    expect(slices).toEqual([RECORD_SLICE, RECORD_SLICE, 10]);
    // It ran before the next slice was written and published.
    expect(timeline).toEqual([`slice of ${RECORD_SLICE}`, 'other work', `slice of ${RECORD_SLICE}`, 'slice of 10']);
    expect(history.history).toHaveLength(burst.length);
  });

  test('two periods of one user in a slice close once each; the snapshot is the last state', async () => {
    const history = new MemoryPresenceHistoryStore();
    const recorder = new PresenceRecorder(history, captureLogs().logger);
    recorder.record([
      change('kw-ann', UNKNOWN, READY, T0, T0 + 1_000),
      change('kw-ann', READY, notReady('Away'), T0 + 1_000, T0 + 1_000),
      change('kw-ann', notReady('Away'), READY, T0 + 1_000, T0 + 1_000),
    ]);
    await recorder.settled();
    // The zero-length Away period and the Ready one both start at +1 s: the one row for that start is the later.
    expect(history.history.map((h) => [h.state.kind, h.startedAt - T0, h.endedAt - T0])).toEqual([
      ['unknown', 0, 1_000],
      ['not-ready', 1_000, 1_000],
    ]);
    expect(history.snapshots.get('kw-ann')).toEqual({ userId: 'kw-ann', state: READY, since: T0 + 1_000 });
  });

  test('settled() resolves only after everything queued is recorded and published', async () => {
    const history = new MemoryPresenceHistoryStore();
    const recorder = new PresenceRecorder(history, captureLogs().logger);
    await recorder.settled(); // nothing queued: resolves at once
    const slow = gate();
    const heard: string[] = [];
    recorder.onStateChange(
      eachChange(async ({ knowledgeWorkerId: id }) => {
        await slow.opened;
        heard.push(id);
      }),
    );

    recorder.record([change('kw-ann', UNKNOWN, READY, T0, T0 + 1_000)]);
    recorder.record([]); // an empty batch queues nothing
    recorder.record([change('kw-leo', UNKNOWN, READY, T0, T0 + 1_000)]);
    let settled = false;
    const done = recorder.settled().then(() => {
      settled = true;
    });
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);

    slow.open();
    await done;
    expect(heard).toEqual(['kw-ann', 'kw-leo']);
    expect(history.history).toHaveLength(2);
  });
});
