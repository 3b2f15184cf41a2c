/**
 * The service-URL allowlist: which origins the bot may send to (and so carry its token to), the patterns an admin may
 * write, and the configuration checks around it (the default service URL of proactive installs must be allowed).
 */
import { describe, expect, test } from 'vitest';
import { createServiceUrlPolicy, serviceUrlPatternSchema } from '../../../src/adapters/teams/service-urls.js';
import { DEFAULT_OPENID_METADATA_URL } from '../../../src/adapters/teams/teams-options.js';
import { readConfig } from '../../../src/config/read-config.js';

const defaults = createServiceUrlPolicy({
  allowed: [
    'https://smba.trafficmanager.net',
    'https://smba.infra.gcc.teams.microsoft.com',
    'https://*.botframework.com',
  ],
  localMode: false,
});

describe('the allowlist', () => {
  test.each([
    'https://smba.trafficmanager.net/teams/',
    'https://smba.trafficmanager.net/amer/',
    'https://smba.trafficmanager.net/emea/72f988bf-86f1-41af-91ab-2d7cd011db47/',
    'https://SMBA.trafficmanager.net:443/apac/',
    'https://smba.infra.gcc.teams.microsoft.com/gcc',
    'https://directline.botframework.com/',
    'https://europe.webchat.botframework.com/',
  ])('allows Microsoft’s %s', (url) => {
    expect(defaults.allows(url)).toBe(true);
  });

  test.each([
    ['a lookalike host', 'https://smba.trafficmanager.net.evil.example/teams/'],
    ['another Traffic Manager profile', 'https://evil.trafficmanager.net/teams/'],
    ['a subdomain of an exact host', 'https://x.smba.trafficmanager.net/teams/'],
    ['the bare wildcard domain', 'https://botframework.com/'],
    ['a suffix that is not a subdomain', 'https://evilbotframework.com/'],
    ['plain http', 'http://smba.trafficmanager.net/teams/'],
    ['another port', 'https://smba.trafficmanager.net:8443/teams/'],
    ['credentials in the URL', 'https://user:pass@smba.trafficmanager.net/teams/'],
    ['loopback', 'http://127.0.0.1:56150/_connector'],
    ['not a URL', 'smba.trafficmanager.net'],
  ])('refuses %s', (_name, url) => {
    expect(defaults.allows(url)).toBe(false);
  });

  test('an origin with a port allows that port only (a local stand-in for Teams)', () => {
    const policy = createServiceUrlPolicy({ allowed: ['http://127.0.0.1:4100'], localMode: false });
    expect(policy.allows('http://127.0.0.1:4100/')).toBe(true);
    expect(policy.allows('http://127.0.0.1:4101/')).toBe(false);
    expect(policy.allows('https://smba.trafficmanager.net/teams/')).toBe(false);
  });

  test('local mode allows loopback only, whatever the list says', () => {
    const policy = createServiceUrlPolicy({ allowed: ['https://smba.trafficmanager.net'], localMode: true });
    expect(policy.allows('http://localhost:56150/_connector')).toBe(true);
    expect(policy.allows('https://smba.trafficmanager.net/teams/')).toBe(false);
  });

  test.each([
    ['a path', 'https://smba.trafficmanager.net/teams/'],
    ['no scheme', 'smba.trafficmanager.net'],
    ['a wildcard over a top-level domain', 'https://*.com'],
    ['a wildcard inside a label', 'https://smba*.trafficmanager.net'],
    ['another scheme', 'ftp://smba.trafficmanager.net'],
  ])('refuses a pattern with %s', (_name, pattern) => {
    expect(serviceUrlPatternSchema.safeParse(pattern).success).toBe(false);
  });
});

describe('configuration', () => {
  const credentials = { MICROSOFT_APP_ID: '5e1d7c44-0000-4000-8000-00000000b07a', MICROSOFT_APP_PASSWORD: 'x' };
  const file = (teams: string) => ({ path: 'c.yaml', text: `teams:\n  allowedTenants: [t-1]\n${teams}` });

  test('the defaults: Microsoft’s service hosts and OpenID metadata, the global default service URL allowed', () => {
    const result = readConfig(credentials, file(''));
    expect(result.ok && result.config.teams).toMatchObject({
      openIdMetadataUrl: DEFAULT_OPENID_METADATA_URL,
      allowedServiceUrls: [
        'https://smba.trafficmanager.net',
        'https://smba.infra.gcc.teams.microsoft.com',
        'https://*.botframework.com',
      ],
      defaultServiceUrl: 'https://smba.trafficmanager.net/teams/',
    });
  });

  test('a default service URL off the allowlist is a configuration problem naming the fix', () => {
    const result = readConfig(credentials, file('  defaultServiceUrl: https://bots.contoso.example/teams/\n'));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([
      expect.objectContaining({
        key: 'teams.defaultServiceUrl',
        fix: expect.stringContaining('teams.allowedServiceUrls'),
      }),
    ]);
  });

  test('in local mode the default service URL is not checked (local mode sends to loopback only)', () => {
    expect(readConfig({}, file('  defaultServiceUrl: https://bots.contoso.example/teams/\n')).ok).toBe(true);
  });

  test('a malformed allowlist entry is a problem at its key', () => {
    const result = readConfig(credentials, file('  allowedServiceUrls: ["https://*.com"]\n'));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems[0]?.key).toBe('teams.allowedServiceUrls[0]');
  });
});
