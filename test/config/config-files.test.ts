/**
 * The files the configuration names, read and checked at startup: the presence rules file (compiled; an invalid
 * rule named with its line), the subscriptions' certificate (base64 DER) and private key (checked, never quoted).
 * Each problem names the key, the path or line, and the fix; the rules file's re-read for hot reload likewise.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { loadConfigFiles, type ReadTextFile, reloadPresenceRules } from '../../src/config/config-files.js';
import { type Config, formatProblem, readConfig } from '../../src/config/read-config.js';
import { compileMappingRules, DEFAULT_MAPPING_RULES, mapPresence } from '../../src/domain/presence/mapping-rules.js';

const fixture = (name: string) =>
  readFileSync(fileURLToPath(new URL(`../fixtures/graph/${name}`, import.meta.url)), 'utf8');
const certificatePem = fixture('notification-cert.pem');
const privateKeyPem = fixture('notification-key.pem');

/** A file system of a few files; anything else does not exist (Node's ENOENT), or fails with the given code. */
function files(entries: Record<string, string | { code: string }>): ReadTextFile {
  return (path) => {
    const entry = entries[path];
    if (typeof entry === 'string') return entry;
    const error = new Error(`cannot read ${path}`) as Error & { code: string };
    error.code = entry?.code ?? 'ENOENT';
    throw error;
  };
}

const env = { GRAPH_CLIENT_SECRET: 's3cret', PRESENCE_TOKEN_CACHE_KEY: Buffer.alloc(32, 1).toString('base64') };

/** A configuration with a presence section; `rules` and `subscriptions` add those keys. */
function configWith(o: { rules?: string; subscriptions?: boolean } = {}): Config {
  const lines = [
    'presence:',
    '  tenantId: contoso.example',
    '  clientId: 11111111-2222-3333-4444-555555555555',
    ...(o.rules ? [`  rulesFile: ${o.rules}`] : []),
    ...(o.subscriptions
      ? [
          '  subscriptions:',
          '    accounts: [svc@contoso.example]',
          '    certificateFile: certs/notify-cert.pem',
          '    privateKeyFile: certs/notify-key.pem',
          '    notificationBaseUrl: https://uc.contoso.example',
        ]
      : []),
  ];
  const result = readConfig(env, { path: 'connector.yaml', text: lines.join('\n') });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.config;
}

const goodKeys = { 'certs/notify-cert.pem': certificatePem, 'certs/notify-key.pem': privateKeyPem };

describe('loadConfigFiles', () => {
  test('without a presence section there is nothing to read', () => {
    const result = readConfig({}, null);
    if (!result.ok) throw new Error('defaults are valid');
    expect(loadConfigFiles(result.config, files({}))).toMatchObject({ ok: true, config: { presence: null } });
  });

  test('without a rules file the shipped rules apply', () => {
    const loaded = loadConfigFiles(configWith(), files({}));
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    expect(loaded.config.presence?.rules).toEqual(compileMappingRules(DEFAULT_MAPPING_RULES));
    expect(loaded.config.presence?.subscriptions).toBeNull();
  });

  test('the rules file is read and compiled', () => {
    const rules = 'rules:\n  - availability: Busy\n    activity: InACall\n    state: Ready\n';
    const loaded = loadConfigFiles(configWith({ rules: 'config/rules.yaml' }), files({ 'config/rules.yaml': rules }));
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    const set = loaded.config.presence?.rules;
    if (!set) throw new Error('rules expected');
    expect(mapPresence(set, 'Busy', 'InACall')).toEqual({ kind: 'ready' });
  });

  test('a missing rules file is a problem naming the key, the path and the fix', () => {
    const loaded = loadConfigFiles(configWith({ rules: 'config/rules.yaml' }), files({}));
    expect(loaded.ok).toBe(false);
    if (loaded.ok) return;
    expect(loaded.problems).toEqual([
      expect.objectContaining({ key: 'presence.rulesFile', where: 'file', line: null }),
    ]);
    expect(formatProblem(loaded.problems[0] ?? fail(), 'connector.yaml')).toBe(
      'presence.rulesFile (connector.yaml): config/rules.yaml does not exist. Fix: point presence.rulesFile at the ' +
        'mapping rules file (docs/presence.md), or remove it for the shipped rules.',
    );
  });

  test('an invalid rule is named with the rules file and its line', () => {
    const rules = 'rules:\n  - availability: Away\n    state: Bogus\n';
    const loaded = loadConfigFiles(configWith({ rules: 'config/rules.yaml' }), files({ 'config/rules.yaml': rules }));
    expect(loaded.ok).toBe(false);
    if (loaded.ok) return;
    expect(loaded.problems).toEqual([
      expect.objectContaining({ key: 'presence.rulesFile', file: 'config/rules.yaml', line: 3 }),
    ]);
    expect(formatProblem(loaded.problems[0] ?? fail(), 'connector.yaml')).toMatch(
      /^presence\.rulesFile \(config\/rules\.yaml line 3\): rules\.0\.state: .*Fix: correct the rule at line 3 of config\/rules\.yaml/,
    );
  });

  test('the certificate becomes the base64 DER Graph wants, and the key is kept as PEM', () => {
    const loaded = loadConfigFiles(configWith({ subscriptions: true }), files(goodKeys));
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    const s = loaded.config.presence?.subscriptions;
    expect(s?.certificateBase64).toBe(new X509Certificate(certificatePem).raw.toString('base64'));
    // The same as the PEM's body without its armour lines (what the connector sent before).
    expect(s?.certificateBase64).toBe(certificatePem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''));
    expect(s?.privateKeyPem).toBe(privateKeyPem);
    expect(s).toMatchObject({ certificateFile: 'certs/notify-cert.pem', accounts: ['svc@contoso.example'] });
  });

  test('a missing key and a missing certificate are each named with key and path', () => {
    const loaded = loadConfigFiles(configWith({ subscriptions: true }), files({}));
    expect(loaded.ok).toBe(false);
    if (loaded.ok) return;
    expect(loaded.problems.map((p) => [p.key, p.message])).toEqual([
      ['presence.subscriptions.certificateFile', 'certs/notify-cert.pem does not exist'],
      ['presence.subscriptions.privateKeyFile', 'certs/notify-key.pem does not exist'],
    ]);
  });

  test('an invalid key is refused without a word of its content', () => {
    const secret = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7secretmaterial';
    const broken = `-----BEGIN PRIVATE KEY-----\n${secret}\n-----END PRIVATE KEY-----\n`;
    const loaded = loadConfigFiles(
      configWith({ subscriptions: true }),
      files({ ...goodKeys, 'certs/notify-key.pem': broken }),
    );
    expect(loaded.ok).toBe(false);
    if (loaded.ok) return;
    expect(loaded.problems).toEqual([
      expect.objectContaining({
        key: 'presence.subscriptions.privateKeyFile',
        message: 'certs/notify-key.pem is not a private key in PEM form (PKCS#8 or PKCS#1)',
      }),
    ]);
    const printed = loaded.problems.map((p) => formatProblem(p, 'connector.yaml')).join('\n');
    expect(printed).not.toContain('secretmaterial');
    expect(printed).not.toContain('MIIE');
  });

  test('the key given as the certificate is named, and an unreadable file says why', () => {
    const loaded = loadConfigFiles(
      configWith({ subscriptions: true }),
      files({ 'certs/notify-cert.pem': privateKeyPem, 'certs/notify-key.pem': { code: 'EACCES' } }),
    );
    expect(loaded.ok).toBe(false);
    if (loaded.ok) return;
    expect(loaded.problems).toEqual([
      expect.objectContaining({
        key: 'presence.subscriptions.certificateFile',
        message: 'certs/notify-cert.pem is not a certificate in PEM form',
      }),
      expect.objectContaining({
        key: 'presence.subscriptions.privateKeyFile',
        message: 'certs/notify-key.pem cannot be read (permission denied)',
        fix: "let the connector's user read certs/notify-key.pem",
      }),
    ]);
    expect(loaded.problems.map((p) => p.message).join(' ')).not.toContain('PRIVATE KEY');
  });

  test('problems with the rules file and the keys are reported together', () => {
    const loaded = loadConfigFiles(configWith({ rules: 'rules.yaml', subscriptions: true }), files({}));
    expect(loaded.ok ? [] : loaded.problems.map((p) => p.key)).toEqual([
      'presence.rulesFile',
      'presence.subscriptions.certificateFile',
      'presence.subscriptions.privateKeyFile',
    ]);
  });
});

describe('reloadPresenceRules', () => {
  test('a valid edit gives the compiled rules', () => {
    const reload = reloadPresenceRules(
      'r.yaml',
      files({ 'r.yaml': 'rules:\n  - availability: Away\n    state: Busy\n' }),
    );
    expect(reload.ok).toBe(true);
    if (reload.ok) expect(mapPresence(reload.rules, 'Away', 'Away')).toEqual({ kind: 'busy' });
  });

  test('an invalid edit gives the line and the parser message, to log while the current rules stay', () => {
    const reload = reloadPresenceRules(
      'r.yaml',
      files({ 'r.yaml': 'rules:\n  - availability: Busy\n    state: Sleeping\n' }),
    );
    expect(reload.ok).toBe(false);
    if (reload.ok) return;
    expect(reload.problem).toMatchObject({ key: 'presence.rulesFile', file: 'r.yaml', line: 3 });
    expect(`line ${reload.problem.line}: ${reload.problem.message}`).toMatch(/^line 3: rules\.0\.state: /);
  });

  test('a file that went away is a problem without a line', () => {
    const reload = reloadPresenceRules('r.yaml', files({}));
    expect(reload).toMatchObject({ ok: false, problem: { line: null, message: 'r.yaml does not exist' } });
  });
});

function fail(): never {
  throw new Error('expected a problem');
}
