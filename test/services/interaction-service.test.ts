/**
 * The interaction service's `committed` event, on the real SQLite store: listeners are told, in commit order, what
 * each applied command committed (whether it queued outbox effects, its earliest time-out, whose sessions began or
 * ended, every effect); a refused command tells nothing; a listener that throws is logged and neither the command
 * nor the other listeners notice; an unsubscribed listener hears nothing more.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { connectorMigrations } from '../../src/adapters/store/connector-migrations.js';
import { type OpenDatabase, openDatabase } from '../../src/adapters/store/open-database.js';
import { createSqlInteractionStore } from '../../src/adapters/store/sql-interaction-store.js';
import type { MediationRef, PersonRef } from '../../src/domain/interaction/types.js';
import { type CommittedInfo, InteractionService } from '../../src/services/interaction-service.js';
import { billingExpert, kateLewis, legalExpert } from '../support/engine-world.js';
import { captureLogs } from '../support/log-capture.js';

const T0 = Date.UTC(2026, 0, 15, 9, 0, 0);
const billing: MediationRef = { kind: 'routing-point', id: 'rp-billing', name: 'Billing Experts' };

describe('InteractionService committed event', () => {
  let db: OpenDatabase | undefined;
  afterEach(async () => {
    await db?.close();
    db = undefined;
  });

  async function service() {
    db = await openDatabase({
      url: path.join(mkdtempSync(path.join(tmpdir(), 'ucc-')), 'connector.db'),
      migrations: connectorMigrations,
    });
    const clock = { at: T0, now: () => clock.at };
    const { logger, records: lines } = captureLogs();
    const commands = new InteractionService({ store: createSqlInteractionStore(db), clock, logger });
    return { commands, clock, lines };
  }

  /** Starts an IM to the billing routing point and offers it to Ann and Leo (previews wait 30 s). */
  async function offered(commands: InteractionService) {
    await commands.execute({
      type: 'StartIm',
      interactionId: 'im-1',
      initiator: kateLewis,
      target: billing,
      text: 'Can someone help with a refund?',
    });
    const requestId = (await commands.get('im-1'))?.request?.id;
    expect(requestId).toBeDefined();
    await commands.execute({
      type: 'Offer',
      interactionId: 'im-1',
      requestId: requestId ?? '',
      targets: [billingExpert, legalExpert],
      via: billing,
      timeoutMs: 30_000,
    });
  }

  const invitationOf = async (commands: InteractionService, person: PersonRef) =>
    (await commands.get('im-1'))?.invitations.find((i) => i.target.id === person.id && i.state === 'pending')?.id ?? '';

  test('listeners hear each applied command, in commit order, with what it committed', async () => {
    const { commands, clock } = await service();
    const heard: CommittedInfo[] = [];
    commands.onCommitted((info) => heard.push(info));

    await offered(commands);
    clock.at += 3_000;
    const accepted = await commands.execute({
      type: 'Accept',
      interactionId: 'im-1',
      invitationId: await invitationOf(commands, billingExpert),
      by: billingExpert.id,
    });
    expect(accepted.ok).toBe(true);
    clock.at += 5_000;
    await commands.execute({ type: 'End', interactionId: 'im-1', by: billingExpert.id });

    expect(heard.map((h) => h.emitted.map((e) => e.type))).toEqual([
      ['RouteRequest'],
      ['SendPreview', 'ScheduleTimeout', 'SendPreview', 'ScheduleTimeout'],
      ['UpdatePreview', 'RecordFact', 'UpdatePreview', 'Deliver', 'Notify'],
      ['Deliver', 'RecordFact', 'Notify', 'RecordFact'],
    ]);
    // StartIm: a route request for the router, no time-out, nobody connected yet.
    expect(heard[0]).toMatchObject({ effects: true, timeouts: false, nextTimeoutAt: null, sessionsChanged: [] });
    expect(heard[0]?.interactions.map((ix) => ix.id)).toEqual(['im-1']);
    // Offer: previews and their time-outs, 30 s from the offer.
    expect(heard[1]).toMatchObject({ effects: true, timeouts: true, nextTimeoutAt: T0 + 30_000, sessionsChanged: [] });
    // Accept: Ann's session begins. End: it ends.
    expect(heard[2]).toMatchObject({ effects: true, timeouts: false, nextTimeoutAt: null });
    expect(heard[2]?.sessionsChanged).toEqual([billingExpert.id]);
    expect(heard[3]?.sessionsChanged).toEqual([billingExpert.id]);
    // What the listener is told is what was committed.
    expect(heard[3]?.interactions[0]).toEqual(await commands.get('im-1'));
  });

  test('a command that only records facts queues nothing for the outbox workers', async () => {
    const { commands } = await service();
    const heard: CommittedInfo[] = [];
    commands.onCommitted((info) => heard.push(info));
    await commands.execute({
      type: 'StartIm',
      interactionId: 'im-1',
      initiator: kateLewis,
      target: billing,
      text: 'Hello',
    });
    // Kate withdraws the request before anyone was offered it: a fact is recorded, nothing is sent.
    const cancelled = await commands.execute({ type: 'Cancel', interactionId: 'im-1', by: kateLewis.id });
    expect(cancelled.ok).toBe(true);
    expect(heard.map((h) => [h.effects, h.emitted.map((e) => e.type)])).toEqual([
      [true, ['RouteRequest']],
      [false, ['RecordFact']],
    ]);
    expect(heard[1]).toMatchObject({ timeouts: false, nextTimeoutAt: null, sessionsChanged: [] });
  });

  test('listeners are told before execute resolves', async () => {
    const { commands } = await service();
    const heard: string[] = [];
    commands.onCommitted((info) => heard.push(info.emitted[0]?.type ?? ''));
    const pending = commands.execute({
      type: 'StartIm',
      interactionId: 'im-1',
      initiator: kateLewis,
      target: billing,
      text: 'Hello',
    });
    expect(heard).toEqual([]);
    await pending;
    expect(heard).toEqual(['RouteRequest']);
  });

  test('a refused command tells nothing', async () => {
    const { commands } = await service();
    await offered(commands);
    const heard: CommittedInfo[] = [];
    commands.onCommitted((info) => heard.push(info));
    const refused = await commands.execute({
      type: 'Accept',
      interactionId: 'im-1',
      invitationId: 'no-such-invitation',
      by: billingExpert.id,
    });
    expect(refused.ok).toBe(false);
    const unknown = await commands.execute({ type: 'End', interactionId: 'im-unknown', by: kateLewis.id });
    expect(unknown.ok).toBe(false);
    expect(heard).toEqual([]);
  });

  test('a listener that throws is logged; the command and the other listeners go on', async () => {
    const { commands, lines } = await service();
    const before: string[] = [];
    const after: string[] = [];
    commands.onCommitted((info) => before.push(info.interactions[0]?.id ?? ''));
    commands.onCommitted(() => {
      throw new Error('metrics exploded');
    });
    commands.onCommitted((info) => after.push(info.interactions[0]?.id ?? ''));

    const result = await commands.execute({
      type: 'StartIm',
      interactionId: 'im-1',
      initiator: kateLewis,
      target: billing,
      text: 'Hello',
    });
    expect(result.ok).toBe(true);
    expect(await commands.get('im-1')).toBeDefined();
    expect(before).toEqual(['im-1']);
    expect(after).toEqual(['im-1']);
    const failures = lines.filter((l) => l.msg === 'a committed-event listener failed');
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({
      level: 50,
      err: expect.objectContaining({ message: 'metrics exploded' }),
    });
  });

  test('an unsubscribed listener hears nothing more; the others still do', async () => {
    const { commands } = await service();
    const gone: string[] = [];
    const staying: string[] = [];
    const unsubscribe = commands.onCommitted((info) => gone.push(info.interactions[0]?.id ?? ''));
    commands.onCommitted((info) => staying.push(info.interactions[0]?.id ?? ''));
    const start = (interactionId: string) =>
      commands.execute({ type: 'StartIm', interactionId, initiator: kateLewis, target: billing, text: 'Hello' });

    await start('im-1');
    unsubscribe();
    unsubscribe(); // a second call changes nothing
    await start('im-2');
    expect(gone).toEqual(['im-1']);
    expect(staying).toEqual(['im-1', 'im-2']);
  });
});
