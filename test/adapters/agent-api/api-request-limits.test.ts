/**
 * The agent API checks who calls before it reads what they send: a request without a valid key gets 401 whatever
 * its size, answered before its body has even been sent; and refused credentials are rate limited per client
 * address (429 with Retry-After as a problem document), so keys cannot be guessed at line rate.
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import request from 'supertest';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { type ApiTestApp, bearer, startApiApp } from '../../support/api-app.js';
import { testDatabases } from '../../support/databases.js';
import { TestClock } from '../../support/test-app.js';

const body = (kb: number) => JSON.stringify({ text: 'x'.repeat(kb * 1024) });

describe.each(testDatabases())('agent API request limits on $name', (database) => {
  const clock = new TestClock();
  let t: ApiTestApp | undefined;
  const servers: http.Server[] = [];
  afterAll(() => database.cleanup());
  afterEach(async () => {
    for (const s of servers.splice(0)) s.close();
    await t?.app.stop();
  });

  test('without a valid key any body gets 401, not 413; with one, the body limit applies', async () => {
    t = await startApiApp(await database.create(), clock);
    const { app, keys } = t;
    for (const kb of [100, 300]) {
      const refused = await request(app.http)
        .post('/api/v1/interactions')
        .set('content-type', 'application/json')
        .send(body(kb))
        .expect(401);
      expect(refused.headers['content-type']).toContain('application/problem+json');
      await request(app.http)
        .post('/api/v1/interactions')
        .set(bearer('ucc_not-a-key'))
        .set('content-type', 'application/json')
        .send(body(kb))
        .expect(401);
    }
    const tooLarge = await request(app.http)
      .post('/api/v1/interactions')
      .set(bearer(keys.kate))
      .set('content-type', 'application/json')
      .send(body(300))
      .expect(413);
    expect(tooLarge.headers['content-type']).toContain('application/problem+json');
  });

  test('an unauthenticated request is answered before its body is sent: the body is not read', async () => {
    t = await startApiApp(await database.create(), clock);
    const server = http.createServer(t.app.http);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    servers.push(server);
    const socket = net.connect((server.address() as AddressInfo).port, '127.0.0.1');
    await once(socket, 'connect');
    // Announces 50 MB and sends only the headers and the first bytes: a server that read the body would wait.
    socket.write(
      'POST /api/v1/interactions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
        'Authorization: Bearer ucc_not-a-key\r\nContent-Length: 52428800\r\n\r\n{"text":"',
    );
    let answer = '';
    socket.on('data', (d: Buffer) => {
      answer += d.toString('utf8');
    });
    await new Promise<void>((resolve) => {
      const check = () => (answer.includes('\r\n\r\n') ? resolve() : socket.once('data', check));
      socket.once('data', check);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 401 /);
    expect(answer.toLowerCase()).toContain('content-type: application/problem+json');
    // And the connector hangs up rather than take in the rest.
    expect(answer.toLowerCase()).toContain('connection: close');
    if (!socket.closed) await once(socket, 'close');
  });

  test('refused keys are limited per address: 429 with Retry-After, even for a valid key, until time passes', async () => {
    t = await startApiApp(await database.create(), clock);
    const { app, keys } = t;
    // Valid keys are never counted against the address.
    for (let n = 0; n < 20; n++) await request(app.http).get('/api/v1/me').set(bearer(keys.kate)).expect(200);
    // The default allowance: bursts of 10 refused requests, then 30 a minute.
    for (let n = 0; n < 10; n++) {
      await request(app.http)
        .get('/api/v1/me')
        .set(bearer(`ucc_guess-${n}`))
        .expect(401);
    }
    const limited = await request(app.http).get('/api/v1/me').set(bearer('ucc_guess-10')).expect(429);
    expect(limited.headers['content-type']).toContain('application/problem+json');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(limited.body).toMatchObject({ status: 429, retryAfterSeconds: Number(limited.headers['retry-after']) });
    // Once limited, the address's credentials are not even looked at: the right key is refused too.
    await request(app.http).get('/api/v1/me').set(bearer(keys.kate)).expect(429);
    await request(app.http).post('/api/v1/interactions').send(body(1)).expect(429);

    clock.advance(Number(limited.headers['retry-after']) * 1000);
    await request(app.http).get('/api/v1/me').set(bearer(keys.kate)).expect(200);
    await request(app.http).get('/api/v1/me').set(bearer('ucc_guess-11')).expect(401);
    await request(app.http).get('/api/v1/me').set(bearer('ucc_guess-12')).expect(429);
  });
});
