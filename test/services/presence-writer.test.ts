/**
 * The presence writer with in-memory ports: it writes the latest wanted value only (coalescing), retries a failed
 * write with the value current then, records before writing and clears what a crash left behind, keeps the session
 * alive before it expires, writes only for the people it owns, and keeps to its budget.
 */
import pino from 'pino';
import { afterEach, describe, expect, test } from 'vitest';
import { CallWindow } from '../../src/domain/presence/call-window.js';
import type { ShownPresence } from '../../src/domain/presence/presence-write.js';
import type { PresenceWriteGateway } from '../../src/ports/presence/presence-write-gateway.js';
import { MemoryPresenceWriteStore } from '../../src/ports/presence/presence-write-store.js';
import { PresenceWriter, type PresenceWriterDeps } from '../../src/services/presence-writer.js';

const busy: ShownPresence = { availability: 'Busy', activity: 'InACall', statusMessage: null };
const helping: ShownPresence = { ...busy, statusMessage: 'Helping a customer' };

/** Graph as the writer sees it: every call recorded; calls can be made to fail or to wait. */
class RecordingGateway implements PresenceWriteGateway {
  readonly calls: string[] = [];
  failNext = 0;
  #gate: Promise<void> | undefined;
  #open: (() => void) | undefined;
  hold(): void {
    this.#gate = new Promise((r) => {
      this.#open = r;
    });
  }
  release(): void {
    this.#open?.();
    this.#gate = undefined;
  }
  async #call(text: string): Promise<void> {
    this.calls.push(text);
    await this.#gate;
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('Graph POST failed with 503 ServiceUnavailable');
    }
  }
  setPresence(userId: string, availability: string, activity: string, minutes: number) {
    return this.#call(`set ${userId} ${availability}/${activity} PT${minutes}M`);
  }
  clearPresence(userId: string) {
    return this.#call(`clear ${userId}`);
  }
  setStatusMessage(userId: string, message: string | null) {
    return this.#call(`status ${userId} ${message ?? '(none)'}`);
  }
}

let writers: PresenceWriter[] = [];
afterEach(async () => {
  for (const w of writers) await w.stop();
  writers = [];
});

function build(overrides: Partial<PresenceWriterDeps> = {}, options: { tickMs?: number } = {}) {
  const gateway = new RecordingGateway();
  const store = new MemoryPresenceWriteStore();
  const clock = {
    t: 1_000_000,
    now() {
      return this.t;
    },
  };
  const writer = new PresenceWriter(
    { expirationMinutes: 15, retryBaseMs: 5, tickMs: options.tickMs ?? 5 },
    { gateway, store, clock, owns: () => true, logger: pino({ level: 'silent' }), ...overrides },
  );
  writers.push(writer);
  return { gateway, store, clock, writer };
}

/** Waits until `check` holds (the writer works on timers and promises). */
async function until(check: () => boolean): Promise<void> {
  const end = Date.now() + 5_000;
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 2));
  expect(check()).toBe(true);
}

describe('PresenceWriter', () => {
  test('sets on a session, clears at its end; the record exists exactly while Teams may show it', async () => {
    const { gateway, store, writer } = build();
    writer.start();
    writer.want('u1', busy);
    await until(() => gateway.calls.length === 1 && writer.backlog().inFlight === 0);
    expect(gateway.calls).toEqual(['set u1 Busy/InACall PT15M']);
    expect(await store.list(null)).toEqual([expect.objectContaining({ userId: 'u1', availability: 'Busy' })]);
    writer.want('u1', null);
    await until(() => gateway.calls.length === 2 && writer.backlog().inFlight === 0);
    expect(gateway.calls.at(-1)).toBe('clear u1');
    expect(await store.list(null)).toEqual([]);
  });

  test('changes made while a write is in flight collapse into one write of the latest value', async () => {
    const { gateway, writer } = build();
    writer.start();
    gateway.hold();
    writer.want('u1', busy);
    await until(() => gateway.calls.length === 1);
    writer.want('u1', null);
    writer.want('u1', busy);
    writer.want('u1', null);
    gateway.release();
    await until(() => gateway.calls.length === 2 && writer.backlog().pending === 0 && writer.backlog().inFlight === 0);
    expect(gateway.calls).toEqual(['set u1 Busy/InACall PT15M', 'clear u1']);
    expect(writer.stats.coalesced).toBe(2);
  });

  test('a failed write is retried with the value current then, not the stale one', async () => {
    const { gateway, store, writer } = build();
    writer.start();
    gateway.failNext = 1;
    gateway.hold();
    writer.want('u1', busy);
    await until(() => gateway.calls.length === 1);
    // The session ends while the set is failing: the retry clears instead of setting again.
    writer.want('u1', null);
    gateway.release();
    await until(() => gateway.calls.length === 2 && writer.backlog().inFlight === 0 && writer.backlog().pending === 0);
    expect(gateway.calls).toEqual(['set u1 Busy/InACall PT15M', 'clear u1']);
    expect(writer.stats.failures).toBe(1);
    expect(await store.list(null)).toEqual([]);
  });

  test('a status message is set with the presence and cleared after it', async () => {
    const { gateway, writer } = build();
    writer.start();
    writer.want('u1', helping);
    await until(() => gateway.calls.length === 2);
    writer.want('u1', null);
    await until(() => gateway.calls.length === 4);
    expect(gateway.calls).toEqual([
      'set u1 Busy/InACall PT15M',
      'status u1 Helping a customer',
      'clear u1',
      'status u1 (none)',
    ]);
  });

  test('what a crash left recorded is cleared on take-over; what should still show is kept without a call', async () => {
    const { gateway, store, clock, writer } = build();
    await store.put({ userId: 'gone', ...busy, expiresAt: clock.t + 600_000 });
    await store.put({ userId: 'still', ...busy, expiresAt: clock.t + 600_000 });
    writer.want('still', busy);
    await writer.takeOver(null);
    writer.start();
    await until(() => gateway.calls.length === 1 && writer.backlog().inFlight === 0 && writer.backlog().pending === 0);
    expect(gateway.calls).toEqual(['clear gone']);
    expect((await store.list(null)).map((r) => r.userId)).toEqual(['still']);
  });

  test('the session is written again before it expires while it should still show', async () => {
    const { gateway, clock, writer } = build();
    writer.start();
    writer.want('u1', busy);
    await until(() => gateway.calls.length === 1);
    clock.t += 9 * 60_000; // 6 of 15 minutes left: more than a third, nothing to do
    await new Promise((r) => setTimeout(r, 30));
    expect(gateway.calls).toHaveLength(1);
    clock.t += 2 * 60_000; // 4 minutes left
    await until(() => gateway.calls.length === 2);
    expect(gateway.calls[1]).toBe('set u1 Busy/InACall PT15M');
  });

  test('only the people it owns are written; taking them over writes what they want', async () => {
    let owned = false;
    const { gateway, writer } = build({ owns: () => owned });
    writer.start();
    writer.want('u1', busy);
    await new Promise((r) => setTimeout(r, 30));
    expect(gateway.calls).toEqual([]);
    owned = true;
    await writer.takeOver(['u1']);
    await until(() => gateway.calls.length === 1);
    expect(gateway.calls).toEqual(['set u1 Busy/InACall PT15M']);
  });

  test('keeps to its budget: calls beyond it wait for the window to move on', async () => {
    const budget = new CallWindow(2, 60);
    const { gateway, writer } = build({ budget, clock: { now: () => Date.now() } });
    writer.start();
    for (const id of ['a', 'b', 'c', 'd']) writer.want(id, busy);
    await until(() => gateway.calls.length === 4);
    expect(gateway.calls.map((c) => c.split(' ')[1]).sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(budget.used(Date.now())).toBeLessThanOrEqual(2);
  });
});
