/**
 * The core loop of 000 through the real connector: an expert installs the app (POST /api/messages), an agent's
 * consultation goes to a routing point, the preview card reaches the expert at the Bot Connector emulator, the
 * expert's Accept (an Adaptive Card invoke at /api/messages) connects, messages relay both ways, and the card is
 * replaced. Real HTTP, real botbuilder, real database; only Teams' side is the emulator.
 */
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, test } from 'vitest';
import { type ConnectorApp, createApp } from '../../src/app.js';
import {
  type BotConnectorEmulator,
  startBotConnectorEmulator,
} from '../../src/dev/bot-connector-emulator/bot-connector-emulator.js';
import { createLogger } from '../../src/logger.js';
import { RecordingChannel } from '../../src/ports/participant-channel.js';
import { testDatabases } from '../support/databases.js';
import { sampleDirectory, TestClock, testConfig } from '../support/test-app.js';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const ann = { id: 'kw-ann', name: 'Ann Billing' };

let emulator: BotConnectorEmulator | undefined;
let server: Server | undefined;
let app: ConnectorApp | undefined;
afterEach(async () => {
  server?.close();
  await app?.stop();
  await emulator?.close();
});

function activity(name: string, patch: Record<string, unknown>): Record<string, unknown> {
  const a = JSON.parse(readFileSync(new URL(`../fixtures/teams/${name}.json`, import.meta.url), 'utf8')) as Record<
    string,
    unknown
  >;
  a.serviceUrl = emulator?.serviceUrl;
  a.from = { id: `29:${ann.id}`, name: ann.name, aadObjectId: ann.id };
  a.conversation = { conversationType: 'personal', tenantId: TENANT, id: `a:${ann.id}` };
  a.channelData = { tenant: { id: TENANT } };
  return { ...a, ...patch };
}

test('install, preview, accept, relay both ways, card replaced — through /api/messages', async () => {
  emulator = await startBotConnectorEmulator();
  const url = await (testDatabases()[0]?.create() ?? Promise.reject(new Error('no database')));
  const yaml = `${sampleDirectory}\nteams:\n  allowedTenants: ["${TENANT}"]\n`;
  const clock = new TestClock(Date.now());
  // Experts get the real Teams channel (no recording channel for them); agents are recorded.
  const agents = new RecordingChannel();
  app = await createApp(testConfig(yaml, url), { clock, logger: createLogger('silent'), channels: { agent: agents } });
  server = app.http.listen(0);
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const post = (body: unknown) =>
    fetch(`${base}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  // 1. The expert installs the app: the conversation reference is stored.
  expect((await post(activity('installation-update-add', {}))).status).toBeLessThan(300);

  // 2. An agent asks the billing routing point; routing offers Ann (round-robin, first Ready member).
  const started = await app.commands.execute({
    type: 'StartIm',
    interactionId: 'im-e2e',
    initiator: { id: 'agent-kate', name: 'Kate Lewis', kind: 'agent' },
    target: { kind: 'routing-point', id: 'billing', name: 'Billing Experts' },
    text: 'Can you help with a refund for Ms. Mai?',
    attachedData: { CallType: 'Support', Priority: 'High', Reason: 'Refund' },
  });
  expect(started.ok).toBe(true);
  await app.outbox.drain();
  const chat = () => emulator?.activitiesOf(`a:${ann.id}`) ?? [];
  const previewText = JSON.stringify(chat().at(-1));
  expect(previewText).toContain('Internal instant messaging from Kate Lewis');
  expect(previewText).toContain('Can you help with a refund for Ms. Mai?');
  expect(previewText).toContain('High');

  // 3. Ann clicks Accept: the invoke answers with the replacement card, the engine connects her.
  const accept = await post(
    activity('invoke-adaptive-card-action', {
      value: {
        action: {
          type: 'Action.Execute',
          title: 'Accept',
          verb: 'accept',
          data: { interactionId: 'im-e2e', invitationId: 'v1' },
        },
        trigger: 'manual',
      },
    }),
  );
  expect(accept.status).toBe(200);
  const invokeBody = JSON.stringify(await accept.json());
  expect(invokeBody).not.toContain('"verb":"accept"');
  const stored = await app.store.get('im-e2e');
  expect(stored?.parties.map((p) => [p.person.name, p.status])).toEqual([
    ['Kate Lewis', 'connected'],
    ['Ann Billing', 'connected'],
  ]);
  await app.outbox.drain();
  expect(agents.to('agent-kate')).toContainEqual(
    expect.objectContaining({ type: 'Notify', notice: expect.objectContaining({ kind: 'invitation-accepted' }) }),
  );

  // 4. Ann writes in Teams: the agent gets it; the agent answers: Ann gets "Kate Lewis: …".
  expect((await post(activity('message', { text: 'Sure, what is the order number?' }))).status).toBeLessThan(300);
  await app.outbox.drain();
  expect(agents.to('agent-kate')).toContainEqual(
    expect.objectContaining({
      type: 'Deliver',
      entry: expect.objectContaining({ text: 'Sure, what is the order number?' }),
    }),
  );
  await app.commands.execute({ type: 'SendMessage', interactionId: 'im-e2e', from: 'agent-kate', text: 'Order 1234' });
  await app.outbox.drain();
  expect(JSON.stringify(chat())).toContain('Kate Lewis: Order 1234');

  // 5. No stale buttons remain in Ann's chat: the preview card was replaced.
  const withAcceptButton = chat().filter((a) => JSON.stringify(a).includes('"verb":"accept"'));
  expect(withAcceptButton).toEqual([]);
});

test('an expert asked before installing the app is unreachable, and reachable again once they install it', async () => {
  emulator = await startBotConnectorEmulator();
  const url = await (testDatabases()[0]?.create() ?? Promise.reject(new Error('no database')));
  const yaml = `${sampleDirectory}\nteams:\n  allowedTenants: ["${TENANT}"]\n`;
  const agents = new RecordingChannel();
  app = await createApp(testConfig(yaml, url), { logger: createLogger('silent'), channels: { agent: agents } });
  const connector = app;
  server = app.http.listen(0);
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const ask = async (interactionId: string) => {
    const started = await connector.commands.execute({
      type: 'StartIm',
      interactionId,
      initiator: { id: 'agent-kate', name: 'Kate Lewis', kind: 'agent' },
      target: { kind: 'person', person: { ...ann, kind: 'knowledge-worker' } },
      text: 'Are you there?',
      attachedData: {},
    });
    expect(started.ok).toBe(true);
    await connector.outbox.drain();
  };
  const failures = () =>
    agents
      .to('agent-kate')
      .flatMap((e) => (e.type === 'Notify' && e.notice.kind === 'request-failed' ? [e.notice.details] : []));

  // Ann never opened the app: the preview cannot be sent, and she is not offered work again.
  await ask('im-early');
  expect(connector.reach?.reasonOf(ann.id)).toContain('the Teams app is not installed for them');
  await ask('im-again');
  expect(JSON.stringify(failures())).toContain('unreachable in Teams');
  expect(emulator.activitiesOf(`a:${ann.id}`)).toEqual([]);

  // She installs the app: the next request reaches her.
  const install = await fetch(`${base}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(activity('installation-update-add', {})),
  });
  expect(install.status).toBeLessThan(300);
  expect(connector.reach?.isMarked(ann.id)).toBe(false);
  await ask('im-after-install');
  expect(JSON.stringify(emulator.activitiesOf(`a:${ann.id}`))).toContain('Are you there?');
});
