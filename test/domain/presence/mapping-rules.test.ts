import { describe, expect, test } from 'vitest';
import { describeState } from '../../../src/domain/presence/agent-state.js';
import { compileMappingRules, DEFAULT_MAPPING_RULES, mapPresence } from '../../../src/domain/presence/mapping-rules.js';

const defaults = compileMappingRules(DEFAULT_MAPPING_RULES);

describe('default mapping (UC Connector)', () => {
  test.each([
    ['Available', 'Available', 'Ready'],
    ['available', 'available', 'Ready'],
    ['Offline', 'OffWork', 'LoggedOut'],
    ['Busy', 'InAMeeting', 'NotReady(InAMeeting)'],
    ['DoNotDisturb', 'Presenting', 'NotReady(Presenting)'],
    ['Away', 'Away', 'NotReady(Away)'],
    ['SomethingNew', 'focusing', 'NotReady(focusing)'],
  ])('%s / %s → %s', (availability, activity, expected) => {
    expect(describeState(mapPresence(defaults, availability, activity))).toBe(expected);
  });
});

describe('configured rules', () => {
  const rules = compileMappingRules({
    rules: [
      { availability: 'Busy', state: 'NotReady', reasonCode: 'busy' },
      { availability: ['Busy'], activity: 'InACall', state: 'Busy' },
      { availability: 'Available', state: 'Ready' },
    ],
    routingPoints: { 'rp-sales': [{ availability: 'busy', activity: 'inacall', state: 'Ready' }] },
  });

  test('the most specific rule wins over an earlier, broader one', () => {
    expect(describeState(mapPresence(rules, 'Busy', 'InACall'))).toBe('Busy');
    expect(describeState(mapPresence(rules, 'Busy', 'InAMeeting'))).toBe('NotReady(busy)');
  });

  test('a routing point override applies only in that routing point', () => {
    expect(describeState(mapPresence(rules, 'Busy', 'InACall', 'rp-sales'))).toBe('Ready');
    expect(describeState(mapPresence(rules, 'Busy', 'InACall', 'rp-other'))).toBe('Busy');
    expect(describeState(mapPresence(rules, 'Available', 'Available', 'rp-sales'))).toBe('Ready');
  });

  test('unmatched values fall back to the shipped default', () => {
    expect(describeState(mapPresence(rules, 'Offline', 'Offline'))).toBe('LoggedOut');
    expect(describeState(mapPresence(rules, 'Away', 'BeRightBack'))).toBe('NotReady(BeRightBack)');
  });
});
