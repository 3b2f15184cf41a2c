import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { parseSimpleYaml } from '../../src/config/simple-yaml.js';

/** What the fast reader gives must be what the `yaml` library gives, whenever it answers at all. */
function agrees(text: string): 'read' | 'left to yaml' {
  const fast = parseSimpleYaml(text);
  if (fast === undefined) return 'left to yaml';
  expect(fast.value).toEqual(parse(text));
  return 'read';
}

describe('the fast YAML reader', () => {
  test('reads a large directory in the usual block style, exactly as the yaml library does', () => {
    const lines = ['# the directory', 'directory:', '  knowledgeWorkers:'];
    for (let i = 0; i < 300; i++) {
      lines.push(`    - id: 3f2a1c00-0000-4000-8000-${String(i).padStart(12, '0')}  # worker ${i}`);
      lines.push(`      name: "Worker ${i}"`, `      email: w${i}@contoso.example`);
      lines.push(`      skills: [{ name: billing, level: ${i % 10} }, { name: 'legal', level: 3 }]`);
      lines.push(`      businessPhones: ["+1 (425) 555-0101"]`, '      voice: { extension: "4102" }');
      if (i % 7 === 0) lines.push('      staticState: Ready', '      priority: 2.5', '      enabled: true');
    }
    lines.push('  agents:', '  - id: agent-kate', '    name: Kate Lewis', '', 'queues: []', 'escalation:');
    lines.push('  defaultCountryCode: "1"', 'routing:', '  routingPoints:', '    - id: all', '      members:');
    lines.push('        kind: static', '        ids:', '          - 3f2a1c00-0000-4000-8000-000000000001', '');
    expect(agrees(lines.join('\n'))).toBe('read');
    expect(agrees(lines.join('\r\n'))).toBe('read');
  });

  test('the shipped configuration files: read or left to the library, never read differently', () => {
    for (const f of ['connector.yaml', 'local.yaml', 'agents-playground.yml', 'agents-playground.local.yml']) {
      const text = readFileSync(new URL(`../../config/${f}`, import.meta.url), 'utf8');
      expect(agrees(text), f).toBe(f === 'connector.yaml' ? 'left to yaml' : 'read');
    }
  });

  test.each([
    [
      'scalars of the core schema',
      'a: 12\nb: -3\nc: 1.5e3\nd: ~\ne: null\nf: TRUE\ng: False\nh: 0123\ni: text with spaces\nj:',
    ],
    [
      'quoted strings with escapes',
      `a: "tab\\there \\"quoted\\" \\u00e9"\nb: 'it''s'\nc: "x" # note\nd: '#not a comment'`,
    ],
    ['a plain scalar with a hash that is not a comment', 'a: C#sharp\nb: x # comment'],
    ['urls', 'a: https://graph.microsoft.com/v1.0\nb: "http://a"'],
    ['compact and nested sequences', 'a:\n- 1\n- - 2\n  - 3\n-\n  x: 1'],
    ['empty flow collections', 'a: []\nb: {}\nc: [[], {}]'],
  ])('reads %s as the library does', (_name, text) => {
    expect(agrees(text)).toBe('read');
  });

  test('leaves a colon inside a flow scalar to the library, which reads it the same', () => {
    expect(agrees('a: https://graph.microsoft.com/v1.0\nb: [http://a]')).toBe('left to yaml');
  });

  test.each([
    ['anchors and aliases', 'a: &x 1\nb: *x'],
    ['tags', 'a: !!str 1'],
    ['block scalars', 'a: |\n  line\n  line'],
    ['multi-line plain scalars', 'a: one\n  two'],
    ['multi-line flow collections', 'a: [1,\n  2]'],
    ['several documents', 'a: 1\n---\nb: 2'],
    ['duplicate keys', 'a: 1\na: 2'],
    ['a tab for indentation', 'a:\n\tb: 1'],
    ['hex and special floats', 'a: 0x1F\nb: .inf'],
    ['a nested mapping on one line', 'a: b: c'],
    ['a null key', 'null: 1'],
    ['a syntax error', 'a: [1, 2'],
    ['a quoted key', '"a": 1'],
  ])('leaves %s to the library', (_name, text) => {
    expect(parseSimpleYaml(text)).toBeUndefined();
  });

  test('an empty file is left to the library', () => {
    expect(parseSimpleYaml('')).toBeUndefined();
    expect(parseSimpleYaml('# only a comment\n')).toBeUndefined();
  });
});
