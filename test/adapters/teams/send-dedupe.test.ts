/**
 * Teams sends are deduplicated by outbox effect id (the send ledger): an effect handed again after its send was
 * answered sends nothing; a send Teams refused is retried as a fresh send; a send in doubt (started, never answered:
 * a crash) is sent again once, and given up after that.
 */
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { createSqlSendLedger } from '../../../src/adapters/store/sql-send-ledger.js';
import type { Deliver } from '../../../src/domain/interaction/effects.js';
import { JIM, KATE, startTeamsWorld, type TeamsWorld } from '../../support/teams-world.js';

const line = (text: string): Deliver => ({
  type: 'Deliver',
  interactionId: 'ix-1',
  partyId: 'p-1',
  to: JIM,
  entry: { seq: 1, at: 0, kind: 'message', partyId: 'p-0', name: KATE.name, text, audience: 'all', event: null },
});

describe('sends deduplicated by effect id', () => {
  let w: TeamsWorld;
  const send = (id: string, effect: Deliver) => w.app.channels['knowledge-worker'].send(id, effect);
  const lines = (text: string) => w.chat(JIM).filter((a) => a.text === `Kate Lewis: ${text}`);
  const ledger = () => createSqlSendLedger(w.app.database, w.clock);

  beforeEach(async () => {
    w = await startTeamsWorld();
    await w.install(JIM);
  });
  afterEach(async () => {
    await w.close();
  });

  test('the same effect handed again after its send was answered: Teams gets it once', async () => {
    await send('ix-1/1/0', line('hello'));
    await send('ix-1/1/0', line('hello'));
    expect(lines('hello')).toHaveLength(1);
    // Another effect with the same text is another message.
    await send('ix-1/2/0', line('hello'));
    expect(lines('hello')).toHaveLength(2);
  });

  test('a send Teams refused is not in doubt: each retry is a fresh send, and it arrives once', async () => {
    // Twice Teams answers 403 (the app was removed; Jim installs it again): refused, not in doubt.
    for (let i = 0; i < 2; i++) {
      w.emulator.inject({ status: 403, count: 1 });
      await send('ix-1/1/0', line('hello'));
      expect(await w.references.get(JIM.id)).toBeUndefined();
      await w.install(JIM);
    }
    await send('ix-1/1/0', line('hello'));
    expect(lines('hello')).toHaveLength(1);
  });

  test('in doubt once: sent again; in doubt twice: given up, nothing more is sent', async () => {
    await ledger().begin('ix-1/1/0', JIM.id); // started before a crash, never answered
    await send('ix-1/1/0', line('maybe'));
    expect(lines('maybe')).toHaveLength(1);

    await ledger().begin('ix-1/1/1', JIM.id);
    await ledger().begin('ix-1/1/1', JIM.id); // repeated once already, in doubt again
    const before = w.emulator.requests.length;
    await send('ix-1/1/1', line('twice'));
    expect(w.emulator.requests.length).toBe(before);
  });
});
