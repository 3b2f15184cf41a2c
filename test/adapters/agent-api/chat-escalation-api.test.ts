/**
 * Customer chats handled by agents through HTTP (003, 004): the queue offers a chat to its agents in turn
 * (`POST /chats/{id}/route` with `queueId`); the owner consults, conferences to an active consultation, deletes
 * from the conference and transfers, to a person and to an active consultation; refusals change nothing.
 */

import { afterAll, afterEach, describe, expect, test } from 'vitest';
import type { SendPreview } from '../../../src/domain/interaction/effects.js';
import { type ApiTestApp, apiAs, startApiApp } from '../../support/api-app.js';
import { testDatabases } from '../../support/databases.js';
import { readEvents } from '../../support/event-readers.js';
import { TestClock } from '../../support/test-app.js';

/** A second queue, appended to the sample directory's queue list. */
const vipQueue = '  - { id: vip, name: VIP Chat, members: [agent-jim] }\n';

describe.each(testDatabases())('agent API (chat escalations) on $name', (database) => {
  let t: ApiTestApp;
  const clock = new TestClock();
  afterAll(() => database.cleanup());
  afterEach(async () => t?.app.stop());

  const start = async (extraYaml = '') => {
    t = await startApiApp(await database.create(), clock, extraYaml);
  };
  const api = (key: string) => apiAs(t.app, key);
  /** The invitation offered to an agent, from their event stream. */
  const offeredTo = async (key: string, interactionId: string) => {
    await t.app.outbox.drain();
    const events = await readEvents(t.app.http, key);
    const offered = events.filter((e) => e.type === 'invitation.offered' && e.interactionId === interactionId);
    return offered.at(-1)?.data as { invitationId: string; kind: string; attachedData: Record<string, string> };
  };
  const previewTo = async (kw: string, kind: SendPreview['kind']) => {
    await t.app.outbox.drain();
    const p = t.experts
      .to(kw)
      .filter((e): e is SendPreview => e.type === 'SendPreview' && e.kind === kind)
      .at(-1);
    if (!p) throw new Error(`no ${kind} preview to ${kw}`);
    return p;
  };
  const expertAccepts = async (kw: string, p: SendPreview) => {
    const r = await t.app.commands.execute({
      type: 'Accept',
      interactionId: p.interactionId,
      invitationId: p.invitationId,
      by: kw,
    });
    expect(r.ok).toBe(true);
  };

  test('the queue offers a chat to its agents in turn; a wrong queue or a bad body changes nothing', async () => {
    await start();
    const platform = api(t.keys.platform);
    await platform
      .post('/chats', {
        id: 'chat-q',
        customer: { name: 'Avril Mai' },
        queueId: 'inbound-chat',
        text: 'Help with an online purchase',
        attachedData: { Priority: 'High' },
      })
      .expect(201);
    const neither = await platform.post('/chats/chat-q/route', {}).expect(400);
    expect(neither.body['invalid-params']).toEqual([
      { name: 'body.routingPointId', reason: 'give either routingPointId or queueId' },
    ]);
    await platform.post('/chats/chat-q/route', { queueId: 'inbound-chat', routingPointId: 'billing' }).expect(400);
    const unknown = await platform.post('/chats/chat-q/route', { queueId: 'nope' }).expect(404);
    expect(unknown.body['invalid-params'][0].name).toBe('body.queueId');
    await api(t.keys.kate).post('/chats/chat-q/route', { queueId: 'inbound-chat' }).expect(403);

    const routed = await platform.post('/chats/chat-q/route', { queueId: 'inbound-chat' }).expect(200);
    expect(routed.body.status).toBe('waiting');
    const twice = await platform.post('/chats/chat-q/route', { queueId: 'inbound-chat' }).expect(409);
    expect(twice.body.code).toBe('request-pending');

    const toKate = await offeredTo(t.keys.kate, 'chat-q');
    expect(toKate).toMatchObject({ kind: 'route', attachedData: { Priority: 'High' } });
    await api(t.keys.kate).post(`/interactions/chat-q/invitations/${toKate.invitationId}/reject`).expect(200);
    const toJim = await offeredTo(t.keys.jim, 'chat-q');
    await api(t.keys.kate).post(`/interactions/chat-q/invitations/${toJim.invitationId}/accept`).expect(403);
    const accepted = await api(t.keys.jim)
      .post(`/interactions/chat-q/invitations/${toJim.invitationId}/accept`)
      .expect(200);
    expect(accepted.body.status).toBe('connected');
    const jimParty = accepted.body.parties.find((p: { person: { id: string } }) => p.person.id === 'agent-jim');
    expect(accepted.body.ownerPartyId).toBe(jimParty.id);
  });

  test('a chat waiting in one queue is not offered by another', async () => {
    await start(vipQueue);
    const platform = api(t.keys.platform);
    await platform.post('/chats', { id: 'chat-v', customer: { name: 'Pat' }, queueId: 'inbound-chat' }).expect(201);
    const wrong = await platform.post('/chats/chat-v/route', { queueId: 'vip' }).expect(409);
    expect(wrong.body).toMatchObject({
      code: 'wrong-queue',
      detail: 'Chat chat-v waits in queue inbound-chat, not vip.',
    });
    const view = await platform.get('/interactions/chat-v').expect(200);
    expect(view.body.request).toBeNull();
  });

  test('the owner consults, conferences to an active consultation, deletes from it, and transfers', async () => {
    await start();
    const platform = api(t.keys.platform);
    const kate = api(t.keys.kate);
    const jim = api(t.keys.jim);
    await platform
      .post('/chats', {
        id: 'chat-e',
        customer: { name: 'Avril Mai' },
        queueId: 'inbound-chat',
        attachedData: { Reason: 'Broken TV' },
      })
      .expect(201);
    await platform.post('/chats/chat-e/route', { queueId: 'inbound-chat' }).expect(200);
    const offer = await offeredTo(t.keys.kate, 'chat-e');
    await kate.post(`/interactions/chat-e/invitations/${offer.invitationId}/accept`).expect(200);

    // Chat consultation: the expert joins invisibly to the customer.
    const consult = await kate
      .post('/interactions/chat-e/escalations', { kind: 'consult', target: { kind: 'knowledge-worker', id: 'kw-leo' } })
      .expect(200);
    expect(consult.body.request).toMatchObject({ kind: 'consult' });
    const pending = await kate
      .post('/interactions/chat-e/escalations', { kind: 'transfer', target: { kind: 'agent', id: 'agent-jim' } })
      .expect(409);
    expect(pending.body.code).toBe('request-pending');
    expect((await kate.get('/interactions/chat-e').expect(200)).body.request.kind).toBe('consult');
    await jim
      .post('/interactions/chat-e/escalations', { kind: 'transfer', target: { kind: 'agent', id: 'agent-jim' } })
      .expect(403);
    await expertAccepts('kw-leo', await previewTo('kw-leo', 'consult'));
    const withLeo = await kate.get('/interactions/chat-e').expect(200);
    expect(withLeo.body.parties.find((p: { person: { id: string } }) => p.person.id === 'kw-leo')).toMatchObject({
      visibility: 'consult',
      status: 'connected',
    });
    await kate
      .post('/interactions/chat-e/messages', { text: 'Leo, is the warranty valid?', internal: true })
      .expect(200);
    const leoParty = withLeo.body.parties.find((p: { person: { id: string } }) => p.person.id === 'kw-leo');
    await kate.delete(`/interactions/chat-e/parties/${leoParty.id}`).expect(200);

    // A consultation IM with the case information, then a conference to it: the consultation ends.
    const consultation = await kate
      .post('/interactions', {
        target: { kind: 'knowledge-worker', id: 'kw-ann' },
        text: 'Can you join this chat?',
        parentInteractionId: 'chat-e',
      })
      .expect(201);
    expect(consultation.body.attachedData).toEqual({ Reason: 'Broken TV' });
    await expertAccepts('kw-ann', await previewTo('kw-ann', 'route'));
    await kate
      .post('/interactions/chat-e/escalations', { kind: 'consult', consultationId: consultation.body.id })
      .expect(400);
    await kate
      .post('/interactions/chat-e/escalations', { kind: 'conference', consultationId: consultation.body.id })
      .expect(200);
    await expertAccepts('kw-ann', await previewTo('kw-ann', 'conference'));
    const ended = await kate.get(`/interactions/${consultation.body.id}`).expect(200);
    expect(ended.body.status).toBe('ended');
    const conf = await kate.get('/interactions/chat-e').expect(200);
    const ann = conf.body.parties.find(
      (p: { person: { id: string }; status: string }) => p.person.id === 'kw-ann' && p.status === 'connected',
    );
    expect(ann).toMatchObject({ role: 'InConference', visibility: 'all' });
    await kate.delete(`/interactions/chat-e/parties/${ann.id}`).expect(200);
    await kate.delete(`/interactions/chat-e/parties/${ann.id}`).expect(409);

    // Transfer to an agent, who accepts through the API: the chat is theirs, Kate's part ends.
    await kate
      .post('/interactions/chat-e/escalations', { kind: 'transfer', target: { kind: 'agent', id: 'agent-jim' } })
      .expect(200);
    const transfer = await offeredTo(t.keys.jim, 'chat-e');
    expect(transfer.kind).toBe('transfer');
    const jimView = await jim.post(`/interactions/chat-e/invitations/${transfer.invitationId}/accept`).expect(200);
    expect(jimView.body.status).toBe('connected');
    expect((await kate.get('/interactions/chat-e').expect(200)).body.status).toBe('ended');
    await kate.post('/interactions/chat-e/messages', { text: 'still here?' }).expect(409);

    // Transfer to an active consultation.
    const jimConsult = await jim
      .post('/interactions', {
        target: { kind: 'knowledge-worker', id: 'kw-leo' },
        text: 'Could you take this customer?',
        parentInteractionId: 'chat-e',
      })
      .expect(201);
    await expertAccepts('kw-leo', await previewTo('kw-leo', 'route'));
    await jim
      .post('/interactions/chat-e/escalations', { kind: 'transfer', consultationId: jimConsult.body.id })
      .expect(200);
    await expertAccepts('kw-leo', await previewTo('kw-leo', 'transfer'));
    const final = await platform.get('/interactions/chat-e').expect(200);
    const owner = final.body.parties.find((p: { id: string }) => p.id === final.body.ownerPartyId);
    expect(owner.person.id).toBe('kw-leo');
    expect((await jim.get(`/interactions/${jimConsult.body.id}`).expect(200)).body.status).toBe('ended');
    expect((await jim.get('/interactions/chat-e').expect(200)).body.status).toBe('ended');
  });
});
