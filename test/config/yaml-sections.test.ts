import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { readConfig } from '../../src/config/read-config.js';
import { omitSections } from '../../src/config/yaml-sections.js';

const file = `# the connector
directory:
  # experts
  knowledgeWorkers:
    - id: kw-ann
      name: Ann
  - bad indentation belongs to the entry above
  agents:
    - { id: agent-kate, name: Kate Lewis }
routing:
  routingPoints:
  - id: billing
    name: Billing
    members: { kind: static, ids: [kw-ann] }
queues: []
agentApi:
  defaultContactCenter: north
`;

describe('cutting sections out of the YAML text', () => {
  test('the knowledge workers and the routing section go; the rest parses as before, on the same lines', () => {
    const cut = omitSections(file, [['directory', 'knowledgeWorkers'], ['routing']]) ?? '';
    expect(parse(cut)).toEqual({
      directory: { agents: [{ id: 'agent-kate', name: 'Kate Lewis' }] },
      queues: [],
      agentApi: { defaultContactCenter: 'north' },
    });
    expect(cut.split('\n')).toHaveLength(file.split('\n').length);
    expect(cut.split('\n').indexOf('queues: []')).toBe(file.split('\n').indexOf('queues: []'));
  });

  test('a section left empty goes with its key, and absent sections are fine', () => {
    const cut = omitSections('directory:\n  knowledgeWorkers: []\nqueues: []\n', [
      ['directory', 'knowledgeWorkers'],
      ['routing'],
    ]);
    expect(parse(cut ?? '')).toEqual({ queues: [] });
  });

  test.each([
    ['a flow-style directory', 'directory: { knowledgeWorkers: [] }\nqueues: []'],
    ['several documents', 'routing: {}\n---\nqueues: []'],
    ['a line it cannot place', 'routing:\n  routingPoints: []\nnot a key\n'],
    ['a key twice', 'routing: {}\nrouting: {}\n'],
  ])('gives up on %s', (_name, text) => {
    expect(omitSections(text, [['directory', 'knowledgeWorkers'], ['routing']])).toBeUndefined();
  });
});

describe('readConfig without the directory', () => {
  const env = { DATABASE_URL: ':memory:' };
  const broken = `directory:
  knowledgeWorkers:
    - id: kw-nameless
  agents:
    - { id: agent-kate, name: Kate Lewis }
routing:
  routingPoints:
    - { id: ghosts, name: Ghosts, members: { kind: static, ids: [nobody] } }
queues:
  - { id: inbound-chat, name: Inbound Chat, members: [agent-kate] }
`;

  test('neither reads nor checks the knowledge workers and routing points; the rest is read and checked', () => {
    expect(readConfig(env, { path: 'c.yaml', text: broken }).ok).toBe(false);
    const lean = readConfig(env, { path: 'c.yaml', text: broken }, { directory: false });
    expect(lean.ok).toBe(true);
    if (!lean.ok) return;
    expect(lean.config.directory.knowledgeWorkers).toEqual([]);
    expect(lean.config.routing.routingPoints).toEqual([]);
    expect(lean.config.directory.agents).toEqual([{ id: 'agent-kate', name: 'Kate Lewis' }]);
    expect(lean.config.queues).toHaveLength(1);
  });

  test('a problem elsewhere is still reported, on its own line of the file', () => {
    const text = broken.replace('members: [agent-kate]', 'members: [agent-nobody]');
    const lean = readConfig(env, { path: 'c.yaml', text }, { directory: false });
    expect(lean.ok).toBe(false);
    if (lean.ok) return;
    expect(lean.problems).toEqual([
      expect.objectContaining({
        key: 'queues[0].members[0]',
        line: 10,
        message: expect.stringContaining('agent-nobody'),
      }),
    ]);
  });
});
