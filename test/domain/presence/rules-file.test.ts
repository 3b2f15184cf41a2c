import { describe, expect, test } from 'vitest';
import { describeState } from '../../../src/domain/presence/agent-state.js';
import { mapPresence } from '../../../src/domain/presence/mapping-rules.js';
import { parseRulesFile } from '../../../src/domain/presence/rules-file.js';

describe('parseRulesFile', () => {
  test('a valid file compiles', () => {
    const r = parseRulesFile(
      ['rules:', '  - availability: [Busy, DoNotDisturb]', '    activity: Presenting', '    state: LoggedOut'].join(
        '\n',
      ),
    );
    expect(r.ok).toBe(true);
    if (r.ok) expect(describeState(mapPresence(r.rules, 'dONOTdisturb', 'presenting'))).toBe('LoggedOut');
  });

  test('an unknown state is refused naming its line', () => {
    const r = parseRulesFile(
      ['rules:', '  - availability: Available', '    state: Ready', '  - state: Sleepy'].join('\n'),
    );
    expect(r).toMatchObject({ ok: false, line: 4 });
    if (!r.ok) expect(r.message).toContain('rules.1.state');
  });

  test('a YAML syntax error is refused naming its line', () => {
    const r = parseRulesFile(['rules:', '  - availability: Available', '    state: [Ready'].join('\n'));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.line).toBeGreaterThanOrEqual(3);
  });

  test('a reason code on a non-NotReady rule is refused', () => {
    const r = parseRulesFile(
      ['rules:', '  - availability: Available', '    state: Ready', '    reasonCode: x'].join('\n'),
    );
    expect(r).toMatchObject({ ok: false, line: 4 });
  });

  test('an unknown key in a routing point list is refused at its line', () => {
    const r = parseRulesFile(
      ['rules: []', 'routingPoints:', '  rp1:', '    - state: Ready', '      colour: red'].join('\n'),
    );
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.line).toBe(4);
  });
});
