/**
 * Escalations to a queue the chat's owner belongs to, through HTTP: the owner is never offered their own chat. The
 * queue's other agents are offered it; when no one is left, the owner reads `invitation.failed` and can escalate
 * again at once (no request is left pending with nothing to answer it).
 */

import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { type ApiTestApp, apiAs, startApiApp } from '../../support/api-app.js';
import { testDatabases } from '../../support/databases.js';
import { readEvents } from '../../support/event-readers.js';
import { TestClock } from '../../support/test-app.js';

/** A queue whose only member is Kate. */
const soloQueue = '  - { id: solo, name: Kate Alone, members: [agent-kate] }\n';

type Kind = 'conference' | 'consult' | 'transfer';
const kinds: Kind[] = ['conference', 'consult', 'transfer'];

describe.each(testDatabases())('agent API (escalation to the owner’s own queue) on $name', (database) => {
  let t: ApiTestApp;
  const clock = new TestClock();
  afterAll(() => database.cleanup());
  afterEach(async () => t?.app.stop());

  const api = (key: string) => apiAs(t.app, key);
  const eventsOf = async (key: string, interactionId: string, type: string) => {
    await t.app.outbox.drain();
    const events = await readEvents(t.app.http, key);
    return events.filter((e) => e.type === type && e.interactionId === interactionId);
  };
  /** A chat routed through the queue `inbound-chat` (Kate first, then Jim) and accepted by Kate: she owns it. */
  const chatOwnedByKate = async (id: string) => {
    t = await startApiApp(await database.create(), clock, soloQueue);
    const platform = api(t.keys.platform);
    await platform.post('/chats', { id, customer: { name: 'Avril Mai' }, queueId: 'inbound-chat' }).expect(201);
    await platform.post(`/chats/${id}/route`, { queueId: 'inbound-chat' }).expect(200);
    const offered = await eventsOf(t.keys.kate, id, 'invitation.offered');
    const invitationId = (offered.at(-1)?.data as { invitationId: string } | undefined)?.invitationId;
    await api(t.keys.kate).post(`/interactions/${id}/invitations/${invitationId}/accept`).expect(200);
  };

  test.each(kinds)('a %s to a queue whose first member is the owner is offered to the next agent', async (kind) => {
    await chatOwnedByKate('chat-o');
    const kate = api(t.keys.kate);
    await kate
      .post('/interactions/chat-o/escalations', { kind, target: { kind: 'queue', id: 'inbound-chat' } })
      .expect(200);
    const toJim = await eventsOf(t.keys.jim, 'chat-o', 'invitation.offered');
    expect(toJim.at(-1)?.data).toMatchObject({ kind });
    // Kate got no second offer of her own chat.
    expect(await eventsOf(t.keys.kate, 'chat-o', 'invitation.offered')).toHaveLength(1);
    const view = await kate.get('/interactions/chat-o').expect(200);
    const pending = view.body.invitations.filter((i: { state: string }) => i.state === 'pending');
    expect(pending.map((i: { target: { id: string } }) => i.target.id)).toEqual(['agent-jim']);

    // Jim declines: no one is left, Kate is told, and she can escalate again.
    const invitationId = (toJim.at(-1)?.data as { invitationId: string } | undefined)?.invitationId;
    await api(t.keys.jim).post(`/interactions/chat-o/invitations/${invitationId}/reject`).expect(200);
    const failed = await eventsOf(t.keys.kate, 'chat-o', 'invitation.failed');
    expect(failed.at(-1)?.data).toMatchObject({ requestKind: kind });
    expect((await kate.get('/interactions/chat-o').expect(200)).body.request).toBeNull();
    await kate
      .post('/interactions/chat-o/escalations', { kind: 'consult', target: { kind: 'knowledge-worker', id: 'kw-leo' } })
      .expect(200);
  });

  test.each(kinds)('a %s to a queue of which the owner is the only member fails at once', async (kind) => {
    await chatOwnedByKate('chat-s');
    const kate = api(t.keys.kate);
    await kate.post('/interactions/chat-s/escalations', { kind, target: { kind: 'queue', id: 'solo' } }).expect(200);
    const failed = await eventsOf(t.keys.kate, 'chat-s', 'invitation.failed');
    expect(failed).toHaveLength(1);
    const data = failed[0]?.data as { requestKind: string; message: string; details: string[] };
    expect(data.requestKind).toBe(kind);
    expect(data.message).toContain('no one is available at Kate Alone');
    expect(data.details).toEqual(['No agent of Kate Alone is left to offer (1 already in the chat).']);
    const view = await kate.get('/interactions/chat-s').expect(200);
    expect(view.body.request).toBeNull();
    expect(view.body.status).toBe('connected');
    // The next escalation is not refused with request-pending.
    await kate
      .post('/interactions/chat-s/escalations', { kind, target: { kind: 'queue', id: 'inbound-chat' } })
      .expect(200);
    const toJim = await eventsOf(t.keys.jim, 'chat-s', 'invitation.offered');
    expect(toJim.at(-1)?.data).toMatchObject({ kind });
  });
});
