/**
 * The admin's path against a local installation (Graph emulator, Bot Connector emulator, the running connector and
 * its database): a subscriber account is signed in through `uc-connector presence sign-in`, then
 * `uc-connector doctor` passes; each broken case makes it exit 1 and name the fix.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqlGroupMembershipStore } from '../../src/adapters/store/sql-reach-stores.js';
import { formatCheck } from '../../src/cli/doctor/print-checklist.js';
import {
  ACCOUNT,
  alex,
  type CliRun,
  closedAddress,
  type DoctorWorld,
  megan,
  runBin,
  runInProcess,
  startDoctorWorld,
} from './doctor-world.js';

let world: DoctorWorld;
let healthy: string;
beforeAll(async () => {
  world = await startDoctorWorld();
  healthy = world.writeConfig();
}, 60_000);
afterAll(async () => {
  await world?.close();
});

/** Runs the doctor in this process against `config` with the healthy environment plus `env`. */
function doctor(config: string, env: Record<string, string> = {}): Promise<CliRun> {
  return runInProcess(
    ['doctor', '--config', config, '--bot-login-url', world.bot.loginBaseUrl],
    { ...world.env, ...env },
    world.dir,
  );
}

/** The printed line of a check, with its fix line when there is one. */
function lineOf(run: CliRun, name: string): string {
  const lines = run.stdout.split('\n');
  const i = lines.findIndex((l) => l.includes(` ${name}:`));
  if (i < 0) throw new Error(`no "${name}" line in:\n${run.stdout}`);
  const next = lines[i + 1] ?? '';
  return next.trim().startsWith('fix:') ? `${lines[i]}\n${next}` : (lines[i] ?? '');
}

describe('uc-connector presence sign-in, then uc-connector doctor', () => {
  it('signs the subscriber account in with a device code, after which the doctor passes every check', async () => {
    let approved = false;
    const signIn = await runBin(['presence', 'sign-in', ACCOUNT, '--config', healthy], world.env, world.dir, (out) => {
      const code = /enter the code ([A-Z0-9]+)/.exec(out)?.[1];
      if (code && !approved) approved = world.graph.identity.approveDeviceCode(code, ACCOUNT);
    });
    expect(signIn.stderr).not.toContain('✖');
    expect(signIn.code).toBe(0);
    expect(approved).toBe(true);
    expect(signIn.stdout).toContain(`/devicelogin and enter the code`);
    expect(signIn.stdout).toContain(
      `✔ ${ACCOUNT} signed in; its tokens are stored encrypted in ${world.env.DATABASE_URL}`,
    );

    const run = await runBin(
      ['doctor', '--config', healthy, '--bot-login-url', world.bot.loginBaseUrl],
      world.env,
      world.dir,
    );
    expect(run.stdout).not.toContain('[FAIL]');
    expect(run.code).toBe(0);
    for (const name of [
      'configuration',
      'database',
      'bot credentials',
      'Graph app token',
      'Graph permission Presence.Read.All',
      'Graph permission User.Read.All',
      'Graph permission TeamsAppInstallation.ReadWriteSelfForUser.All',
      `subscriber account ${ACCOUNT}`,
      'subscription coverage',
      'notification endpoint',
      'knowledge workers reachable in Teams',
    ])
      expect(lineOf(run, name)).toMatch(/^ {2}\[ok\]/);
    expect(lineOf(run, `subscriber account ${ACCOUNT}`)).toContain('covers 2 user(s)');
    // The connector has not run yet, so it holds no subscription whose notifications could be judged.
    expect(lineOf(run, 'subscription health')).toMatch(/^ {2}\[skip\] .*no live subscription is stored yet/);
    expect(run.stdout).toMatch(/Summary: 11 passed, 0 warnings, 0 failed, 1 skipped\. The connector is ready\./);
    expect(world.bot.tokensIssued()).toBeGreaterThan(0);
  });

  it('keeps nothing when another account signs in with the code', async () => {
    const config = world.writeConfig({ accounts: [ACCOUNT, 'svc-two@contoso.example'] });
    const run = await runInProcess(
      ['presence', 'sign-in', 'svc-two@contoso.example', '--config', config],
      world.env,
      world.dir,
      (out) => {
        const code = /enter the code ([A-Z0-9]+)/.exec(out)?.[1];
        if (code) world.graph.identity.approveDeviceCode(code, 'intruder@contoso.example');
      },
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      'intruder@contoso.example signed in instead of svc-two@contoso.example; nothing was kept',
    );
    const check = await doctor(config);
    expect(lineOf(check, 'subscriber account svc-two@contoso.example')).toMatch(/\[FAIL\] .*never signed in/);
  });

  it('refuses to sign in an account the configuration does not list', async () => {
    const run = await runInProcess(
      ['presence', 'sign-in', 'someone@contoso.example', '--config', healthy],
      world.env,
      world.dir,
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('someone@contoso.example is not in presence.subscriptions.accounts');
  });
});

describe('uc-connector doctor on a broken installation', () => {
  it('names a wrong Graph secret and skips the permission checks that need its token', async () => {
    const run = await doctor(healthy, { GRAPH_CLIENT_SECRET: 'expired-secret' });
    expect(run.code).toBe(1);
    expect(lineOf(run, 'Graph app token')).toMatch(
      /\[FAIL\].*refused the client secret \(invalid_client\)[\s\S]*fix: set GRAPH_CLIENT_SECRET/,
    );
    expect(lineOf(run, 'Graph permission Presence.Read.All')).toMatch(/\[skip\].*needs the Graph app token/);
  });

  it('names a wrong bot secret', async () => {
    const run = await doctor(healthy, { MICROSOFT_APP_PASSWORD: 'old-secret' });
    expect(run.code).toBe(1);
    expect(lineOf(run, 'bot credentials')).toMatch(/\[FAIL\][\s\S]*fix: set MICROSOFT_APP_PASSWORD/);
  });

  it('names a Graph permission without admin consent', async () => {
    world.graph.directory.denyPermission('TeamsAppInstallation.ReadWriteSelfForUser.All');
    try {
      const run = await doctor(healthy);
      expect(run.code).toBe(1);
      expect(lineOf(run, 'Graph permission TeamsAppInstallation.ReadWriteSelfForUser.All')).toMatch(
        /\[FAIL\].*403 Forbidden[\s\S]*fix: add the application permission TeamsAppInstallation\.ReadWriteSelfForUser\.All .*Grant admin consent/,
      );
      expect(lineOf(run, 'Graph permission User.Read.All')).toMatch(/\[ok\]/);
    } finally {
      world.graph.directory.denyPermission('TeamsAppInstallation.ReadWriteSelfForUser.All', false);
    }
  });

  it('names a subscriber account never signed in, and too few accounts for the knowledge workers', async () => {
    const many = Array.from({ length: 650 }, (_, i) => ({ id: `kw-${i}`, name: `Expert ${i}` }));
    const config = world.writeConfig({ accounts: ['svc-new@contoso.example'], extraKnowledgeWorkers: many });
    const run = await doctor(config);
    expect(run.code).toBe(1);
    expect(lineOf(run, 'subscriber account svc-new@contoso.example')).toMatch(
      /\[FAIL\] .*never signed in: the 650 user\(s\)[\s\S]*fix: run uc-connector presence sign-in svc-new@contoso\.example/,
    );
    expect(lineOf(run, 'subscription coverage')).toMatch(
      /\[FAIL\] .*652 knowledge workers need 2 subscriber accounts[\s\S]*fix: add 1 more subscriber account to presence\.subscriptions\.accounts/,
    );
  });

  it('names a notification endpoint that does not answer the validation handshake', async () => {
    const nobody = await closedAddress();
    const run = await doctor(world.writeConfig({ notificationBaseUrl: nobody }));
    expect(run.code).toBe(1);
    expect(lineOf(run, 'notification endpoint')).toContain(
      `[FAIL] notification endpoint: nothing answered at ${nobody}/api/graph/notifications (ECONNREFUSED)`,
    );
    expect(lineOf(run, 'notification endpoint')).toContain('fix: the connector must be running');
  });

  it('names knowledge workers the bot has no conversation with', async () => {
    const lee = { id: '4782e723-f4f4-4af3-a76e-25e3bab0d896', name: 'Lee Gu' };
    const run = await doctor(world.writeConfig({ extraKnowledgeWorkers: [lee] }));
    expect(run.code).toBe(1);
    const line = lineOf(run, 'knowledge workers reachable in Teams');
    expect(line).toMatch(/\[FAIL\] .*1 of 3 cannot be reached: Lee Gu \(4782e723-f4f4-4af3-a76e-25e3bab0d896\)/);
    expect(line).not.toContain(megan.name);
    expect(line).not.toContain(alex.name);
    expect(line).toMatch(/fix: install the app for them with an app setup policy/);
  });

  it('names knowledge workers the bot cannot reach, with the reason the connector stored', async () => {
    await world.app.reach?.mark(alex.id, 'blocked', 'the Bot Connector answered 403 MessageWritesBlocked');
    try {
      const run = await doctor(healthy);
      expect(run.code).toBe(1);
      const line = lineOf(run, 'knowledge workers reachable in Teams');
      expect(line).toContain(
        `[FAIL] knowledge workers reachable in Teams: 1 of 2 cannot be reached, so routing offers them nothing: Alex Wilber (${alex.id}): they blocked the bot in Teams (the Bot Connector answered 403 MessageWritesBlocked)`,
      );
      expect(line).toMatch(/fix: ask them to unblock the app in Teams/);
    } finally {
      await world.app.reach?.clear(alex.id);
    }
  });

  it("shows each Entra group's last sync: not yet, then a failure with the members routing keeps", async () => {
    world.graph.directory.setGroup('g-doctor', [megan.id]);
    const config = world.writeConfig({ groupId: 'g-doctor' });
    const first = await doctor(config);
    expect(lineOf(first, 'Graph permission GroupMember.Read.All')).toMatch(/\[ok\]/);
    expect(lineOf(first, 'Entra group g-doctor')).toMatch(/\[warn\] .*not synced yet \(routing point group\)/);
    // What the running connector's sync stores: a good read, then Graph refusing.
    const store = new SqlGroupMembershipStore(world.app.database);
    const member = {
      id: megan.id,
      displayName: megan.name,
      userPrincipalName: null,
      mail: null,
      businessPhones: [],
      mobilePhone: null,
    };
    await store.saveMembers('g-doctor', [member], Date.UTC(2026, 0, 15, 9));
    await store.saveFailure('g-doctor', 'Graph answered 403 Authorization_RequestDenied', Date.UTC(2026, 0, 15, 10));
    const second = await doctor(config);
    expect(second.code).toBe(1);
    expect(lineOf(second, 'Entra group g-doctor')).toMatch(
      /\[FAIL\] .*the last sync \(2026-01-15T10:00:00\.000Z\) failed: Graph answered 403 Authorization_RequestDenied; routing point group keeps the 1 member\(s\) last read \(2026-01-15T09:00:00\.000Z\)[\s\S]*fix: grant the application permission GroupMember\.Read\.All/,
    );
  });

  it('names a private key file that is missing as a configuration problem, as startup does', async () => {
    const config = world.writeConfig();
    const gone = path.join(path.dirname(config), 'gone-key.pem');
    writeFileSync(config, readFileSync(config, 'utf8').replace(/privateKeyFile: .*/, `privateKeyFile: ${gone}`));
    const run = await doctor(config);
    expect(run.code).toBe(1);
    expect(lineOf(run, 'configuration')).toMatch(/\[FAIL\] configuration: 1 problem\(s\)/);
    expect(run.stdout).toContain(`presence.subscriptions.privateKeyFile (${config}): ${gone} does not exist. Fix:`);
  });

  it('names an unreachable database and skips what needs it', async () => {
    const run = await doctor(healthy, { DATABASE_URL: 'postgres://postgres@127.0.0.1:9/connector' });
    expect(run.code).toBe(1);
    expect(lineOf(run, 'database')).toMatch(
      /\[FAIL\] .*cannot be reached \(ECONNREFUSED\)[\s\S]*fix: check DATABASE_URL/,
    );
    expect(lineOf(run, `subscriber account ${ACCOUNT}`)).toMatch(/\[skip\]/);
    expect(lineOf(run, 'knowledge workers reachable in Teams')).toMatch(/\[skip\]/);
  });

  it('stops at an invalid configuration, naming each problem', async () => {
    const run = await doctor(healthy, { GRAPH_CLIENT_SECRET: '', PRESENCE_TOKEN_CACHE_KEY: 'short' });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('PRESENCE_TOKEN_CACHE_KEY (environment): must be 32 random bytes in base64');
    expect(run.stdout).toMatch(/Summary: 0 passed, 0 warnings, 1 failed\./);
  });
});

describe('the checklist on a terminal', () => {
  it('marks lines with ✔ and ✖ and puts the fix under a failure', () => {
    expect(formatCheck({ name: 'database', status: 'ok', detail: 'fine' }, true)).toBe('  ✔ database: fine\n');
    expect(formatCheck({ name: 'database', status: 'fail', detail: 'gone', fix: 'restore it' }, true)).toBe(
      '  ✖ database: gone\n      fix: restore it\n',
    );
  });
});
