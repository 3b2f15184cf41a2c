/**
 * Contact centers are isolated: every agent API route, called with contact center South's keys on North's agents,
 * queues, interactions, keys and webhooks, answers exactly as for an id that does not exist, and changes nothing;
 * South's directory lists only its own agents and queues (knowledge workers and routing points are shared); South's
 * events never carry North's agents' or queues' events. A check on the OpenAPI document keeps the table complete.
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type ApiTestApp, bearer, startApiApp } from '../../support/api-app.js';
import request from '../../support/api-request.js';
import { testDatabases } from '../../support/databases.js';
import { TestClock } from '../../support/test-app.js';

/** North is the default contact center (Kate, Jim, queue inbound-chat); South has Bob and queue south-chat. */
const twoCenters = `
directory:
  knowledgeWorkers:
    - { id: kw-ann, name: Ann Billing, staticState: Ready }
  agents:
    - { id: agent-kate, name: Kate Lewis }
    - { id: agent-jim, name: Jim Miller }
    - { id: agent-bob, name: Bob South }
routing:
  routingPoints:
    - id: billing
      name: Billing Experts
      members: { kind: static, ids: [kw-ann] }
      strategy: { kind: round-robin }
queues:
  - { id: inbound-chat, name: Inbound Chat, members: [agent-kate, agent-jim] }
  - { id: south-chat, name: South Chat, members: [agent-bob] }
agentApi:
  contactCenters:
    - { id: south, agents: [agent-bob], queues: [south-chat] }
escalation:
  voiceRoutingPoints:
    - { dn: "5002", name: Expert direct, rule: direct }
`;

/** Reads `count` SSE events from a stream, then closes it. */
async function readSse(url: string, headers: Record<string, string>, count: number) {
  const events: { id: string; interactionId: string | null }[] = [];
  if (count === 0) return events;
  const req = http.get(url, { headers });
  const [res] = (await once(req, 'response')) as [http.IncomingMessage];
  let buffer = '';
  return await new Promise<typeof events>((resolve, reject) => {
    res.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      let at = buffer.indexOf('\n\n');
      while (at >= 0) {
        const block = buffer.slice(0, at);
        buffer = buffer.slice(at + 2);
        const id = /^id: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (id && data) events.push({ id, interactionId: JSON.parse(data).interactionId ?? null });
        if (events.length >= count) {
          req.destroy();
          return resolve(events);
        }
        at = buffer.indexOf('\n\n');
      }
    });
    res.on('error', reject);
  });
}

type Method = 'get' | 'post' | 'delete';
/** One request: `id` is North's real id, or an id nowhere, in the same place. */
interface Row {
  readonly op: string;
  readonly as: 'bob' | 'southPlatform';
  readonly method: Method;
  readonly path: (id: string) => string;
  readonly body?: (id: string) => object;
  readonly headers?: (id: string) => Record<string, string>;
  /** North's id this row reaches for, and the status both answer. */
  readonly northId: keyof North;
  readonly status: number;
}

/** What North has when South's requests start. */
interface North {
  ix: string;
  chat: string;
  kate: string;
  queue: string;
  key: string;
  webhook: string;
  call: string;
}

const rows: Row[] = [
  {
    op: 'startIm',
    as: 'bob',
    method: 'post',
    path: () => '/interactions',
    body: (id) => ({ target: { kind: 'agent', id }, text: 'hi' }),
    northId: 'kate',
    status: 404,
  },
  {
    op: 'startIm',
    as: 'bob',
    method: 'post',
    path: () => '/interactions',
    body: (id) => ({ target: { kind: 'queue', id }, text: 'hi' }),
    northId: 'queue',
    status: 404,
  },
  {
    op: 'startIm',
    as: 'bob',
    method: 'post',
    path: () => '/interactions',
    body: (id) => ({ target: { kind: 'routing-point', id: 'billing' }, text: 'hi', parentInteractionId: id }),
    northId: 'ix',
    status: 404,
  },
  { op: 'getInteraction', as: 'bob', method: 'get', path: (id) => `/interactions/${id}`, northId: 'ix', status: 404 },
  {
    op: 'getInteraction',
    as: 'southPlatform',
    method: 'get',
    path: (id) => `/interactions/${id}`,
    northId: 'ix',
    status: 404,
  },
  {
    op: 'getTranscript',
    as: 'bob',
    method: 'get',
    path: (id) => `/interactions/${id}/transcript`,
    northId: 'ix',
    status: 404,
  },
  {
    op: 'sendMessage',
    as: 'bob',
    method: 'post',
    path: (id) => `/interactions/${id}/messages`,
    body: () => ({ text: 'psst' }),
    northId: 'ix',
    status: 404,
  },
  {
    op: 'endInteraction',
    as: 'bob',
    method: 'post',
    path: (id) => `/interactions/${id}/end`,
    northId: 'ix',
    status: 404,
  },
  {
    op: 'cancelRequest',
    as: 'bob',
    method: 'post',
    path: (id) => `/interactions/${id}/cancel`,
    northId: 'ix',
    status: 404,
  },
  {
    op: 'acceptInvitation',
    as: 'bob',
    method: 'post',
    path: (id) => `/interactions/${id}/invitations/inv-1/accept`,
    northId: 'ix',
    status: 404,
  },
  {
    op: 'rejectInvitation',
    as: 'bob',
    method: 'post',
    path: (id) => `/interactions/${id}/invitations/inv-1/reject`,
    northId: 'ix',
    status: 404,
  },
  {
    op: 'escalate',
    as: 'bob',
    method: 'post',
    path: (id) => `/interactions/${id}/escalations`,
    body: () => ({ kind: 'conference', target: { kind: 'knowledge-worker', id: 'kw-ann' } }),
    northId: 'ix',
    status: 404,
  },
  {
    op: 'escalate',
    as: 'bob',
    method: 'post',
    path: () => '/interactions/chat-south/escalations',
    body: (id) => ({ kind: 'transfer', target: { kind: 'agent', id } }),
    northId: 'kate',
    status: 404,
  },
  {
    op: 'escalate',
    as: 'bob',
    method: 'post',
    path: () => '/interactions/chat-south/escalations',
    body: (id) => ({ kind: 'conference', target: { kind: 'queue', id } }),
    northId: 'queue',
    status: 404,
  },
  {
    op: 'escalate',
    as: 'bob',
    method: 'post',
    path: () => '/interactions/chat-south/escalations',
    body: (id) => ({ kind: 'transfer', consultationId: id }),
    northId: 'ix',
    status: 404,
  },
  {
    op: 'deleteFromConference',
    as: 'bob',
    method: 'delete',
    path: (id) => `/interactions/${id}/parties/p-1`,
    northId: 'ix',
    status: 404,
  },
  {
    op: 'getVoiceTarget',
    as: 'bob',
    method: 'get',
    path: (id) => `/interactions/${id}/voice-target`,
    northId: 'ix',
    status: 404,
  },
  {
    op: 'receiveChat',
    as: 'southPlatform',
    method: 'post',
    path: () => '/chats',
    body: (id) => ({ customer: { name: 'Pat' }, queueId: id }),
    northId: 'queue',
    status: 404,
  },
  {
    op: 'routeChat',
    as: 'southPlatform',
    method: 'post',
    path: (id) => `/chats/${id}/route`,
    body: () => ({ routingPointId: 'billing' }),
    northId: 'chat',
    status: 404,
  },
  {
    op: 'routeChat',
    as: 'southPlatform',
    method: 'post',
    path: () => '/chats/chat-south-2/route',
    body: (id) => ({ queueId: id }),
    northId: 'queue',
    status: 404,
  },
  {
    op: 'customerMessage',
    as: 'southPlatform',
    method: 'post',
    path: (id) => `/chats/${id}/customer-messages`,
    body: () => ({ text: 'hello?' }),
    northId: 'chat',
    status: 404,
  },
  {
    op: 'customerLeaves',
    as: 'southPlatform',
    method: 'post',
    path: (id) => `/chats/${id}/customer-leaves`,
    northId: 'chat',
    status: 404,
  },
  {
    op: 'whoAmI',
    as: 'southPlatform',
    method: 'get',
    path: () => '/me',
    headers: (id) => ({ 'x-agent-id': id }),
    northId: 'kate',
    status: 403,
  },
  {
    op: 'createKey',
    as: 'southPlatform',
    method: 'post',
    path: () => '/keys',
    body: (id) => ({ agentId: id, label: 'stolen' }),
    northId: 'kate',
    status: 400,
  },
  {
    op: 'getCall',
    as: 'southPlatform',
    method: 'get',
    path: (id) => `/voice-calls/${id}`,
    northId: 'call',
    status: 404,
  },
  {
    op: 'abandonCall',
    as: 'southPlatform',
    method: 'post',
    path: (id) => `/voice-calls/${id}/abandon`,
    northId: 'call',
    status: 404,
  },
  { op: 'revokeKey', as: 'southPlatform', method: 'delete', path: (id) => `/keys/${id}`, northId: 'key', status: 404 },
  {
    op: 'deleteWebhook',
    as: 'southPlatform',
    method: 'delete',
    path: (id) => `/webhooks/${id}`,
    northId: 'webhook',
    status: 404,
  },
];

/** Operations checked by their own tests below rather than as rows: what they list is South's only. */
const listed = [
  'searchDirectory',
  'readEvents',
  'streamEvents',
  'listKeys',
  'listWebhooks',
  'createWebhook',
  'receiveCall',
];
/** Report operations, checked by the reports test below. */
const reports = ['readFacts', 'readSummary', 'readSeries', 'readAgentStates'];

describe.each(testDatabases())('contact-center isolation on $name', (database) => {
  let t: ApiTestApp;
  const clock = new TestClock();
  const keys = { bob: '', southPlatform: '', northPlatform: '' };
  const north = {} as North;
  let northBefore: { ix: unknown; transcript: unknown; chat: unknown; keys: unknown; webhooks: unknown };

  const call = (key: string, method: Method, path: string, body?: object, headers: Record<string, string> = {}) => {
    const r = request(t.app.http)[method](`/api/v1${path}`).set(bearer(key)).set(headers);
    return body ? r.send(body) : r;
  };
  const snapshot = async () => ({
    ix: (await call(t.keys.kate, 'get', `/interactions/${north.ix}`).expect(200)).body,
    transcript: (await call(t.keys.kate, 'get', `/interactions/${north.ix}/transcript`).expect(200)).body,
    chat: (await call(keys.northPlatform, 'get', `/interactions/${north.chat}`).expect(200)).body,
    keys: (await call(keys.northPlatform, 'get', '/keys').expect(200)).body,
    webhooks: (await call(keys.northPlatform, 'get', '/webhooks').expect(200)).body,
  });

  beforeAll(async () => {
    t = await startApiApp(await database.create(), clock, '', {}, twoCenters);
    const k = t.app.agentSide.keys;
    keys.bob = (await k.create({ contactCenter: 'south', agentId: 'agent-bob', label: 'Bob' })).key;
    keys.southPlatform = (await k.create({ contactCenter: 'south', agentId: null, label: 'South platform' })).key;
    const northKey = await k.create({ contactCenter: 'default', agentId: null, label: 'North platform' });
    keys.northPlatform = northKey.key;
    // North: Kate invites Jim to an IM; a chat waits in North's queue; a webhook.
    const im = await call(t.keys.kate, 'post', '/interactions', {
      target: { kind: 'agent', id: 'agent-jim' },
      text: 'North only',
    }).expect(201);
    await call(keys.northPlatform, 'post', '/chats', {
      id: 'chat-north',
      customer: { name: 'Nora' },
      queueId: 'inbound-chat',
      text: 'North chat',
    }).expect(201);
    await call(keys.northPlatform, 'post', '/chats/chat-north/route', { queueId: 'inbound-chat' }).expect(200);
    const hook = await call(keys.northPlatform, 'post', '/webhooks', { url: 'https://north.example/hook' }).expect(201);
    await call(keys.northPlatform, 'post', '/voice-calls', {
      id: 'call-north',
      routingPoint: '5002',
      attachedData: { UCC_KnowledgeWorkerId: 'kw-ann', UCC_AgentId: 'agent-kate' },
    }).expect(201);
    await t.app.outbox.drain();
    Object.assign(north, {
      ix: im.body.id,
      chat: 'chat-north',
      kate: 'agent-kate',
      queue: 'inbound-chat',
      key: northKey.keyId,
      webhook: hook.body.id,
      call: 'call-north',
    });
    // South: a chat Bob handles (for escalations), and one waiting (for routing).
    await call(keys.southPlatform, 'post', '/chats', {
      id: 'chat-south',
      customer: { name: 'Sam' },
      queueId: 'south-chat',
    }).expect(201);
    await call(keys.southPlatform, 'post', '/chats/chat-south/route', { queueId: 'south-chat' }).expect(200);
    await t.app.outbox.drain();
    const offer = (await call(keys.bob, 'get', '/interactions/chat-south').expect(200)).body.invitations[0];
    await call(keys.bob, 'post', `/interactions/chat-south/invitations/${offer.id}/accept`).expect(200);
    await call(keys.southPlatform, 'post', '/chats', {
      id: 'chat-south-2',
      customer: { name: 'Sue' },
      queueId: 'south-chat',
    }).expect(201);
    await t.app.outbox.drain();
    northBefore = await snapshot();
  });
  afterAll(async () => {
    await t?.app.stop();
    await database.cleanup();
  });

  test.each(rows)("$op as $as on North's $northId answers as for an id that does not exist", async (row) => {
    const send = (id: string) => call(keys[row.as], row.method, row.path(id), row.body?.(id), row.headers?.(id) ?? {});
    const id = north[row.northId];
    const nowhere = `${row.northId}-nowhere`;
    const across = await send(id);
    const unknown = await send(nowhere);
    expect(across.status).toBe(row.status);
    expect(unknown.status).toBe(row.status);
    expect(across.headers['content-type']).toContain('application/problem+json');
    expect(JSON.stringify(across.body)).toBe(JSON.stringify(unknown.body).replaceAll(nowhere, id));
  });

  test("a call South reports naming North's agent and consultation carries neither: as for ids that exist nowhere", async () => {
    const report = (suffix: string, agentId: string, consultationId: string) =>
      call(keys.southPlatform, 'post', '/voice-calls', {
        id: `call-south-${suffix}`,
        routingPoint: '5002',
        attachedData: { UCC_KnowledgeWorkerId: 'kw-ann', UCC_AgentId: agentId, UCC_ConsultationId: consultationId },
      }).expect(201);
    const across = (await report('across', north.kate, north.ix)).body;
    const nowhere = (await report('nowhere', 'agent-nowhere', 'ix-nowhere')).body;
    expect(JSON.stringify(across).includes('Kate Lewis')).toBe(false);
    expect(JSON.stringify(across).includes('North only')).toBe(false);
    const normalized = JSON.stringify(nowhere)
      .replaceAll('call-south-nowhere', 'call-south-across')
      .replaceAll('agent-nowhere', north.kate)
      .replaceAll('ix-nowhere', north.ix);
    const timesAway = (v: string) => v.replace(/"\d{4}-\d\d-\d\dT[^"]*"/g, '"<time>"');
    expect(timesAway(JSON.stringify(across))).toBe(timesAway(normalized));
  });

  test('every operation of the API is covered by a row or a listing test', async () => {
    const doc = await request(t.app.http).get('/openapi.json').expect(200);
    const ops = Object.values(doc.body.paths as Record<string, Record<string, { operationId: string }>>).flatMap((p) =>
      Object.values(p).map((o) => o.operationId),
    );
    const covered = new Set([...rows.map((r) => r.op), ...listed, ...reports]);
    expect(ops.filter((op) => !covered.has(op))).toEqual([]);
  });

  test("South's directory lists its own agents and queues, and the shared knowledge workers and routing points", async () => {
    const ids = async (key: string, kind: string) =>
      (await call(key, 'get', `/directory?kind=${kind}`).expect(200)).body.entries.map((e: { id: string }) => e.id);
    expect(await ids(keys.bob, 'agent')).toEqual(['agent-bob']);
    expect(await ids(keys.southPlatform, 'queue')).toEqual(['south-chat']);
    expect(await ids(t.keys.kate, 'agent')).toEqual(['agent-jim', 'agent-kate']);
    expect(await ids(t.keys.kate, 'queue')).toEqual(['inbound-chat']);
    for (const key of [keys.bob, t.keys.kate]) {
      expect(await ids(key, 'knowledge-worker')).toEqual(['kw-ann']);
      expect(await ids(key, 'routing-point')).toEqual(['billing']);
    }
    const byName = await call(keys.bob, 'get', '/directory?q=kate').expect(200);
    expect(byName.body.entries).toEqual([]);
  });

  test("South's keys and webhooks lists hold none of North's", async () => {
    const southKeys = (await call(keys.southPlatform, 'get', '/keys').expect(200)).body.keys;
    expect(southKeys.map((k: { label: string }) => k.label).sort()).toEqual(['Bob', 'South platform']);
    const hook = await call(keys.southPlatform, 'post', '/webhooks', { url: 'https://south.example/hook' }).expect(201);
    const southHooks = (await call(keys.southPlatform, 'get', '/webhooks').expect(200)).body.webhooks;
    expect(southHooks.map((h: { id: string }) => h.id)).toEqual([hook.body.id]);
    await call(keys.southPlatform, 'delete', `/webhooks/${hook.body.id}`).expect(204);
  });

  test("South's event reads and stream never carry North's agents' or queues' events; North's do", async () => {
    const northIds = new Set([north.ix, north.chat]);
    const read = async (key: string) =>
      (await call(key, 'get', '/events?after=0&limit=1000').expect(200)).body.events as {
        type: string;
        interactionId: string | null;
      }[];
    for (const key of [keys.bob, keys.southPlatform]) {
      const events = await read(key);
      expect(events.filter((e) => e.interactionId !== null && northIds.has(e.interactionId))).toEqual([]);
      expect(events.some((e) => e.interactionId === 'chat-south')).toBe(true);
    }
    const jim = await read(t.keys.jim);
    expect(jim.some((e) => e.type === 'invitation.offered' && e.interactionId === north.ix)).toBe(true);
    const northPlatform = await read(keys.northPlatform);
    expect(northPlatform.some((e) => e.interactionId === north.chat)).toBe(true);
    // The stream replays from the start with the same filter: exactly the events South reads.
    const southEvents = await read(keys.southPlatform);
    const server = http.createServer(t.app.http);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/events/stream?after=0`;
      const streamed = await readSse(url, bearer(keys.southPlatform), southEvents.length);
      expect(streamed.map((e) => e.interactionId)).toEqual(southEvents.map((e) => e.interactionId));
      expect(streamed.filter((e) => e.interactionId !== null && northIds.has(e.interactionId))).toEqual([]);
    } finally {
      server.close();
    }
  });

  test("South's reports hold none of North's facts, agents or queues", async () => {
    // North: an IM Kate ends, so its participations become facts.
    const im = await call(t.keys.kate, 'post', '/interactions', {
      target: { kind: 'routing-point', id: 'billing' },
      text: 'q',
    }).expect(201);
    await call(t.keys.kate, 'post', `/interactions/${im.body.id}/end`).expect(200);
    await t.app.outbox.drain();
    const facts = async (key: string) =>
      (await call(key, 'get', '/reports/facts').expect(200)).body.facts as { interactionId: string }[];
    expect((await facts(keys.northPlatform)).some((f) => f.interactionId === im.body.id)).toBe(true);
    expect((await facts(keys.southPlatform)).filter((f) => f.interactionId === im.body.id)).toEqual([]);
    const from = new Date(clock.now() - 3_600_000).toISOString();
    const to = new Date(clock.now() + 60_000).toISOString();
    const rows = async (key: string, by: string) =>
      JSON.stringify((await call(key, 'get', `/reports/summary?by=${by}&from=${from}&to=${to}`).expect(200)).body);
    const southByPlace = await rows(keys.southPlatform, 'routing-point');
    expect(southByPlace).toContain('south-chat');
    expect(southByPlace).not.toContain('inbound-chat');
    expect(await rows(keys.northPlatform, 'routing-point')).toContain('inbound-chat');
    expect(await rows(keys.southPlatform, 'agent')).not.toContain('agent-kate');
    const series = await call(keys.southPlatform, 'get', `/reports/series?from=${from}&to=${to}`).expect(200);
    expect(JSON.stringify(series.body)).not.toContain('inbound-chat');
    // Knowledge workers are shared: both see their agent-state timelines.
    for (const key of [keys.southPlatform, keys.northPlatform]) {
      const states = await call(key, 'get', `/reports/agent-states?from=${from}&to=${to}`).expect(200);
      expect(states.body.knowledgeWorkers.map((k: { id: string }) => k.id)).toEqual(['kw-ann']);
    }
  });

  test("South's refused requests changed nothing of North's", async () => {
    expect(await snapshot()).toEqual(northBefore);
  });
});
