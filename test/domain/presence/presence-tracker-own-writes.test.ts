/**
 * The connector's own presence writes are not the person's status: with `sessionPresence` set (what the connector
 * shows in Teams for people in a session), an observation of that pair while they are in a session, and until Graph
 * shows something else after it, is read as their own presence from before; anything else is theirs.
 */
import { describe, expect, test } from 'vitest';
import { describeState, type PresenceObservation } from '../../../src/domain/presence/agent-state.js';
import { compileMappingRules, DEFAULT_MAPPING_RULES } from '../../../src/domain/presence/mapping-rules.js';
import { PresenceTracker } from '../../../src/domain/presence/presence-tracker.js';

const rules = compileMappingRules(DEFAULT_MAPPING_RULES);
const ours = { availability: 'Busy', activity: 'InACall' };
const make = (sessionPresence: typeof ours | null = ours) => {
  const t = new PresenceTracker({ rules, staleAfterMs: 60_000, sessionPresence: sessionPresence ?? undefined });
  t.track('u1', 0);
  return t;
};
let at = 1000;
const poll = (availability: string, activity: string): PresenceObservation => {
  at += 100;
  return { userId: 'u1', availability, activity, observedAt: at, source: 'poll' };
};
const state = (t: PresenceTracker) => describeState(t.stateFor('u1', at));

describe('PresenceTracker and the connector’s own writes', () => {
  test('an expert set Busy by our session stays Busy for us, then Ready again: no NotReady(InACall) between', () => {
    const t = make();
    t.apply(poll('Available', 'Available'), at);
    expect(state(t)).toBe('Ready');
    expect(t.setLoad('u1', 1, at)?.to).toEqual({ kind: 'busy' });
    // Our write comes back in a poll: no change is published.
    expect(t.apply(poll('Busy', 'InACall'), at).change).toBeUndefined();
    expect(state(t)).toBe('Busy');
    // The session ends before the clear is observed: her own Available counts, so she is Ready at once.
    expect(t.setLoad('u1', 0, at)?.to).toEqual({ kind: 'ready' });
    expect(t.apply(poll('Busy', 'InACall'), at).change).toBeUndefined();
    expect(t.apply(poll('Available', 'Available'), at).change).toBeUndefined();
    expect(state(t)).toBe('Ready');
    // Later, a Teams call of her own is hers.
    expect(t.apply(poll('Busy', 'InACall'), at).change?.to).toEqual({ kind: 'not-ready', reasonCode: 'InACall' });
  });

  test('her own status while in a session is hers: Do not disturb overrides our Busy in Graph and here', () => {
    const t = make();
    t.apply(poll('Available', 'Available'), at);
    t.setLoad('u1', 1, at);
    t.apply(poll('Busy', 'InACall'), at);
    expect(t.apply(poll('DoNotDisturb', 'Presenting'), at).change?.to).toEqual({
      kind: 'not-ready',
      reasonCode: 'Presenting',
    });
    expect(state(t)).toBe('NotReady(Presenting)');
  });

  test('someone Away before the session is still Away behind our Busy', () => {
    const t = make();
    t.apply(poll('Away', 'Away'), at);
    t.setLoad('u1', 1, at);
    t.apply(poll('Busy', 'InACall'), at);
    expect(state(t)).toBe('NotReady(Away)');
  });

  test('after a restart in the middle of a session, our write seen first counts as available and busy with us', () => {
    const t = make();
    t.setLoad('u1', 1, at);
    t.apply(poll('Busy', 'InACall'), at);
    expect(state(t)).toBe('Busy');
  });

  test('without presence writes, Busy/InACall is always the person’s own', () => {
    const t = make(null);
    t.apply(poll('Available', 'Available'), at);
    t.setLoad('u1', 1, at);
    expect(t.apply(poll('Busy', 'InACall'), at).change?.to).toEqual({ kind: 'not-ready', reasonCode: 'InACall' });
  });
});
