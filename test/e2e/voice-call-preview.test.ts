/**
 * Seed 000 step 8 through the real entry points: the contact center reports a call at a voice routing point over the
 * agent API (`POST /api/v1/voice-calls`, checked against the served OpenAPI document); the connector routes it to the
 * knowledge worker at once (`direct`) or previews it to them in Teams (Bot Connector traffic at `/api/messages`), and
 * answers with where the call goes: their target on Accept, the default route on Decline or time-out. The facts are
 * read back through `/api/v1/reports/facts`. On SQLite, and on PostgreSQL when TEST_DATABASE_URL is set.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { answerCard, buttonsOf, cardOf, factsOf, textsOf } from '../support/adaptive-cards.js';
import request from '../support/api-request.js';
import { testDatabases } from '../support/databases.js';
import { ANN, EVE, JIM, KATE, startTeamsWorld, type TeamsWorld } from '../support/teams-world.js';

const knowledgeWorkers = `    - { id: kw-jim, name: Jim Miller, staticState: Ready, voice: { extension: "4711" } }
    - { id: kw-ann, name: Ann Lee, staticState: Ready }
    - { id: kw-eve, name: Eve Stone, staticState: Ready }`;

const escalation = `
escalation:
  voiceRoutingPoints:
    - dn: "5001"
      name: Expert transfer
      rule: preview
      previewTimeoutMs: 20000
      defaultRoute: { dn: "5999", name: Service queue }
    - { dn: "5002", name: Expert direct, rule: direct }
`;

/** The attached data `GET /interactions/{id}/voice-target` hands out, with the call's case information. */
const callData = (extra: Record<string, string> = {}) => ({
  UCC_KnowledgeWorkerId: JIM.id,
  UCC_KnowledgeWorkerName: JIM.name,
  UCC_AgentId: KATE.id,
  CallType: 'Inbound',
  Priority: 'High',
  Reason: 'Broken TV',
  ...extra,
});

interface CallView {
  id: string;
  status: 'previewing' | 'decided';
  rule: string;
  from: { id: string; name: string } | null;
  expiresAt: string | null;
  decision: null | {
    route: string;
    reason: string;
    decidedAt: string;
    target: { kind: string; dn: string | null; name?: string | null };
  };
}

interface FactView {
  resource: { kind: string; id: string };
  media: string;
  descriptor: string;
  outcome: string;
  routingPointId: string | null;
  alertMs: number;
}

describe.each(testDatabases())('a call at a voice routing point, on $name', (database) => {
  let w: TeamsWorld;
  let platform: string;
  let agentKey: string;
  afterEach(async () => w?.close());

  const start = async () => {
    w = await startTeamsWorld({ database, knowledgeWorkers, extraYaml: escalation });
    platform = (await w.app.agentSide.keys.create({ contactCenter: 'default', agentId: null, label: 'Platform' })).key;
    agentKey = (await w.app.agentSide.keys.create({ contactCenter: 'default', agentId: KATE.id, label: 'Kate' })).key;
    await w.install(JIM);
    await w.install(ANN);
  };
  const post = (body: object, key = platform) =>
    request(w.app.http).post('/api/v1/voice-calls').set('authorization', `Bearer ${key}`).send(body);
  const get = (id: string, query = '') =>
    request(w.app.http).get(`/api/v1/voice-calls/${id}${query}`).set('authorization', `Bearer ${platform}`);
  /** Reports a call, then lets the outbox deliver its preview. */
  const call = async (id: string, routingPoint: string, status: number) => {
    const res = await post({ id, routingPoint, attachedData: callData() }).expect(status);
    await w.app.outbox.drain();
    return res.body as CallView;
  };
  const factsOfCall = async (id: string): Promise<FactView[]> => {
    const res = await request(w.app.http)
      .get(`/api/v1/reports/facts?interactionId=${id}`)
      .set('authorization', `Bearer ${platform}`)
      .expect(200);
    return (res.body as { facts: FactView[] }).facts;
  };
  const previewOf = (id: string) => {
    const card = cardOf(w.chat(JIM).findLast((a) => JSON.stringify(a).includes(`"interactionId":"${id}"`)));
    if (!card) throw new Error(`no card for ${id}`);
    return card;
  };

  test('the direct rule answers at once with the knowledge worker`s target, and sends no preview', async () => {
    await start();
    const before = w.chat(JIM).length;
    const answer = await call('call-direct', '5002', 201);
    expect(answer).toMatchObject({
      id: 'call-direct',
      status: 'decided',
      rule: 'direct',
      from: { id: KATE.id, name: KATE.name },
      expiresAt: null,
      decision: {
        route: 'knowledge-worker',
        reason: 'direct',
        target: { kind: 'knowledge-worker', dn: '4711' },
      },
    });
    expect(w.chat(JIM)).toHaveLength(before);
    expect((await get('call-direct').expect(200)).body).toEqual(answer);
    const facts = await factsOfCall('call-direct');
    expect(facts.map((f) => [f.resource.id, f.media, f.descriptor, f.outcome, f.routingPointId])).toEqual([
      [JIM.id, 'voice', 'RoutedTo/Completed', 'ended', '5002'],
    ]);
  });

  test('a preview card goes to the knowledge worker; Accept routes the call to them, and only they may answer', async () => {
    await start();
    const answer = await call('call-accept', '5001', 202);
    expect(answer).toMatchObject({ status: 'previewing', rule: 'preview', decision: null });
    expect(answer.expiresAt).toBe(new Date(w.clock.now() + 20_000).toISOString());

    const card = previewOf('call-accept');
    const texts = textsOf(card);
    expect(texts[0]).toBe('Call transfer from Kate Lewis');
    expect(texts).toContain('Via Expert transfer');
    expect(factsOf(card)).toEqual({ 'Call type': 'Inbound', Priority: 'High', Reason: 'Broken TV' });
    expect(texts).toContain(
      `⏱ Answer within 20 seconds: by {{TIME(${answer.expiresAt?.replace('.000Z', 'Z')})}}, or the call takes its default route.`,
    );
    const buttons = buttonsOf(card);
    expect(buttons.map((b) => b.verb)).toEqual(['accept', 'decline']);
    const data = buttons[0]?.data as Record<string, string>;

    // A long poll with no decision in its time answers, still previewing.
    expect((await get('call-accept', '?waitMs=300').expect(200)).body.status).toBe('previewing');
    // Ann clicks Jim's Accept: refused, nothing changes.
    const stranger = await w.post(w.click(ANN, 'accept', data));
    expect(textsOf(answerCard(stranger.body))[0]).toBe('This request was sent to Jim Miller');
    expect((await get('call-accept').expect(200)).body.status).toBe('previewing');

    // The contact center waits for the decision while Jim accepts.
    const waiting = get('call-accept', '?waitMs=20000').then((res) => res);
    const accepted = await w.post(w.click(JIM, 'accept', data));
    const replaced = answerCard(accepted.body);
    expect(textsOf(replaced)).toEqual([
      'Call transfer from Kate Lewis',
      '📞 Accepted. The call is being put through to you.',
    ]);
    expect(buttonsOf(replaced)).toEqual([]);
    const decided = (await waiting).body as CallView;
    expect(decided.status).toBe('decided');
    expect(decided.decision).toMatchObject({
      route: 'knowledge-worker',
      reason: 'accepted',
      target: { kind: 'knowledge-worker', dn: '4711' },
    });
    // The card in Jim's chat was replaced too: no Accept / Decline left.
    expect(buttonsOf(previewOf('call-accept'))).toEqual([]);
    // A second click changes nothing.
    await w.post(w.click(JIM, 'decline', data));
    expect((await get('call-accept').expect(200)).body.decision.route).toBe('knowledge-worker');

    // The call's interaction, as the platform reads it: ended, with the knowledge worker's participation.
    const ix = await request(w.app.http)
      .get('/api/v1/interactions/call-accept')
      .set('authorization', `Bearer ${platform}`)
      .expect(200);
    expect(ix.body).toMatchObject({
      media: 'voice',
      status: 'ended',
      origin: { kind: 'voice-call', from: { id: KATE.id }, dn: '5001' },
      mediation: null,
    });
    expect(ix.body.parties.map((p: { role: string; exit: string }) => `${p.role} ${p.exit}`)).toEqual([
      'RoutedTo ended',
    ]);

    const facts = await factsOfCall('call-accept');
    expect(facts.map((f) => [f.resource.id, f.media, f.descriptor, f.outcome, f.routingPointId])).toEqual([
      [JIM.id, 'voice', 'RoutedTo/Completed', 'ended', '5001'],
    ]);
  });

  test('the consultation named by UCC_ConsultationId gives the card its case information and who is transferring', async () => {
    await start();
    const { interactionId } = await w.consult([JIM]);
    await post({
      id: 'call-consulted',
      routingPoint: '5001',
      attachedData: { UCC_KnowledgeWorkerId: JIM.id, UCC_ConsultationId: interactionId, Priority: 'Urgent' },
    }).expect(202);
    await w.app.outbox.drain();
    const card = previewOf('call-consulted');
    expect(textsOf(card)[0]).toBe('Call transfer from Kate Lewis');
    // The consultation's case information, beneath the call's own keys.
    expect(factsOf(card)).toEqual({ 'Call type': 'Inbound', Priority: 'Urgent', Reason: 'Broken TV', Segment: 'Gold' });
  });

  test('Decline sends the call to the default route', async () => {
    await start();
    await call('call-decline', '5001', 202);
    const data = buttonsOf(previewOf('call-decline'))[1]?.data as Record<string, string>;
    const declined = await w.post(w.click(JIM, 'decline', data));
    expect(textsOf(answerCard(declined.body))[1]).toBe('❌ You declined this call; it goes to its default route.');
    const res = await get('call-decline', '?waitMs=1000').expect(200);
    expect(res.body.decision).toMatchObject({
      route: 'default',
      reason: 'declined',
      target: { kind: 'default', dn: '5999', name: 'Service queue' },
    });
    const facts = await factsOfCall('call-decline');
    expect(facts.map((f) => [f.resource.id, f.descriptor, f.outcome, f.routingPointId])).toEqual([
      [JIM.id, 'RoutedTo/Redirected [Revoked]', 'declined', '5001'],
    ]);
    const summary = await request(w.app.http)
      .get('/api/v1/reports/summary?by=routing-point&from=2025-05-12T00:00:00Z&to=2025-05-13T00:00:00Z')
      .set('authorization', `Bearer ${platform}`)
      .expect(200);
    const row = (summary.body.rows as { id: string; name: string; offered: number; declined: number }[]).find(
      (r) => r.id === '5001',
    );
    expect(row).toMatchObject({ name: '5001', offered: 1, declined: 1 });
  });

  test('an unanswered preview times out once: the default route, and a late Accept changes nothing', async () => {
    await start();
    await call('call-late', '5001', 202);
    const data = buttonsOf(previewOf('call-late'))[0]?.data as Record<string, string>;
    await w.advance(19_999);
    expect((await get('call-late').expect(200)).body.status).toBe('previewing');
    await w.advance(1);
    const res = await get('call-late').expect(200);
    expect(res.body.decision).toMatchObject({ route: 'default', reason: 'timed_out', target: { dn: '5999' } });
    expect(textsOf(previewOf('call-late'))[1]).toBe(
      '⌛ This call was not answered in time; it went to its default route.',
    );
    await w.advance(60_000);
    const late = await w.post(w.click(JIM, 'accept', data));
    expect(textsOf(answerCard(late.body))[1]).toBe(
      '⌛ This call was not answered in time; it went to its default route.',
    );
    expect((await get('call-late').expect(200)).body).toEqual(res.body);
    const facts = await factsOfCall('call-late');
    expect(facts.map((f) => [f.resource.id, f.descriptor, f.outcome, f.alertMs])).toEqual([
      [JIM.id, 'RoutedTo/Redirected [Revoked]', 'timed_out', 20_000],
    ]);
  });

  test('a preview Teams cannot deliver sends the call to the default route at once', async () => {
    await start();
    // Eve never installed the app: the preview has nowhere to go.
    await post({
      id: 'call-eve',
      routingPoint: '5001',
      attachedData: callData({ UCC_KnowledgeWorkerId: EVE.id }),
    }).expect(202);
    await w.app.outbox.drain();
    const res = await get('call-eve').expect(200);
    expect(res.body.knowledgeWorker).toEqual({ id: EVE.id, name: EVE.name });
    expect(res.body.decision).toMatchObject({ route: 'default', reason: 'undeliverable', target: { dn: '5999' } });
    const facts = await factsOfCall('call-eve');
    expect(facts.map((f) => [f.resource.id, f.descriptor, f.outcome])).toEqual([
      [EVE.id, 'RoutedTo/Redirected [Revoked]', 'unreachable'],
    ]);
  });

  test('the caller hanging up withdraws the preview: abandoned while ringing', async () => {
    await start();
    await call('call-gone', '5001', 202);
    const data = buttonsOf(previewOf('call-gone'))[0]?.data as Record<string, string>;
    const res = await request(w.app.http)
      .post('/api/v1/voice-calls/call-gone/abandon')
      .set('authorization', `Bearer ${platform}`)
      .expect(200);
    expect(res.body).toMatchObject({ status: 'abandoned', decision: null, expiresAt: null });
    await w.app.outbox.drain();
    const hungUp = '📵 The caller hung up before the call was put through.';
    expect(textsOf(previewOf('call-gone'))).toEqual(['Call transfer from Kate Lewis', hungUp]);
    const late = await w.post(w.click(JIM, 'accept', data));
    expect(textsOf(answerCard(late.body))[1]).toBe(hungUp);
    const again = await request(w.app.http)
      .post('/api/v1/voice-calls/call-gone/abandon')
      .set('authorization', `Bearer ${platform}`)
      .expect(409);
    expect(again.body.code).toBe('interaction-ended');
    await call('call-put-through', '5002', 201);
    await request(w.app.http)
      .post('/api/v1/voice-calls/call-put-through/abandon')
      .set('authorization', `Bearer ${platform}`)
      .expect(409);
    const facts = await factsOfCall('call-gone');
    expect(facts.map((f) => [f.resource.id, f.descriptor, f.outcome, f.routingPointId])).toEqual([
      [JIM.id, 'RoutedTo/CustomerAbandoned [AbandonedWhileRinging]', 'customer_left', '5001'],
    ]);
  });

  test('bad input answers problem documents and changes nothing', async () => {
    await start();
    const missing = await post({ routingPoint: '5001', attachedData: { CallType: 'Inbound' } }).expect(400);
    expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(missing.body['invalid-params']).toEqual([
      { name: 'body.attachedData', reason: 'must name the knowledge worker in UCC_KnowledgeWorkerId' },
    ]);
    const noDn = await post({ routingPoint: '7777', attachedData: callData() }).expect(404);
    expect(noDn.body).toMatchObject({
      code: 'unknown-routing-point',
      'invalid-params': [{ name: 'body.routingPoint' }],
    });
    const noKw = await post({ routingPoint: '5001', attachedData: callData({ UCC_KnowledgeWorkerId: 'kw-nobody' }) });
    expect(noKw.status).toBe(404);
    expect(noKw.body['invalid-params'][0].name).toBe('body.attachedData.UCC_KnowledgeWorkerId');
    await post({ routingPoint: '5001', attachedData: callData(), extra: 1 }).expect(400);
    const agent = await post({ routingPoint: '5001', attachedData: callData() }, agentKey).expect(403);
    expect(agent.body.type).toMatch(/platform-required$/);
    await call('call-once', '5001', 202);
    const twice = await post({ id: 'call-once', routingPoint: '5002', attachedData: callData() }).expect(409);
    expect(twice.body.code).toBe('duplicate-interaction');
    expect((await get('call-once').expect(200)).body.rule).toBe('preview');
    await get('call-nobody').expect(404);
    await request(w.app.http)
      .post('/api/v1/voice-calls/call-nobody/abandon')
      .set('authorization', `Bearer ${platform}`)
      .expect(404);
    await get('call-once', '?waitMs=26000').expect(400);
    await get('call-once', '?waitMs=soon').expect(400);
    // Only the one call was made: one preview, no facts yet.
    expect(w.chat(JIM).filter((a) => JSON.stringify(a).includes('Call transfer'))).toHaveLength(1);
    expect(await factsOfCall('call-once')).toEqual([]);
  });
});
