/**
 * The presence engine inside the real connector, against the Graph emulator: a presence change made in the
 * emulator shows as a new agent state through the agent API (by notification, or by the next sweep without
 * subscriptions), is published as an event, is recorded as history, and decides who routing offers work to.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { generateKeyPair, SignJWT } from 'jose';
import { afterEach, describe, expect, test } from 'vitest';
import { SqlSubscriptionStore } from '../../src/adapters/store/sql-presence-stores.js';
import { type ConnectorApp, createApp } from '../../src/app.js';
import { checkSubscriptionHealth } from '../../src/cli/doctor/subscription-health-checks.js';
import { encryptContent, publicKeyOfCertificate } from '../../src/dev/graph-emulator/encrypt-content.js';
import type { GraphEmulator } from '../../src/dev/graph-emulator/graph-emulator.js';
import { signInLocalSubscriber, startLocalPresence } from '../../src/dev/local-presence.js';
import { createLogger } from '../../src/logger.js';
import { RecordingChannel } from '../../src/ports/participant-channel.js';
import request from '../support/api-request.js';
import { readEvents } from '../support/event-readers.js';
import { loadTestConfig } from '../support/test-app.js';

const megan = '6e7b768e-07e2-4810-8459-485f84f8f204';
const alex = '87d349ed-44d7-43e1-9a83-5f2406dee5bd';

interface Running {
  readonly app: ConnectorApp;
  readonly emu: GraphEmulator;
  readonly server: Server;
  readonly logs: string[];
  readonly kate: string;
  readonly experts: RecordingChannel;
}

let running: Running | undefined;
afterEach(async () => {
  const r = running;
  running = undefined;
  if (!r) return;
  await r.app.stop();
  r.server.closeAllConnections();
  await new Promise<void>((done) => r.server.close(() => done()));
  await r.emu.close();
});

function directoryYaml(extra: string): string {
  return `
directory:
  knowledgeWorkers:
    - { id: ${megan}, name: Megan Bowen }
    - { id: ${alex}, name: Alex Wilber }
  agents:
    - { id: agent-kate, name: Kate Lewis }
routing:
  routingPoints:
    - id: experts
      name: Experts
      members: { kind: static, ids: [${megan}, ${alex}] }
      strategy: { kind: round-robin }
      previewTimeoutMs: 30000
      maxOffers: 2
    - id: patient
      name: Patient Experts
      members: { kind: static, ids: [${alex}] }
      strategy: { kind: round-robin }
      waitMs: 600000
${extra}`;
}

/** Starts the emulator and the connector listening on a real port (Graph posts notifications to it). */
async function start(opts: {
  subscriptions: boolean;
  rulesFile?: string;
  tenant?: string;
  maxBacklog?: number;
}): Promise<Running> {
  let handler: ConnectorApp['http'] | undefined;
  const server = createServer((req, res) => handler?.(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // The emulator's sample directory has Megan Available and Alex Busy / InACall.
  const local = await startLocalPresence({
    connectorBaseUrl: opts.subscriptions ? base : undefined,
    fastIntervalMs: opts.subscriptions ? 600_000 : 200,
    rulesFile: opts.rulesFile,
    tenant: opts.tenant,
    maxBacklog: opts.maxBacklog,
  });
  const emu = local.emulator;
  const dir = mkdtempSync(join(tmpdir(), 'presence-e2e-'));
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const experts = new RecordingChannel();
  let app: ConnectorApp;
  try {
    // The configuration and the files it names (the rules file) are read as at startup: a bad rule stops it here.
    const config = loadTestConfig({ DATABASE_URL: join(dir, 'connector.db'), ...local.env }, directoryYaml(local.yaml));
    app = await createApp(config, {
      logger: createLogger('debug', sink),
      channels: { 'knowledge-worker': experts },
    });
  } catch (err) {
    server.close();
    await emu.close();
    throw err;
  }
  handler = app.http;
  if (opts.subscriptions) {
    const delegated = app.presence?.delegated;
    if (!delegated) throw new Error('the presence engine should have subscriber accounts');
    await signInLocalSubscriber(emu, (account, onCode) => delegated.signIn(account, onCode));
  }
  const kate = (await app.agentSide.keys.create({ contactCenter: 'default', agentId: 'agent-kate', label: 'Kate' }))
    .key;
  app.start();
  running = { app, emu, server, logs, kate, experts };
  return running;
}

async function stateInApi(r: Running, id: string): Promise<unknown> {
  const res = await request(r.app.http)
    .get('/api/v1/directory')
    .query({ kind: 'knowledge-worker' })
    .set('authorization', `Bearer ${r.kate}`);
  expect(res.status).toBe(200);
  return (res.body.entries as { id: string; state: unknown }[]).find((e) => e.id === id)?.state;
}

/** Polls `read` until it returns `expected` (deep equal) or gives up after `ms`. */
async function eventually<T>(read: () => Promise<T>, expected: T, ms = 15_000): Promise<T> {
  const until = Date.now() + ms;
  let last = await read();
  while (Date.now() < until) {
    try {
      expect(last).toEqual(expected);
      return last;
    } catch {
      await new Promise((r) => setTimeout(r, 25));
      last = await read();
    }
  }
  return last;
}

describe('presence through the connector, polled only', () => {
  test('the first sweep maps Graph presence onto agent states visible through the API', async () => {
    const r = await start({ subscriptions: false });
    expect(await eventually(() => stateInApi(r, megan), { kind: 'Ready' })).toEqual({ kind: 'Ready' });
    expect(await stateInApi(r, alex)).toEqual({ kind: 'NotReady', reason: 'InACall' });
  });

  test('a change in Graph shows after the next sweep, is published as an event and recorded as history', async () => {
    const r = await start({ subscriptions: false });
    await eventually(() => stateInApi(r, megan), { kind: 'Ready' });
    await r.emu.setPresence(megan, 'Away', 'BeRightBack');
    expect(await eventually(() => stateInApi(r, megan), { kind: 'NotReady', reason: 'BeRightBack' })).toEqual({
      kind: 'NotReady',
      reason: 'BeRightBack',
    });
    const events = await readEvents(r.app.http, r.kate, '');
    const states = events
      .filter((e) => e.type === 'knowledge-worker.state' && e.data.knowledgeWorker.id === megan)
      .map((e) => e.data.state);
    expect(states).toEqual([{ kind: 'Ready' }, { kind: 'NotReady', reason: 'BeRightBack' }]);
    await r.app.presence?.stop();
    const history = await r.app.presence?.history.historyOf(megan, 0, Date.now());
    expect(history?.map((h) => h.state)).toEqual([{ kind: 'unknown' }, { kind: 'ready' }]);
  });

  test('routing offers work only to a Ready expert, and reports why when nobody is', async () => {
    const r = await start({ subscriptions: false });
    await eventually(() => stateInApi(r, megan), { kind: 'Ready' });
    const consult = async () =>
      request(r.app.http)
        .post('/api/v1/interactions')
        .set('authorization', `Bearer ${r.kate}`)
        .send({ target: { kind: 'routing-point', id: 'experts' }, text: 'Can you check an invoice?' });
    const first = await consult();
    expect(first.status).toBe(201);
    const id = first.body.id as string;
    const offered = async () => {
      const res = await request(r.app.http).get(`/api/v1/interactions/${id}`).set('authorization', `Bearer ${r.kate}`);
      return (res.body.parties as { person: { id: string }; status: string }[])
        .filter((p) => p.person.id !== 'agent-kate')
        .map((p) => `${p.person.id}:${p.status}`);
    };
    expect(await eventually(offered, [`${megan}:establishing`])).toEqual([`${megan}:establishing`]);

    await r.emu.setPresence(megan, 'Offline', 'OffWork');
    await eventually(() => stateInApi(r, megan), { kind: 'LoggedOut' });
    const second = await consult();
    expect(second.status).toBe(201);
    const failed = async () => {
      const res = await request(r.app.http)
        .get(`/api/v1/interactions/${second.body.id as string}`)
        .set('authorization', `Bearer ${r.kate}`);
      return res.body.status as string;
    };
    expect(await eventually(failed, 'ended')).toBe('ended');
    const events = await readEvents(r.app.http, r.kate, '');
    const failure = events.find((e) => e.type === 'invitation.failed' && e.data.interactionId === second.body.id);
    expect(failure?.data.message).toBe('The invitation could not be delivered: no one is available at Experts.');
    expect(failure?.data.details).toEqual(['No expert available at Experts: 1 not ready, 1 offline.']);
  });

  test('a request waiting at a routing point is offered as soon as the expert becomes Ready in Graph', async () => {
    const r = await start({ subscriptions: false });
    await eventually(() => stateInApi(r, alex), { kind: 'NotReady', reason: 'InACall' });
    const res = await request(r.app.http)
      .post('/api/v1/interactions')
      .set('authorization', `Bearer ${r.kate}`)
      .send({ target: { kind: 'routing-point', id: 'patient' }, text: 'Can you check a contract?' });
    expect(res.status).toBe(201);
    const id = res.body.id as string;
    const view = async () =>
      (await request(r.app.http).get(`/api/v1/interactions/${id}`).set('authorization', `Bearer ${r.kate}`)).body as {
        request: { waiting: { position: number } | null } | null;
        parties: { person: { id: string }; status: string }[];
      };
    expect(await eventually(async () => (await view()).request?.waiting?.position, 1)).toBe(1);

    // Alex comes back from his call: the presence change alone offers him the waiting request.
    await r.emu.setPresence(alex, 'Available', 'Available');
    const offered = async () =>
      (await view()).parties.filter((p) => p.person.id === alex).map((p) => `${p.person.id}:${p.status}`);
    expect(await eventually(offered, [`${alex}:establishing`])).toEqual([`${alex}:establishing`]);
    expect((await view()).request?.waiting).toBeNull();
  });

  test("the connector's own load counts: an expert in a session is Busy, and Ready again when it ends", async () => {
    const r = await start({ subscriptions: false });
    await eventually(() => stateInApi(r, megan), { kind: 'Ready' });
    const res = await request(r.app.http)
      .post('/api/v1/interactions')
      .set('authorization', `Bearer ${r.kate}`)
      .send({ target: { kind: 'knowledge-worker', id: megan }, text: 'A quick one' });
    expect(res.status).toBe(201);
    const id = res.body.id as string;
    await r.app.outbox.drain();
    const preview = r.experts.to(megan)[0];
    const invitationId = preview?.type === 'SendPreview' ? preview.invitationId : '';
    expect((await r.app.commands.execute({ type: 'Accept', interactionId: id, invitationId, by: megan })).ok).toBe(
      true,
    );
    expect(await eventually(() => stateInApi(r, megan), { kind: 'Busy' })).toEqual({ kind: 'Busy' });
    await request(r.app.http)
      .post(`/api/v1/interactions/${id}/end`)
      .set('authorization', `Bearer ${r.kate}`)
      .expect(200);
    expect(await eventually(() => stateInApi(r, megan), { kind: 'Ready' })).toEqual({ kind: 'Ready' });
  });

  test('an invalid rules file at start is refused with its line; a valid edit reloads without a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rules-'));
    const rules = join(dir, 'rules.yaml');
    writeFileSync(rules, 'rules:\n  - availability: Away\n    state: Bogus\n');
    await expect(start({ subscriptions: false, rulesFile: rules })).rejects.toThrow(/line 3/);

    writeFileSync(rules, 'rules:\n  - availability: Available\n    state: Ready\n');
    const r = await start({ subscriptions: false, rulesFile: rules });
    await eventually(() => stateInApi(r, alex), { kind: 'NotReady', reason: 'InACall' });
    // An edit that makes experts in a call Ready applies without a restart…
    writeFileSync(rules, 'rules:\n  - availability: Busy\n    activity: InACall\n    state: Ready\n');
    expect(await eventually(() => stateInApi(r, alex), { kind: 'Ready' })).toEqual({ kind: 'Ready' });
    // …and a broken edit is refused with its line while the current rules stay.
    writeFileSync(rules, 'rules:\n  - availability: Busy\n    state: Sleeping\n');
    const refused = async () => r.logs.some((l) => l.includes('presence rules not reloaded: line 3'));
    expect(await eventually(refused, true)).toBe(true);
    expect(await stateInApi(r, alex)).toEqual({ kind: 'Ready' });
  });

  test('rules may differ per routing point: the routing point decides whom it offers work to', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rules-'));
    const rules = join(dir, 'rules.yaml');
    writeFileSync(
      rules,
      'rules: []\nroutingPoints:\n  experts:\n    - availability: Busy\n      activity: InACall\n      state: Ready\n',
    );
    const r = await start({ subscriptions: false, rulesFile: rules });
    await eventually(() => stateInApi(r, alex), { kind: 'NotReady', reason: 'InACall' });
    await r.emu.setPresence(megan, 'Away', 'Away');
    await eventually(() => stateInApi(r, megan), { kind: 'NotReady', reason: 'Away' });
    const res = await request(r.app.http)
      .post('/api/v1/interactions')
      .set('authorization', `Bearer ${r.kate}`)
      .send({ target: { kind: 'routing-point', id: 'experts' }, text: 'Anyone?' });
    expect(res.status).toBe(201);
    const offered = async () => {
      const got = await request(r.app.http)
        .get(`/api/v1/interactions/${res.body.id as string}`)
        .set('authorization', `Bearer ${r.kate}`);
      return (got.body.parties as { person: { id: string } }[]).map((p) => p.person.id).filter((id) => id === alex);
    };
    expect(await eventually(offered, [alex])).toEqual([alex]);
  });
});

describe('presence through the connector, with change notifications', () => {
  test('a presence change made in Graph reaches the API through an encrypted notification, no sweep needed', async () => {
    const r = await start({ subscriptions: true });
    expect(await eventually(() => stateInApi(r, megan), { kind: 'Ready' })).toEqual({ kind: 'Ready' });
    const subscribed = async () => r.app.presence?.subscriptions?.isSubscribed(megan) ?? false;
    expect(await eventually(subscribed, true)).toBe(true);
    const sweepsBefore = r.emu.counters.presenceCalls;
    await r.emu.setPresence(megan, 'DoNotDisturb', 'Presenting');
    expect(await eventually(() => stateInApi(r, megan), { kind: 'NotReady', reason: 'Presenting' })).toEqual({
      kind: 'NotReady',
      reason: 'Presenting',
    });
    // The slow reconciliation interval is ten minutes: the change came by notification, not by a sweep.
    expect(r.emu.counters.presenceCalls).toBe(sweepsBefore);
    const metrics = await request(r.app.http).get('/metrics');
    expect(metrics.text).toMatch(/^ucc_presence_notifications_total\{outcome="applied"\} [1-9]/m);
    expect(metrics.text).toMatch(/^ucc_graph_calls_total [1-9]/m);
  });

  test("an application's presence session written through Graph reaches the API by notification; the user's preferred presence overrides it", async () => {
    const r = await start({ subscriptions: true });
    expect(await eventually(() => stateInApi(r, megan), { kind: 'Ready' })).toEqual({ kind: 'Ready' });
    expect(await eventually(async () => r.app.presence?.subscriptions?.isSubscribed(megan) ?? false, true)).toBe(true);
    // Another application (a softphone) writes its own presence session for Megan, app-only.
    const phone = 'a0a0a0a0-0000-4000-8000-00000000a0a0';
    const token = await fetch(`${r.emu.baseUrl}/${r.emu.identity.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: phone,
        client_secret: 's',
        scope: '.default',
      }),
    });
    const { access_token } = (await token.json()) as { access_token: string };
    const write = (action: string, body: unknown) =>
      fetch(`${r.emu.graphBaseUrl}/users/${megan}/presence/${action}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const reads = () => r.emu.counters.presenceCalls - r.emu.counters.presenceWrites;
    const readsBefore = reads();
    const sentBefore = r.emu.counters.notificationsSent;
    const set = await write('setPresence', {
      sessionId: phone,
      availability: 'Busy',
      activity: 'InAConferenceCall',
      expirationDuration: 'PT30M',
    });
    expect(set.status).toBe(200);
    expect(await eventually(() => stateInApi(r, megan), { kind: 'NotReady', reason: 'InAConferenceCall' })).toEqual({
      kind: 'NotReady',
      reason: 'InAConferenceCall',
    });
    // Her own choice wins over every session, and arrives the same way.
    expect(
      (await write('setUserPreferredPresence', { availability: 'BeRightBack', activity: 'BeRightBack' })).status,
    ).toBe(200);
    expect(await eventually(() => stateInApi(r, megan), { kind: 'NotReady', reason: 'BeRightBack' })).toEqual({
      kind: 'NotReady',
      reason: 'BeRightBack',
    });
    expect(r.emu.counters.notificationsSent).toBeGreaterThanOrEqual(sentBefore + 2);
    // Polls are ten minutes apart: both changes came by notification.
    expect(reads()).toBe(readsBefore);
  });

  test('a tenant named by its domain: notifications are accepted (their issuer names the tenant id)', async () => {
    const r = await start({ subscriptions: true, tenant: 'contoso.onmicrosoft.com' });
    const subscribed = async () => r.app.presence?.subscriptions?.isSubscribed(megan) ?? false;
    expect(await eventually(subscribed, true)).toBe(true);
    await r.emu.setPresence(megan, 'DoNotDisturb', 'Presenting');
    expect(await eventually(() => stateInApi(r, megan), { kind: 'NotReady', reason: 'Presenting' })).toEqual({
      kind: 'NotReady',
      reason: 'Presenting',
    });
    expect(r.app.presence?.notificationStats()).toMatchObject({ refused: 0 });
  });

  test('a tenant domain the identity platform does not know stops start-up with the fix', async () => {
    await expect(start({ subscriptions: true, tenant: 'nobody.onmicrosoft.com' })).rejects.toThrow(
      /presence\.tenantId nobody\.onmicrosoft\.com could not be resolved.*set presence\.tenantId to the tenant's GUID/,
    );
  });

  test('a subscription whose notifications are all refused is unhealthy: polled, shown by /metrics and the doctor, healthy again once one is accepted', async () => {
    const r = await start({ subscriptions: true });
    const subscribed = async () => r.app.presence?.subscriptions?.isSubscribed(megan) ?? false;
    expect(await eventually(subscribed, true)).toBe(true);
    const [sub] = r.app.presence?.subscriptions?.subscriptions() ?? [];
    if (!sub) throw new Error('a subscription should be held');
    // Notifications with the right clientState and encryption, but validation tokens no Microsoft key signed.
    const { privateKey } = await generateKeyPair('RS256');
    const forged = await new SignJWT({ appid: '0bf30f3b-4a52-48df-9a82-234910c4a086' })
      .setProtectedHeader({ alg: 'RS256', kid: 'not-microsoft' })
      .setIssuer('https://sts.windows.net/00000000-0000-0000-0000-00000000e1e1/')
      .setAudience('11111111-2222-3333-4444-555555555555')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(privateKey);
    const certificate = readFileSync(
      new URL('../../src/dev/certs/local-notification-cert.pem', import.meta.url),
      'utf8',
    )
      .replace(/-----[^-]+-----/g, '')
      .replace(/\s+/g, '');
    const collection = () => ({
      value: [
        {
          subscriptionId: sub.id,
          clientState: sub.clientState,
          changeType: 'updated',
          resource: `communications/presences('${megan}')`,
          resourceData: { id: megan },
          encryptedContent: encryptContent(
            { id: megan, availability: 'Offline', activity: 'Offline' },
            publicKeyOfCertificate(certificate),
            'local-dev',
          ),
        },
      ],
      validationTokens: [forged],
    });
    for (let i = 0; i < 3; i++)
      expect((await request(r.app.http).post('/api/graph/notifications').send(collection())).status).toBe(202);
    expect(await eventually(subscribed, false)).toBe(false);
    expect(r.app.presence?.subscriptions?.health()).toEqual({ healthy: 0, refused: 1, failing: 0 });
    const metrics = await request(r.app.http).get('/metrics');
    expect(metrics.text).toMatch(/^ucc_presence_subscriptions\{health="refused"\} 1$/m);
    const stored = async () => (await new SqlSubscriptionStore(r.app.database).get(sub.id))?.refusedSince != null;
    expect(await eventually(stored, true)).toBe(true);
    const doctor = await checkSubscriptionHealth(r.app.database, { subscriptions: {} } as never);
    expect(doctor).toEqual([
      expect.objectContaining({
        status: 'fail',
        detail: expect.stringMatching(/every notification refused since .*its users are only polled/),
        fix: expect.stringContaining('presence.tenantId'),
      }),
    ]);
    // Megan's state never took the refused content, and a genuine notification makes the subscription healthy again.
    expect(await stateInApi(r, megan)).toEqual({ kind: 'Ready' });
    await r.emu.setPresence(megan, 'DoNotDisturb', 'Presenting');
    expect(await eventually(() => stateInApi(r, megan), { kind: 'NotReady', reason: 'Presenting' })).toEqual({
      kind: 'NotReady',
      reason: 'Presenting',
    });
    expect(await eventually(subscribed, true)).toBe(true);
    expect(await eventually(stored, false)).toBe(false);
    expect(await checkSubscriptionHealth(r.app.database, { subscriptions: {} } as never)).toEqual([
      expect.objectContaining({ status: 'ok' }),
    ]);
  });

  test('a burst beyond maxBacklog is shed to polling: Graph gets its 202, the users end in their Graph states, the shed items are counted', async () => {
    const r = await start({ subscriptions: true, maxBacklog: 100 });
    const subscribed = async () =>
      (r.app.presence?.subscriptions?.isSubscribed(megan) && r.app.presence.subscriptions.isSubscribed(alex)) ?? false;
    expect(await eventually(subscribed, true)).toBe(true);
    await eventually(() => stateInApi(r, megan), { kind: 'Ready' });
    const [held] = r.app.presence?.subscriptions?.subscriptions() ?? [];
    const graphSide = held && r.emu.subscriptions.byId.get(held.id);
    if (!graphSide) throw new Error('a subscription should be held');

    // 150 changes of Megan and Alex as Graph sends them (encrypted, Graph's sequence numbers), in one collection, and
    // 5 forged items (a wrong clientState) that claim Megan went offline.
    const steps = [
      { availability: 'Busy', activity: 'InACall' },
      { availability: 'Available', activity: 'Available' },
      { availability: 'DoNotDisturb', activity: 'Presenting' },
    ];
    const genuine: unknown[] = [];
    for (let i = 0; i < 75; i++)
      for (const id of [megan, alex]) {
        const step = steps[i % steps.length] ?? { availability: 'Busy', activity: 'InACall' };
        r.emu.seedUsers([id], step.availability, step.activity);
        const presence = r.emu.presenceOf(id);
        if (presence) genuine.push(r.emu.subscriptions.item(graphSide, presence));
      }
    const forged = Array.from({ length: 5 }, () => ({
      ...(genuine[0] as Record<string, unknown>),
      clientState: 'not-the-secret',
    }));
    // Graph's presence now, which no item of the burst carries: only a poll can bring it.
    r.emu.seedUsers([megan], 'Away', 'BeRightBack');
    r.emu.seedUsers([alex], 'Offline', 'OffWork');
    const appliedBefore = r.app.presence?.notificationStats()?.applied;
    const pollsBefore = r.emu.counters.presenceCalls;
    const answer = await request(r.app.http)
      .post('/api/graph/notifications')
      .send({
        value: [...genuine, ...forged],
        validationTokens: [await r.emu.identity.validationToken(graphSide.appId, Date.now())],
      });
    expect(answer.status).toBe(202);

    expect(await eventually(() => stateInApi(r, megan), { kind: 'NotReady', reason: 'BeRightBack' })).toEqual({
      kind: 'NotReady',
      reason: 'BeRightBack',
    });
    expect(await eventually(() => stateInApi(r, alex), { kind: 'LoggedOut' })).toEqual({ kind: 'LoggedOut' });
    expect(r.emu.counters.presenceCalls).toBeGreaterThan(pollsBefore);
    expect(r.app.presence?.notificationStats()?.applied).toBe(appliedBefore);
    const metrics = await request(r.app.http).get('/metrics');
    // The genuine items were shed; the forged ones were refused before (they count nowhere).
    expect(metrics.text).toMatch(/^ucc_presence_notifications_shed_total 150$/m);
    expect(metrics.text).toMatch(/^ucc_presence_notification_backlog_sheddings_total 1$/m);
    expect(metrics.text).toMatch(/^ucc_presence_notification_backlog 0$/m);
    expect(r.logs.join('')).toContain('change notification backlog shed to polling');

    // The backlog is empty again: the next change comes by notification, as usual.
    await r.emu.setPresence(megan, 'DoNotDisturb', 'Presenting');
    expect(await eventually(() => stateInApi(r, megan), { kind: 'NotReady', reason: 'Presenting' })).toEqual({
      kind: 'NotReady',
      reason: 'Presenting',
    });
    expect(r.app.presence?.notificationStats()?.applied).toBe((appliedBefore ?? 0) + 1);
  });
});
