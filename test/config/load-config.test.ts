/**
 * Where the configuration comes from, as `npm start` and the CLI find it: `--config`, else `CONNECTOR_CONFIG`, else
 * `config/connector.yaml` (optional). A named file that is missing or unreadable is its own cause; then the
 * configuration and the files it names are read, each problem as the line startup prints.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { readTextFileIn } from '../../src/config/config-files.js';
import { describeConfigFileFailure, findConfigFile, loadConfig, readConfigFrom } from '../../src/config/load-config.js';

/** A working directory holding `files` (relative paths). */
function workingDirectory(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'load-config-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const directory = 'directory:\n  agents:\n    - { id: agent-kate, name: Kate Lewis }\n';

describe('findConfigFile', () => {
  test('reads config/connector.yaml by default, relative to the working directory', () => {
    const cwd = workingDirectory({ 'config/connector.yaml': directory });
    expect(findConfigFile({ env: {}, readFile: readTextFileIn(cwd) })).toEqual({
      ok: true,
      file: { path: 'config/connector.yaml', text: directory },
      env: {},
    });
  });

  test('without the default file: no file, every default', () => {
    const cwd = workingDirectory({});
    expect(findConfigFile({ env: {}, readFile: readTextFileIn(cwd) })).toMatchObject({ ok: true, file: null });
  });

  test('a file CONNECTOR_CONFIG names must exist', () => {
    const cwd = workingDirectory({});
    const found = findConfigFile({ env: { CONNECTOR_CONFIG: 'nope.yaml' }, readFile: readTextFileIn(cwd) });
    expect(found).toEqual({
      ok: false,
      failure: { namedBy: 'CONNECTOR_CONFIG', path: 'nope.yaml', reason: 'missing' },
    });
    if (!found.ok)
      expect(describeConfigFileFailure(found.failure)).toBe(
        'CONNECTOR_CONFIG names nope.yaml, which does not exist. Fix: point CONNECTOR_CONFIG at your configuration file.',
      );
  });

  test('--config wins over CONNECTOR_CONFIG and becomes the configuration path', () => {
    const cwd = workingDirectory({ 'flag.yaml': directory, 'env.yaml': 'queus: []\n' });
    const source = { env: { CONNECTOR_CONFIG: 'env.yaml' }, configPath: 'flag.yaml', readFile: readTextFileIn(cwd) };
    expect(findConfigFile(source)).toMatchObject({
      ok: true,
      file: { path: 'flag.yaml' },
      env: { CONNECTOR_CONFIG: 'flag.yaml' },
    });
    const read = readConfigFrom(source);
    expect(read).toMatchObject({ ok: true, file: 'flag.yaml', config: { configPath: 'flag.yaml' } });
    const missing = findConfigFile({ ...source, configPath: 'gone.yaml' });
    expect(missing.ok ? '' : describeConfigFileFailure(missing.failure)).toBe(
      '--config names gone.yaml, which does not exist. Fix: point --config at your configuration file.',
    );
  });

  test('a file that cannot be read says why, even at the default path', () => {
    const cwd = workingDirectory({ 'config/connector.yaml/inside': '' });
    const found = findConfigFile({ env: {}, readFile: readTextFileIn(cwd) });
    expect(found).toEqual({
      ok: false,
      failure: { namedBy: null, path: 'config/connector.yaml', reason: 'unreadable', code: 'EISDIR' },
    });
    if (!found.ok)
      expect(describeConfigFileFailure(found.failure)).toBe(
        "The configuration file config/connector.yaml cannot be read (EISDIR). Fix: let the connector's user read it.",
      );
  });
});

describe('loadConfig', () => {
  test('the configuration and the files it names, with the file it came from', () => {
    const rules = 'rules:\n  - availability: Busy\n    state: Ready\n';
    const yaml = `${directory}presence:\n  tenantId: contoso.example\n  clientId: app\n  rulesFile: config/rules.yaml\n`;
    const cwd = workingDirectory({ 'config/connector.yaml': yaml, 'config/rules.yaml': rules });
    const loaded = loadConfig({ env: { GRAPH_CLIENT_SECRET: 's' }, readFile: readTextFileIn(cwd) });
    expect(loaded).toMatchObject({
      ok: true,
      file: 'config/connector.yaml',
      config: { directory: { agents: [{ id: 'agent-kate' }] }, presence: { rulesFile: 'config/rules.yaml' } },
    });
    expect(loaded.ok && loaded.config.presence?.rules.rules.length).toBe(1);
  });

  test('an invalid configuration: one line per problem, naming the file and the line', () => {
    const cwd = workingDirectory({ 'c.yaml': 'queus: []\n' });
    expect(loadConfig({ env: { CONNECTOR_CONFIG: 'c.yaml' }, readFile: readTextFileIn(cwd) })).toEqual({
      ok: false,
      cause: 'invalid',
      file: 'c.yaml',
      lines: [expect.stringMatching(/^\(file\) \(c\.yaml line 1\): .*Fix: remove or rename queus/)],
    });
  });

  test('a bad file the configuration names is a configuration problem; readConfigFrom does not read it', () => {
    const yaml = `presence:\n  tenantId: contoso.example\n  clientId: app\n  rulesFile: rules.yaml\n`;
    const cwd = workingDirectory({ 'c.yaml': yaml, 'rules.yaml': 'rules:\n  - state: Sleeping\n' });
    const source = { env: { CONNECTOR_CONFIG: 'c.yaml', GRAPH_CLIENT_SECRET: 's' }, readFile: readTextFileIn(cwd) };
    expect(loadConfig(source)).toEqual({
      ok: false,
      cause: 'invalid',
      file: 'c.yaml',
      lines: [expect.stringMatching(/^presence\.rulesFile \(rules\.yaml line 2\): rules\.0\.state: /)],
    });
    expect(readConfigFrom(source)).toMatchObject({ ok: true });
  });

  test('a missing named file is its own cause, with the line to print', () => {
    const cwd = workingDirectory({});
    expect(loadConfig({ env: { CONNECTOR_CONFIG: 'nope.yaml' }, readFile: readTextFileIn(cwd) })).toEqual({
      ok: false,
      cause: 'config-file',
      file: 'nope.yaml',
      lines: [
        'CONNECTOR_CONFIG names nope.yaml, which does not exist. Fix: point CONNECTOR_CONFIG at your configuration file.',
      ],
    });
  });
});
