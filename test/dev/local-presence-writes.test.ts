/**
 * Local mode's presence writes: `config/local.yaml` with the Graph emulator's presence section as local mode writes
 * it (experts with a status message, agents on): Kate Lewis, an agent who uses Teams too, reports Busy on a call
 * through the agent API and the emulator's user shows Busy / In a call.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { type ConnectorApp, createApp } from '../../src/app.js';
import { LOCAL_KATE_USER_ID, type LocalPresence, startLocalPresence } from '../../src/dev/local-presence.js';
import { createLogger } from '../../src/logger.js';
import { RecordingChannel } from '../../src/ports/participant-channel.js';
import request from '../support/api-request.js';
import { loadTestConfig } from '../support/test-app.js';

let app: ConnectorApp | undefined;
let local: LocalPresence | undefined;
afterEach(async () => {
  await app?.stop();
  await local?.close();
});

test('an agent state reported through the API shows on the emulator’s user', async () => {
  local = await startLocalPresence({ write: 'experts: { statusMessage: "Helping a customer" }, agents: {}' });
  // config/local.yaml without its teams section (the bot needs the Agents Playground, which this test does not use).
  const config = loadTestConfig(
    { DATABASE_URL: join(mkdtempSync(join(tmpdir(), 'local-writes-')), 'connector.db'), ...local.env },
    readFileSync('config/local.yaml', 'utf8').replace(/^teams:[\s\S]*?(?=^\S|$(?![\s\S]))/m, '') + local.yaml,
  );
  app = await createApp(config, {
    logger: createLogger('silent'),
    channels: { 'knowledge-worker': new RecordingChannel() },
  });
  const key = (await app.agentSide.keys.create({ contactCenter: 'default', agentId: 'agent-kate', label: 'Kate' })).key;
  app.start();
  const res = await request(app.http)
    .post('/api/v1/agents/agent-kate/state')
    .set('authorization', `Bearer ${key}`)
    .send({ state: 'Busy', media: 'call' });
  expect(res.status).toBe(200);
  expect(res.body.teams).toEqual({ availability: 'Busy', activity: 'InACall' });
  const emu = local.emulator;
  const end = Date.now() + 15_000;
  while (emu.presenceOf(LOCAL_KATE_USER_ID)?.availability !== 'Busy' && Date.now() < end)
    await new Promise((r) => setTimeout(r, 25));
  expect(emu.presenceOf(LOCAL_KATE_USER_ID)).toMatchObject({ availability: 'Busy', activity: 'InACall' });
});
