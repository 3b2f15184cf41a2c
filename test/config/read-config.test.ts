/** Configuration: defaults, and every invalid input named by key, line and fix. */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { formatProblem, readConfig } from '../../src/config/read-config.js';

const fail = (): never => {
  throw new Error('expected a problem');
};
const file = (text: string) => ({ path: 'connector.yaml', text });

describe('readConfig', () => {
  test('defaults without a file', () => {
    const result = readConfig({}, null);
    expect(result).toMatchObject({
      ok: true,
      config: { server: { port: 3978, host: '0.0.0.0' }, database: { url: './data/connector.db' }, logLevel: 'info' },
    });
  });

  test('the shipped configuration file is valid', () => {
    const result = readConfig({}, file(readFileSync('config/connector.yaml', 'utf8')));
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.config.routing.routingPoints.map((r) => r.id)).toEqual(['billing', 'experts']);
  });

  test('a bad environment variable is named with its fix', () => {
    const result = readConfig({ PORT: '99999', LOG_LEVEL: 'loud' }, null);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => p.key).sort()).toEqual(['LOG_LEVEL', 'PORT']);
    expect(formatProblem(result.problems.find((p) => p.key === 'PORT') ?? result.problems[0] ?? fail(), 'x')).toContain(
      'Fix: set PORT to a TCP port number',
    );
  });

  test('a value of the wrong type is named by key and line', () => {
    const text = [
      'routing:',
      '  routingPoints:',
      '    - id: billing',
      '      name: Billing',
      '      members: { kind: static, ids: [] }',
      '      strategy: { kind: round-robin }',
      '      previewTimeoutMs: soon',
      '',
    ].join('\n');
    const result = readConfig({}, file(text));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([
      expect.objectContaining({ key: 'routing.routingPoints[0].previewTimeoutMs', line: 7, where: 'file' }),
    ]);
    expect(formatProblem(result.problems[0] ?? fail(), 'connector.yaml')).toMatch(
      /^routing\.routingPoints\[0\]\.previewTimeoutMs \(connector\.yaml line 7\): .*Fix: give .* a value of type number\.$/,
    );
  });

  test('a member who is not in the directory, and a misspelt key', () => {
    const text = [
      'directory:',
      '  knowledgeWorkers:',
      '    - { id: kw-1, name: Ann }',
      'routing:',
      '  routingPoints:',
      '    - id: billing',
      '      name: Billing',
      '      members: { kind: static, ids: [kw-1, kw-404] }',
      '      strategy: { kind: round-robin }',
      'queus: []',
    ].join('\n');
    const first = readConfig({}, file(text));
    expect(first.ok).toBe(false);
    if (first.ok) return;
    expect(first.problems[0]).toMatchObject({ key: '(file)', fix: expect.stringContaining('queus') });
    const second = readConfig({}, file(text.replace('queus: []', '')));
    expect(second.ok).toBe(false);
    if (second.ok) return;
    expect(second.problems).toEqual([
      expect.objectContaining({
        key: 'routing.routingPoints[0].members.ids[1]',
        line: 8,
        message: '"kw-404" is not a knowledge worker in directory.knowledgeWorkers',
      }),
    ]);
  });

  test('contact centers: unknown agents and queues, one listed twice, a queue member of another contact center', () => {
    const text = [
      'directory:',
      '  agents:',
      '    - { id: kate, name: Kate }',
      '    - { id: bob, name: Bob }',
      'queues:',
      '  - { id: north-q, name: North, members: [kate, bob] }',
      'agentApi:',
      '  contactCenters:',
      '    - { id: south, agents: [bob, nobody], queues: [south-q] }',
      '    - { id: east, agents: [bob] }',
    ].join('\n');
    const result = readConfig({}, file(text));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => [p.key, p.message])).toEqual([
      [
        'agentApi.contactCenters[1].agents[0]',
        '"bob" already belongs to contact center "south"; agents belong to one contact center',
      ],
    ]);
    const fixed = readConfig({}, file(text.replace('    - { id: east, agents: [bob] }', '')));
    expect(fixed.ok).toBe(false);
    if (fixed.ok) return;
    expect(fixed.problems.map((p) => [p.key, p.line])).toEqual([
      ['agentApi.contactCenters[0].agents[1]', 9],
      ['agentApi.contactCenters[0].queues[0]', 9],
      ['queues[0].members[1]', 6],
    ]);
    expect(fixed.problems[2]?.message).toBe(
      '"bob" is an agent of contact center "south", queue north-q belongs to "default"',
    );
  });

  test('broken YAML names the line', () => {
    const result = readConfig({}, file('directory:\n  agents:\n    - id: a\n     name: b\n'));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems[0]).toMatchObject({ key: '(file)', line: expect.any(Number) });
  });
});

describe('the presence section', () => {
  const presence = (extra = '') =>
    file(`presence:\n  tenantId: contoso.example\n  clientId: 11111111-2222-3333-4444-555555555555\n${extra}`);
  const subscriptions =
    '  subscriptions:\n    accounts: [svc@contoso.example]\n    certificateFile: c.pem\n    privateKeyFile: k.pem\n';
  const key = Buffer.alloc(32, 1).toString('base64');

  test('resolves with the secret from the environment and the default JWKS address', () => {
    const result = readConfig({ GRAPH_CLIENT_SECRET: 's3cret' }, presence());
    expect(result).toMatchObject({
      ok: true,
      config: {
        presence: {
          clientSecret: 's3cret',
          jwksUrl: 'https://login.microsoftonline.com/common/discovery/v2.0/keys',
          poll: { fastIntervalMs: 15_000, slowIntervalMs: 120_000 },
          subscriptions: null,
        },
      },
    });
  });

  test('names each missing secret and address with its fix, and never starts half-configured', () => {
    const result = readConfig({}, presence(subscriptions));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => p.key).sort()).toEqual([
      'GRAPH_CLIENT_SECRET',
      'PRESENCE_TOKEN_CACHE_KEY',
      'presence.subscriptions.notificationBaseUrl',
    ]);
    expect(result.problems.map((p) => p.fix).join(' ')).toContain('openssl rand -base64 32');
  });

  test('subscriptions post to PUBLIC_BASE_URL by default', () => {
    const result = readConfig(
      { GRAPH_CLIENT_SECRET: 's', PRESENCE_TOKEN_CACHE_KEY: key, PUBLIC_BASE_URL: 'https://uc.contoso.example/' },
      presence(subscriptions),
    );
    expect(result).toMatchObject({
      ok: true,
      config: {
        presence: { subscriptions: { notificationBaseUrl: 'https://uc.contoso.example', tokenCacheKey: key } },
      },
    });
  });

  test('the replaced decryptionThreads key is refused with the name of its successor', () => {
    const result = readConfig(
      { GRAPH_CLIENT_SECRET: 's', PRESENCE_TOKEN_CACHE_KEY: key, PUBLIC_BASE_URL: 'https://uc.contoso.example/' },
      presence(`${subscriptions}    decryptionThreads: 2\n`),
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toHaveLength(1);
    expect(formatProblem(result.problems[0] ?? fail(), 'connector.yaml')).toContain(
      'presence.subscriptions.decryptionThreads',
    );
    expect(result.problems[0]?.fix).toContain('decryptionProcesses');
  });

  test('the backlog kept before shedding to polling: 2,000 items by default, at least 100', () => {
    const env = {
      GRAPH_CLIENT_SECRET: 's',
      PRESENCE_TOKEN_CACHE_KEY: key,
      PUBLIC_BASE_URL: 'https://uc.contoso.example/',
    };
    expect(readConfig(env, presence(subscriptions))).toMatchObject({
      ok: true,
      config: { presence: { subscriptions: { maxBacklog: 2_000 } } },
    });
    expect(readConfig(env, presence(`${subscriptions}    maxBacklog: 20000\n`))).toMatchObject({
      ok: true,
      config: { presence: { subscriptions: { maxBacklog: 20_000 } } },
    });
    const tooSmall = readConfig(env, presence(`${subscriptions}    maxBacklog: 10\n`));
    expect(tooSmall.ok).toBe(false);
    if (!tooSmall.ok) expect(tooSmall.problems.map((p) => p.key)).toEqual(['presence.subscriptions.maxBacklog']);
  });

  test('a token cache key of the wrong length is refused', () => {
    const result = readConfig({ GRAPH_CLIENT_SECRET: 's', PRESENCE_TOKEN_CACHE_KEY: 'c2hvcnQ=' }, presence());
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems[0]).toMatchObject({ key: 'PRESENCE_TOKEN_CACHE_KEY', where: 'environment' });
  });

  test('without clientId and without MICROSOFT_APP_ID the app registration is asked for', () => {
    const result = readConfig({ GRAPH_CLIENT_SECRET: 's' }, file('presence:\n  tenantId: contoso.example\n'));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems.map((p) => p.key)).toEqual(['presence.clientId']);
  });
});

describe('Entra groups and proactive install', () => {
  const groupPoint = [
    'routing:',
    '  routingPoints:',
    '    - id: billing',
    '      name: Billing',
    '      members: { kind: entra-group, groupId: 0b9d5a5e-0000-4000-8000-000000000001 }',
    '      strategy: { kind: round-robin }',
    'teams:',
    '  allowedTenants: [contoso.example]',
    '  teamsCatalogAppId: c47a1095-0000-4000-8000-00000000ca7a',
  ];

  test('both need Graph: without a presence section each is named with its line and fix', () => {
    const result = readConfig({}, file(groupPoint.join('\n')));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([
      expect.objectContaining({
        key: 'routing.routingPoints[0].members.groupId',
        line: 5,
        fix: expect.stringContaining('add a presence section'),
      }),
      expect.objectContaining({
        key: 'teams.teamsCatalogAppId',
        line: 9,
        fix: expect.stringContaining('add a presence section'),
      }),
    ]);
  });

  test('with Graph they are accepted, with the sync interval and the retry of failed installs defaulted', () => {
    const text = [
      ...groupPoint,
      'presence:',
      '  tenantId: contoso.example',
      '  clientId: 11111111-2222-3333-4444-555555555555',
    ];
    const result = readConfig({ GRAPH_CLIENT_SECRET: 's3cret' }, file(text.join('\n')));
    expect(result).toMatchObject({
      ok: true,
      config: {
        routing: { groupSyncIntervalMs: 300_000 },
        teams: { teamsCatalogAppId: 'c47a1095-0000-4000-8000-00000000ca7a', unreachableRetryMs: 3_600_000 },
      },
    });
    const tooOften = readConfig(
      { GRAPH_CLIENT_SECRET: 's3cret' },
      file(text.join('\n').replace('routing:\n', 'routing:\n  groupSyncIntervalMs: 1000\n')),
    );
    expect(tooOften.ok).toBe(false);
    if (!tooOften.ok) expect(tooOften.problems[0]).toMatchObject({ key: 'routing.groupSyncIntervalMs', line: 2 });
  });
});
