/**
 * Revoking an API key ends what it opened: its Server-Sent Events stream closes at once (on this connector, and on
 * another replica of one PostgreSQL database through the replica signals, and when revoked on the command line
 * against PostgreSQL), a stream whose key was revoked where no
 * signal reaches ends at its next event, and the key cannot open a new one (a connector that hears no revocations
 * keeps no key in memory). Webhook endpoints belong to the
 * contact center, not to the key that registered them: they keep delivering.
 */
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import type { ConnectorApp } from '../../../src/app.js';
import { runApiKeyCommand } from '../../../src/cli/api-key.js';
import { type ApiTestApp, bearer, startApiApp } from '../../support/api-app.js';
import request from '../../support/api-request.js';
import { testDatabases } from '../../support/databases.js';
import { openStream as openEventStream } from '../../support/event-readers.js';
import { TestClock } from '../../support/test-app.js';
import { startWebhookReceiver } from '../../support/webhook-receiver.js';

/** An open SSE stream: the ids of the events received so far, and whether the connector ended it. */
interface OpenStream {
  readonly ids: string[];
  readonly ended: Promise<void>;
  readonly close: () => void;
}

/** The shared stream reader (each event checked against the served AsyncAPI document), as the ids received. */
async function openStream(base: string, key: string): Promise<OpenStream> {
  const stream = await openEventStream(`${base}/api/v1/events/stream`, bearer(key));
  return {
    get ids() {
      return stream.events.map((e) => e.id);
    },
    ended: stream.ended,
    close: stream.close,
  };
}

/** Polls `check` until it holds; fails after a while. */
async function eventually(check: () => boolean): Promise<void> {
  for (let n = 0; !check(); n++) {
    if (n > 400) throw new Error('condition never held');
    await new Promise((r) => setTimeout(r, 25));
  }
}

const keyIdOf = async (app: ConnectorApp, platform: string, label: string): Promise<string> => {
  const listed = await request(app.http).get('/api/v1/keys').set(bearer(platform)).expect(200);
  const key = (listed.body.keys as { keyId: string; label: string }[]).find((k) => k.label === label);
  if (!key) throw new Error(`no key ${label}`);
  return key.keyId;
};

describe.each(testDatabases())('revoking an API key on $name', (database) => {
  const clock = new TestClock();
  const running: ApiTestApp[] = [];
  const servers: http.Server[] = [];
  const streams: OpenStream[] = [];
  afterAll(() => database.cleanup());
  afterEach(async () => {
    for (const s of streams.splice(0)) s.close();
    for (const s of servers.splice(0)) s.close();
    for (const t of running.splice(0)) await t.app.stop();
  });

  const listen = async (handler: http.RequestListener) => {
    const server = http.createServer(handler);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    servers.push(server);
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };
  const start = async (url: string, yaml = '') => {
    const t = await startApiApp(url, clock, yaml);
    running.push(t);
    return t;
  };

  test('closes the streams the key opened at once, and the key opens no new one', async () => {
    const t = await start(await database.create());
    const { app, keys } = t;
    const base = await listen(app.http);
    const kate = await openStream(base, keys.kate);
    streams.push(kate);
    const jim = await openStream(base, keys.jim);
    streams.push(jim);
    await app.agentSide.publishKnowledgeWorkerState('kw-ann', { kind: 'Busy' }, clock.now());
    await eventually(() => kate.ids.length === 1 && jim.ids.length === 1);

    const kateKey = await keyIdOf(app, keys.platform, 'Kate desktop');
    await request(app.http).delete(`/api/v1/keys/${kateKey}`).set(bearer(keys.platform)).expect(204);
    // Ended without any event to deliver: the revocation itself closes it.
    await kate.ended;
    for (let n = 1; n <= 3; n++)
      await app.agentSide.publishKnowledgeWorkerState('kw-ann', { kind: n % 2 ? 'Ready' : 'Busy' }, clock.now() + n);
    await eventually(() => jim.ids.length === 4);
    expect(kate.ids).toHaveLength(1);
    // Another key's stream goes on; the revoked key cannot reconnect.
    const again = await request(app.http).get('/api/v1/events/stream').set(bearer(keys.kate)).expect(401);
    expect(again.headers['content-type']).toContain('application/problem+json');
  });

  test('a stream whose key was revoked elsewhere, unsignalled, ends at its next event and delivers nothing', async () => {
    const url = await database.create();
    const a = await start(url);
    // A second connector on the same database (on SQLite, nothing tells A of what B does).
    const b = await start(url);
    const base = await listen(a.app.http);
    const kate = await openStream(base, a.keys.kate);
    streams.push(kate);
    await a.app.agentSide.publishKnowledgeWorkerState('kw-ann', { kind: 'Busy' }, clock.now());
    await eventually(() => kate.ids.length === 1);

    const kateKey = await keyIdOf(b.app, b.keys.platform, 'Kate desktop');
    await request(b.app.http).delete(`/api/v1/keys/${kateKey}`).set(bearer(b.keys.platform)).expect(204);
    await a.app.agentSide.publishKnowledgeWorkerState('kw-ann', { kind: 'Ready' }, clock.now() + 1);
    await kate.ended;
    expect(kate.ids).toHaveLength(1);
    // A, which hears no revocations, keeps no key in memory: it refuses the key at once.
    await request(a.app.http).get('/api/v1/me').set(bearer(a.keys.kate)).expect(401);
  });

  // Replicas coordinate on PostgreSQL only (on SQLite there is one process).
  if (database.name === 'postgres')
    test('a key revoked on one replica closes its stream on another at once', async () => {
      const url = await database.create();
      const a = await start(url);
      const b = await start(url);
      a.app.start();
      b.app.start();
      // Both replicas listen for the others' signals before the revocation is told.
      await eventually(
        () => a.logs.join('').includes('replica coordinating') && b.logs.join('').includes('replica coordinating'),
      );
      const base = await listen(a.app.http);
      const kate = await openStream(base, a.keys.kate);
      streams.push(kate);
      const kateKey = await keyIdOf(b.app, b.keys.platform, 'Kate desktop');
      await request(b.app.http).delete(`/api/v1/keys/${kateKey}`).set(bearer(b.keys.platform)).expect(204);
      // No event is appended: only B's signal can end A's stream.
      await kate.ended;
      expect(kate.ids).toHaveLength(0);
    });

  if (database.name === 'postgres')
    test('a key revoked on the command line closes its stream on a running connector at once', async () => {
      const url = await database.create();
      const a = await start(url);
      a.app.start();
      await eventually(() => a.logs.join('').includes('replica coordinating'));
      const kate = await openStream(await listen(a.app.http), a.keys.kate);
      streams.push(kate);
      const kateKey = await keyIdOf(a.app, a.keys.platform, 'Kate desktop');
      const out: string[] = [];
      const io = {
        env: { DATABASE_URL: url, LOG_LEVEL: 'silent' },
        cwd: mkdtempSync(join(tmpdir(), 'ucc-cli-')),
        stdout: { write: (text: string) => out.push(text) },
        stderr: { write: (text: string) => out.push(text) },
      };
      expect(await runApiKeyCommand(['revoke', kateKey], io)).toBe(0);
      expect(out.join('')).toBe(`Revoked ${kateKey}.\n`);
      // No event is appended: only the command's notification can end the stream.
      await kate.ended;
      expect(kate.ids).toHaveLength(0);
    });

  test('webhooks registered with a key keep delivering after it is revoked', async () => {
    const t = await start(await database.create(), 'agentApi:\n  webhooks: { allowPrivateTargets: true }\n');
    const { app, keys } = t;
    const receiver = await startWebhookReceiver(app.http);
    servers.push(receiver.server);
    const { received } = receiver;
    const integration = await request(app.http)
      .post('/api/v1/keys')
      .set(bearer(keys.platform))
      .send({ agentId: null, label: 'Integration' })
      .expect(201);
    await request(app.http)
      .post('/api/v1/webhooks')
      .set(bearer(integration.body.key))
      .send({ url: receiver.url })
      .expect(201);
    await request(app.http).delete(`/api/v1/keys/${integration.body.keyId}`).set(bearer(keys.platform)).expect(204);
    await request(app.http).get('/api/v1/webhooks').set(bearer(integration.body.key)).expect(401);

    await app.agentSide.publishKnowledgeWorkerState('kw-eve', { kind: 'Ready' }, clock.now());
    expect(await app.agentSide.webhooks.drain()).toEqual({ delivered: 1, failed: 0 });
    expect(received).toHaveLength(1);
    const listed = await request(app.http).get('/api/v1/webhooks').set(bearer(keys.platform)).expect(200);
    expect(listed.body.webhooks).toHaveLength(1);
  });
});
