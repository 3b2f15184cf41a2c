import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { describeState, type PresenceObservation } from '../../../src/domain/presence/agent-state.js';
import { compileMappingRules, DEFAULT_MAPPING_RULES } from '../../../src/domain/presence/mapping-rules.js';
import { PresenceTracker } from '../../../src/domain/presence/presence-tracker.js';
import { parseRulesFile } from '../../../src/domain/presence/rules-file.js';
import { historyRecordFor } from '../../../src/domain/presence/state-change.js';

const rules = compileMappingRules(DEFAULT_MAPPING_RULES);
const make = () => {
  const t = new PresenceTracker({ rules, staleAfterMs: 60_000 });
  t.track('u1', 0);
  return t;
};
const obs = (o: Partial<PresenceObservation>): PresenceObservation => ({
  userId: 'u1',
  availability: 'Available',
  activity: 'Available',
  observedAt: 1000,
  source: 'notification',
  ...o,
});

describe('PresenceTracker', () => {
  test('a tracked user starts Unknown and a presence makes them Ready, with a state change', () => {
    const t = make();
    expect(describeState(t.stateFor('u1', 0))).toBe('Unknown');
    const r = t.apply(obs({}), 1000);
    expect(r.outcome).toBe('applied');
    expect(r.change).toMatchObject({ userId: 'u1', from: { kind: 'unknown' }, to: { kind: 'ready' }, at: 1000 });
    expect(t.isRoutable('u1', 1000)).toBe(true);
    expect(t.snapshot('u1', 1500)).toMatchObject({ source: 'notification', ageMs: 500 });
  });

  test('duplicates and older sequence numbers change nothing', () => {
    const t = make();
    t.apply(obs({ sequenceNumber: 'C0002' }), 1000);
    expect(t.apply(obs({ sequenceNumber: 'C0002', observedAt: 2000 }), 2000).outcome).toBe('duplicate');
    const late = t.apply(
      obs({ sequenceNumber: 'C0001', availability: 'Busy', activity: 'InACall', observedAt: 3000 }),
      3000,
    );
    expect(late.outcome).toBe('out-of-order');
    expect(describeState(t.stateFor('u1', 3000))).toBe('Ready');
  });

  test('without sequence numbers, observed time orders', () => {
    const t = make();
    t.apply(obs({ availability: 'Busy', activity: 'InACall', observedAt: 2000 }), 2000);
    expect(t.apply(obs({ observedAt: 1500, source: 'poll' }), 2100).outcome).toBe('out-of-order');
    expect(describeState(t.stateFor('u1', 2100))).toBe('NotReady(InACall)');
  });

  test('an unconfirmed user becomes Unknown and a poll confirms them again', () => {
    const t = make();
    t.apply(obs({}), 1000);
    expect(t.expire(50_000)).toHaveLength(0);
    const changes = t.expire(61_001);
    expect(changes.map((c) => describeState(c.to))).toEqual(['Unknown']);
    expect(t.isRoutable('u1', 61_001)).toBe(false);
    const r = t.apply(obs({ observedAt: 62_000, source: 'poll' }), 62_000);
    expect(r.outcome).toBe('confirmed');
    expect(r.change?.to.kind).toBe('ready');
  });

  test('a knowledge worker at the session limit is Busy, and Ready again below it', () => {
    const t = make();
    t.apply(obs({}), 1000);
    expect(t.setLoad('u1', 1, 2000)?.to.kind).toBe('busy');
    expect(t.isRoutable('u1', 2000)).toBe(false);
    const back = t.setLoad('u1', 0, 5000);
    expect(back?.to.kind).toBe('ready');
    expect(back && historyRecordFor(back)).toMatchObject({ state: { kind: 'busy' }, durationMs: 3000 });
  });

  test('reloaded rules re-map every user and per-routing-point rules apply to routing only', () => {
    const t = make();
    t.apply(obs({ availability: 'Busy', activity: 'InACall' }), 1000);
    const parsed = parseRulesFile(
      'rules:\n  - availability: Busy\n    state: Busy\nroutingPoints:\n  rp1:\n    - availability: Busy\n      state: Ready\n',
    );
    if (!parsed.ok) throw new Error(parsed.message);
    expect(t.setRules(parsed.rules, 2000).map((c) => describeState(c.to))).toEqual(['Busy']);
    expect(t.isRoutable('u1', 2000, 'rp1')).toBe(true);
    expect(t.isRoutable('u1', 2000)).toBe(false);
  });

  test('observations for untracked users are ignored', () => {
    const t = make();
    expect(t.apply(obs({ userId: 'stranger' }), 1000).outcome).toBe('untracked');
    expect(t.size).toBe(1);
  });

  test('property: any delivery order of sequenced notifications ends in the newest value', () => {
    const values = ['Available', 'Busy', 'Away', 'Offline', 'DoNotDisturb'];
    fc.assert(
      fc.property(
        fc.array(fc.nat(values.length - 1), { minLength: 1, maxLength: 12 }),
        fc.infiniteStream(fc.nat()),
        (seq, rnd) => {
          const events = seq.map((v, i) =>
            obs({ availability: values[v] ?? 'Away', activity: 'x', sequenceNumber: `S${String(i).padStart(4, '0')}` }),
          );
          const shuffled = [...events, ...events].map((e) => ({ e, k: rnd.next().value })).sort((a, b) => a.k - b.k);
          const t = make();
          for (const { e } of shuffled) t.apply(e, 1000);
          expect(t.snapshot('u1', 1000)?.availability).toBe(events.at(-1)?.availability);
        },
      ),
    );
  });
});
