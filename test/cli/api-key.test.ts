/**
 * `uc-connector api-key` through its real entry point (`node bin/uc-connector.js`) against a real SQLite file: the
 * first platform key is minted on the command line and works on the API; agent keys; listing without secrets;
 * revoking; and the mistakes an admin makes, each with a fix.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { createLogger } from '../../src/logger.js';
import { bearer } from '../support/api-app.js';
import request from '../support/api-request.js';
import { sampleDirectory, testConfig } from '../support/test-app.js';

const bin = fileURLToPath(new URL('../../bin/uc-connector.js', import.meta.url));
// Jim is North's: the default contact center's queue offers chats to its own agents only.
const directory = sampleDirectory.replace('members: [agent-kate, agent-jim]', 'members: [agent-kate]');
const yaml = `${directory}agentApi:\n  contactCenters:\n    - { id: north, agents: [agent-jim] }\n`;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(args: string[], env: Record<string, string>, cwd: string): Promise<Run> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [bin, 'api-key', ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? '', ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

function workspace() {
  const cwd = mkdtempSync(path.join(tmpdir(), 'ucc-cli-'));
  writeFileSync(path.join(cwd, 'connector.yaml'), yaml);
  // DATABASE_URL relative to the working directory, as an admin would write it.
  return { cwd, env: { CONNECTOR_CONFIG: 'connector.yaml', DATABASE_URL: 'data/connector.db', LOG_LEVEL: 'silent' } };
}

const secretOf = (out: string) => /\b(ucc_[A-Za-z0-9_-]{43})\b/.exec(out)?.[1] ?? '';
const idOf = (out: string) => /\(id (key_[0-9a-f]+),/.exec(out)?.[1] ?? '';

// Each run starts a Node process that compiles the sources: allow time on a busy machine.
describe('uc-connector api-key', { timeout: 180_000 }, () => {
  it('mints the first platform key, which administers the API; agent keys act as their agent; revoke stops a key', async () => {
    const { cwd, env } = workspace();
    const platform = await run(['create', '--contact-center', 'default', '--label', 'CCaaS platform'], env, cwd);
    expect(platform).toMatchObject({ code: 0, stderr: '' });
    expect(platform.stdout).toContain('Created a platform key in contact center "default"');
    expect(platform.stdout).toContain('This is the only time the key is shown');
    const platformKey = secretOf(platform.stdout);
    const platformId = idOf(platform.stdout);
    expect(platformKey).not.toBe('');

    const agent = await run(['create', '--contact-center', 'default', '--agent', 'agent-kate'], env, cwd);
    expect(agent.code).toBe(0);
    expect(agent.stdout).toContain('an agent key for agent-kate');
    const kateKey = secretOf(agent.stdout);

    const app = await createApp(testConfig(yaml, path.join(cwd, 'data/connector.db')), {
      logger: createLogger('silent'),
    });
    try {
      const keys = await request(app.http).get('/api/v1/keys').set(bearer(platformKey)).expect(200);
      expect(keys.body.keys.map((k: { label: string }) => k.label)).toEqual([
        'CCaaS platform',
        'agent key for agent-kate',
      ]);
      await request(app.http)
        .post('/api/v1/keys')
        .set(bearer(platformKey))
        .send({ agentId: 'agent-kate', label: 'second desk' })
        .expect(201);
      const me = await request(app.http).get('/api/v1/me').set(bearer(kateKey)).expect(200);
      expect(me.body).toEqual({
        contactCenter: 'default',
        platform: false,
        agent: { id: 'agent-kate', name: 'Kate Lewis' },
      });
    } finally {
      await app.stop();
    }

    const list = await run(['list'], env, cwd);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^ID\s+CONTACT CENTER\s+AGENT\s+LABEL\s+CREATED\s+STATUS/);
    expect(list.stdout).toContain(platformId);
    expect(list.stdout).toContain('second desk');
    expect(list.stdout).not.toContain(platformKey);
    expect(list.stdout).not.toContain(kateKey);

    expect(await run(['revoke', platformId], env, cwd)).toMatchObject({ code: 0, stdout: `Revoked ${platformId}.\n` });
    expect((await run(['revoke', platformId], env, cwd)).stdout).toContain('was already revoked');
    expect((await run(['list', '--contact-center', 'default'], env, cwd)).stdout).toMatch(
      new RegExp(`${platformId}.*revoked \\d{4}-`),
    );
    const again = await createApp(testConfig(yaml, path.join(cwd, 'data/connector.db')), {
      logger: createLogger('silent'),
    });
    try {
      await request(again.http).get('/api/v1/keys').set(bearer(platformKey)).expect(401);
    } finally {
      await again.stop();
    }
  });

  it('names the mistake and its fix, with exit code 2 for a wrong command line and 1 otherwise', async () => {
    const { cwd, env } = workspace();
    const missing = await run(['create'], env, cwd);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('create needs --contact-center <id>');
    expect((await run(['rotate'], env, cwd)).stderr).toContain('unknown action "rotate"');
    expect((await run(['create', '--contact-centre', 'x'], env, cwd)).code).toBe(2);

    const unknownCc = await run(['create', '--contact-center', 'south'], env, cwd);
    expect(unknownCc.code).toBe(1);
    expect(unknownCc.stderr).toContain('contact center "south" is not configured (known: default, north)');
    const wrongCc = await run(['create', '--contact-center', 'default', '--agent', 'agent-jim'], env, cwd);
    expect(wrongCc.code).toBe(1);
    expect(wrongCc.stderr).toContain('"agent-jim" is not an agent of contact center "default"');
    expect((await run(['create', '--contact-center', 'north', '--agent', 'agent-jim'], env, cwd)).code).toBe(0);

    const unknownKey = await run(['revoke', 'key_0000'], env, cwd);
    expect(unknownKey.code).toBe(1);
    expect(unknownKey.stderr).toContain('no key has id "key_0000"');

    const noFile = await run(['list'], { ...env, CONNECTOR_CONFIG: 'nope.yaml' }, cwd);
    expect(noFile.code).toBe(1);
    expect(noFile.stderr).toContain('CONNECTOR_CONFIG names nope.yaml, which does not exist');
    const help = await run(['--help'], env, cwd);
    expect(help).toMatchObject({ code: 0 });
    expect(help.stdout).toContain('Usage: uc-connector api-key');
  });

  it('reads .env in the working directory beneath the environment, as npm start does', async () => {
    const { cwd } = workspace();
    writeFileSync(
      path.join(cwd, '.env'),
      '# the admin keeps settings here\nCONNECTOR_CONFIG=connector.yaml\nDATABASE_URL=data/from-dotenv.db\nLOG_LEVEL=silent\n',
    );
    const created = await run(['create', '--contact-center', 'default', '--agent', 'agent-kate'], {}, cwd);
    expect(created).toMatchObject({ code: 0, stderr: '' });
    const listed = await run(['list'], {}, cwd);
    expect(listed.stdout).toContain('agent-kate');
    // The environment wins over .env: another database has no keys.
    const other = await run(['list'], { DATABASE_URL: 'data/other.db' }, cwd);
    expect(other.stdout).toContain('No API keys in');
  });

  it('does not read the knowledge workers or routing points: a broken directory there does not stop a key', async () => {
    const { cwd, env } = workspace();
    // A knowledge worker without a name and a routing point naming nobody: the connector refuses to start with
    // this, but api-key never reads those sections. The agents (and the contact centers) are still read and checked.
    const broken = yaml
      .replace('knowledgeWorkers:', 'knowledgeWorkers:\n    - id: no-name-here')
      .replace(
        'routingPoints:',
        'routingPoints:\n    - { id: ghosts, name: Ghosts, members: { kind: static, ids: [nobody] } }',
      );
    expect(broken).not.toBe(yaml);
    writeFileSync(path.join(cwd, 'connector.yaml'), broken);
    const created = await run(['create', '--contact-center', 'north', '--agent', 'agent-jim'], env, cwd);
    expect(created).toMatchObject({ code: 0, stderr: '' });
    const unknownAgent = await run(['create', '--contact-center', 'default', '--agent', 'agent-nobody'], env, cwd);
    expect(unknownAgent.code).toBe(1);
    expect(unknownAgent.stderr).toContain('agent-nobody');
  });
});
