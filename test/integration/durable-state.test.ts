/**
 * The engine on a real database through the interaction service: one transaction per command, an outbox that a
 * crash re-executes, and state, transcript and pending time-outs that survive a restart.
 */
import { afterAll, describe, expect, test } from 'vitest';
import type { PersonRef } from '../../src/domain/interaction/types.js';
import { testDatabases } from '../support/databases.js';
import { sampleDirectory, startTestApp, TestClock, testConfig } from '../support/test-app.js';

const kate: PersonRef = { id: 'agent-kate', name: 'Kate Lewis', kind: 'agent' };
const billing = { kind: 'routing-point' as const, id: 'billing', name: 'Billing Experts' };

describe.each(testDatabases())('durable state on $name', (database) => {
  afterAll(() => database.cleanup());

  test('a consultation IM reaches an expert through the outbox, and a restart keeps everything', async () => {
    const url = await database.create();
    const clock = new TestClock();
    const first = await startTestApp(testConfig(sampleDirectory, url), clock);
    const started = await first.app.commands.execute({
      type: 'StartIm',
      interactionId: 'im-1',
      initiator: kate,
      target: billing,
      text: 'Can someone help with a refund?',
      attachedData: { Priority: 'High', Reason: 'Refund' },
    });
    expect(started.ok).toBe(true);
    await first.app.outbox.drain();
    const [preview] = first.experts.to('kw-ann');
    expect(preview).toMatchObject({
      type: 'SendPreview',
      previewText: 'Can someone help with a refund?',
      attachedData: { Priority: 'High', Reason: 'Refund' },
    });
    const stored = await first.app.store.get('im-1');
    expect(stored?.invitations).toEqual([
      expect.objectContaining({
        target: expect.objectContaining({ id: 'kw-ann' }),
        state: 'pending',
        dueAt: clock.now() + 30_000,
      }),
    ]);
    await first.app.stop();

    // The connector is down while the preview's due time passes.
    clock.advance(45_000);
    const second = await startTestApp(testConfig(sampleDirectory, url), clock);
    second.app.start();
    expect(await second.app.timeouts.fireDue()).toBe(1);
    await second.app.outbox.drain();
    const after = await second.app.store.get('im-1');
    expect(after?.invitations.map((i) => [i.target.id, i.state])).toEqual([
      ['kw-ann', 'timed_out'],
      ['kw-leo', 'pending'],
    ]);
    expect(second.experts.to('kw-ann')).toEqual([
      expect.objectContaining({ type: 'UpdatePreview', outcome: 'expired' }),
    ]);
    expect(second.experts.to('kw-leo')).toEqual([
      expect.objectContaining({ type: 'SendPreview', attachedData: { Priority: 'High', Reason: 'Refund' } }),
    ]);

    await second.app.commands.execute({ type: 'Accept', interactionId: 'im-1', invitationId: 'v2', by: 'kw-leo' });
    clock.advance(5_000);
    await second.app.commands.execute({
      type: 'SendMessage',
      interactionId: 'im-1',
      from: 'kw-leo',
      text: 'Sure, what is the order number?',
    });
    await second.app.outbox.drain();
    await second.app.stop();

    const third = await startTestApp(testConfig(sampleDirectory, url), clock);
    const final = await third.app.store.get('im-1');
    expect(final?.transcript.map((e) => (e.kind === 'message' ? `${e.name}: ${e.text}` : e.text))).toEqual([
      'Kate Lewis initiated an Instant Messaging invitation.',
      'Kate Lewis: Can someone help with a refund?',
      'The Instant Messaging invitation to Ann Billing timed out.',
      'Leo Legal accepted the Instant Messaging invitation.',
      'Leo Legal: Sure, what is the order number?',
    ]);
    expect(final?.parties.map((p) => [p.person.name, p.status])).toEqual([
      ['Kate Lewis', 'connected'],
      ['Ann Billing', 'ended'],
      ['Leo Legal', 'connected'],
    ]);
    expect(
      (await third.app.store.facts({ interactionId: 'im-1' })).map(
        (f) => `${f.resource.name} ${f.role}/${f.result} ${f.outcome}`,
      ),
    ).toEqual(['Ann Billing RoutedTo/Redirected timed_out']);
    expect(await third.app.store.outboxCounts()).toEqual({ done: expect.any(Number) });
    await third.app.stop();
  });

  test('effects committed before a crash run after the restart, once', async () => {
    const url = await database.create();
    const clock = new TestClock();
    const first = await startTestApp(testConfig(sampleDirectory, url), clock);
    await first.app.commands.execute({
      type: 'StartIm',
      interactionId: 'im-2',
      initiator: kate,
      target: { kind: 'person', person: { id: 'kw-ann', name: 'Ann Billing', kind: 'knowledge-worker' } },
      text: 'Hello Ann',
    });
    // The process dies after the commit, before any worker ran: nothing was sent.
    expect(first.experts.sent).toEqual([]);
    await first.app.stop();

    const second = await startTestApp(testConfig(sampleDirectory, url), clock);
    second.app.start();
    await second.app.outbox.drain();
    expect(second.experts.to('kw-ann').map((e) => e.type)).toEqual(['SendPreview']);
    await second.app.outbox.drain();
    expect(second.experts.sent).toHaveLength(1);
    await second.app.stop();
  });

  test('a failing channel is retried with backoff and keeps the order of the interaction', async () => {
    const url = await database.create();
    const clock = new TestClock();
    let failures = 2;
    const received: string[] = [];
    const flaky = {
      async send(_id: string, effect: { type: string; entry?: { text: string } }) {
        if (effect.type === 'Deliver' && failures > 0) {
          failures -= 1;
          throw new Error('Teams answered 502');
        }
        received.push(effect.type === 'Deliver' ? `Deliver ${effect.entry?.text}` : effect.type);
      },
    };
    const t = await startTestApp(testConfig(sampleDirectory, url), clock, { channels: { 'knowledge-worker': flaky } });
    const ann = { id: 'kw-ann', name: 'Ann Billing', kind: 'knowledge-worker' as const };
    await t.app.commands.execute({
      type: 'StartIm',
      interactionId: 'im-3',
      initiator: kate,
      target: { kind: 'person', person: ann },
      text: 'Hello Ann',
    });
    await t.app.outbox.drain();
    await t.app.commands.execute({ type: 'Accept', interactionId: 'im-3', invitationId: 'v1', by: 'kw-ann' });
    await t.app.commands.execute({ type: 'SendMessage', interactionId: 'im-3', from: 'agent-kate', text: 'one' });
    await t.app.commands.execute({ type: 'SendMessage', interactionId: 'im-3', from: 'agent-kate', text: 'two' });
    await t.app.outbox.drain();
    expect(received).toEqual(['SendPreview', 'UpdatePreview']);
    clock.advance(1_000);
    await t.app.outbox.drain();
    expect(received).toEqual(['SendPreview', 'UpdatePreview']);
    clock.advance(2_000);
    await t.app.outbox.drain();
    expect(received).toEqual(['SendPreview', 'UpdatePreview', 'Deliver one', 'Deliver two']);
    expect(t.logs.filter((l) => l.includes('effect failed; will retry'))).toHaveLength(2);
    await t.app.stop();
  });

  test('a refused command changes nothing in the database', async () => {
    const url = await database.create();
    const clock = new TestClock();
    const t = await startTestApp(testConfig(sampleDirectory, url), clock);
    await t.app.commands.execute({
      type: 'StartIm',
      interactionId: 'im-4',
      initiator: kate,
      target: billing,
      text: 'Hi',
    });
    const before = await t.app.store.get('im-4');
    const refused = await t.app.commands.execute({
      type: 'SendMessage',
      interactionId: 'im-4',
      from: 'kw-leo',
      text: 'not mine',
    });
    expect(refused).toMatchObject({ ok: false, refusal: { code: 'unknown-party' } });
    expect(await t.app.store.get('im-4')).toEqual(before);
    await t.app.stop();
  });
});
