/**
 * Every way a session ends for an expert replaces their session card with its final state, with no End button left,
 * and a click on the old button answers with that state: through the real connector, with the expert's clicks posted
 * to /api/messages as Teams posts them and the cards read at the Bot Connector emulator. The agent's and customer's
 * actions are the engine commands the agent API runs.
 */
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { answerCard, type Card, cardOf, textsOf, verbsOf } from '../../support/adaptive-cards.js';
import { JIM, KATE, startTeamsWorld, type TeamsWorld } from '../../support/teams-world.js';

const AVRIL = { id: 'cust-avril', name: 'Avril Mai', kind: 'customer' } as const;
const ENDED = '🏁 This session has ended.';

let w: TeamsWorld;
beforeEach(async () => {
  w = await startTeamsWorld();
  await w.install(JIM);
});
afterEach(async () => {
  await w.close();
});

/** Runs an engine command that must succeed. */
async function ok(command: Parameters<TeamsWorld['command']>[0]): Promise<void> {
  const result = await w.command(command);
  if (!result.ok) throw new Error(`${command.type} refused: ${result.refusal.message}`);
}

/** The pending invitation of a person in an interaction. */
async function pendingOf(interactionId: string, personId: string): Promise<string> {
  const ix = await w.app.store.get(interactionId);
  const inv = ix?.invitations.find((i) => i.target.id === personId && i.state === 'pending');
  if (!inv) throw new Error(`no pending invitation for ${personId} in ${interactionId}`);
  return inv.id;
}

/** Avril's chat `chat`, owned by Kate, and Kate's consultation `k` about it, accepted by Jim in Teams. */
async function consulting(): Promise<void> {
  await ok({
    type: 'ReceiveChat',
    interactionId: 'chat',
    customer: AVRIL,
    queue: { kind: 'queue', id: 'inbound-chat', name: 'Inbound Chat' },
    text: 'My TV is broken',
  });
  const queue = { kind: 'queue', id: 'inbound-chat', name: 'Inbound Chat' } as const;
  await ok({ type: 'PullFromQueue', interactionId: 'chat', routingPoint: queue });
  await ok({ type: 'Accept', interactionId: 'chat', invitationId: await pendingOf('chat', KATE.id), by: KATE.id });
  await ok({
    type: 'StartIm',
    interactionId: 'k',
    initiator: KATE,
    target: { kind: 'person', person: JIM },
    text: 'Can you help with this TV?',
    parentInteractionId: 'chat',
  });
  const invitationId = await pendingOf('k', JIM.id);
  await w.post(w.click(JIM, 'accept', { interactionId: 'k', invitationId }));
  expect(verbsOf(sessionCard('k'))).toContain('end');
}

/** Kate escalates her chat to her consultation with Jim; Jim is offered it in Teams. */
async function escalate(kind: 'conference' | 'transfer'): Promise<string> {
  await ok({ type: 'Escalate', interactionId: 'chat', kind, by: KATE.id, consultationId: 'k' });
  return pendingOf('chat', JIM.id);
}

/** Jim's card of an interaction (the preview card, as replaced since), as it stands at the emulator. */
function sessionCard(interactionId: string): Card | undefined {
  return w
    .chat(JIM)
    .map((a) => cardOf(a))
    .find(
      (c) =>
        (c?.refresh as { action?: { data?: { interactionId?: string } } })?.action?.data?.interactionId ===
        interactionId,
    );
}

/** The session card is final: no End (nor Accept / Decline), it says `line`, and the old End answers the same. */
async function expectFinal(interactionId: string, line: string): Promise<void> {
  const now = sessionCard(interactionId);
  expect(verbsOf(now)).toEqual([]);
  expect(textsOf(now)).toContain(line);
  const late = await w.post(w.click(JIM, 'end', { interactionId }));
  expect(late.status).toBe(200);
  expect(textsOf(answerCard(late.body))).toContain(line);
  expect(verbsOf(answerCard(late.body))).toEqual([]);
  // The refresh Teams asks for when it shows the card gives the same final card.
  const data = (now?.refresh as { action?: { data?: Record<string, unknown> } } | undefined)?.action?.data ?? {};
  const refresh = { action: { type: 'Action.Execute', verb: 'refresh', data }, trigger: 'automatic' };
  const refreshed = await w.post(w.activity('invoke-adaptive-card-action', JIM, { value: refresh }));
  expect(answerCard(refreshed.body)).toEqual(now);
}

describe("the expert's card when their session ends", () => {
  test('conference from a consultation: the consultation card ends, the chat card is live', async () => {
    await consulting();
    const invitationId = await escalate('conference');
    await w.post(w.click(JIM, 'accept', { interactionId: 'chat', invitationId }));
    await expectFinal('k', ENDED);
    expect(verbsOf(sessionCard('chat'))).toContain('end');
  });

  test('transfer from a consultation: the consultation card ends, the chat card is live', async () => {
    await consulting();
    const invitationId = await escalate('transfer');
    await w.post(w.click(JIM, 'accept', { interactionId: 'chat', invitationId }));
    await expectFinal('k', ENDED);
    const chat = await w.app.store.get('chat');
    expect(chat?.parties.find((p) => p.id === chat.ownerPartyId)?.person.id).toBe(JIM.id);
    expect(verbsOf(sessionCard('chat'))).toContain('end');
  });

  test('consult from a consultation: refused, nothing ends, the consultation card stays live', async () => {
    await consulting();
    const before = await w.effectCount();
    const result = await w.command({
      type: 'Escalate',
      interactionId: 'chat',
      kind: 'consult',
      by: KATE.id,
      consultationId: 'k',
    });
    expect(result.ok).toBe(false);
    expect(await w.effectCount()).toBe(before);
    expect(verbsOf(sessionCard('k'))).toContain('end');
    expect((await w.app.store.get('k'))?.endedAt).toBeNull();
  });

  test('customer leaving: the chat card the expert joined ends', async () => {
    await consulting();
    const invitationId = await escalate('conference');
    await w.post(w.click(JIM, 'accept', { interactionId: 'chat', invitationId }));
    await ok({ type: 'End', interactionId: 'chat', by: AVRIL.id });
    await expectFinal('chat', ENDED);
    await expectFinal('k', ENDED);
  });

  test('agent cancelling: the offer card says it was withdrawn, the consultation card stays live', async () => {
    await consulting();
    const invitationId = await escalate('conference');
    await ok({ type: 'Cancel', interactionId: 'chat', by: KATE.id });
    const offer = sessionCard('chat');
    expect(verbsOf(offer)).toEqual([]);
    expect(textsOf(offer)).toContain('↩️ Kate Lewis withdrew this request.');
    const late = await w.post(w.click(JIM, 'accept', { interactionId: 'chat', invitationId }));
    expect(textsOf(answerCard(late.body))).toContain('↩️ Kate Lewis withdrew this request.');
    expect(verbsOf(sessionCard('k'))).toContain('end');
  });

  test('agent ending the consultation: the consultation card ends', async () => {
    await consulting();
    await ok({ type: 'End', interactionId: 'k', by: KATE.id });
    await expectFinal('k', ENDED);
  });
});
