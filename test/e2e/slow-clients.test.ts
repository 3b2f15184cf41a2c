/**
 * `npm start` (src/main.ts as its own process) bounds slow clients with the configured limits
 * (HTTP_HEADERS_TIMEOUT_MS, HTTP_REQUEST_TIMEOUT_MS, HTTP_KEEP_ALIVE_TIMEOUT_MS, small here): a client trickling its
 * headers, or its body, gets 408 and is disconnected; an idle keep-alive connection is closed. Raw sockets play the
 * slow clients. Nothing is timed: only that the connector closes them.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { freePort } from '../support/ports.js';

const main = resolve('src/main.ts');
let child: ChildProcess | undefined;
let port = 0;
let output = '';

beforeAll(async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'ucc-slow-'));
  port = await freePort();
  // A Teams section: the bot's endpoint reads a request body before it answers.
  writeFileSync(join(cwd, 'connector.yaml'), 'teams:\n  allowedTenants: ["72f988bf-86f1-41af-91ab-2d7cd011db47"]\n');
  child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), main], {
    cwd,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      LOCAL_MODE: '0',
      CONNECTOR_CONFIG: 'connector.yaml',
      DATABASE_URL: 'data/connector.db',
      PORT: String(port),
      HOST: '127.0.0.1',
      HTTP_HEADERS_TIMEOUT_MS: '300',
      HTTP_REQUEST_TIMEOUT_MS: '600',
      HTTP_KEEP_ALIVE_TIMEOUT_MS: '1500',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => {
    output += String(d);
  });
  child.stderr?.on('data', (d: Buffer) => {
    output += String(d);
  });
  const deadline = Date.now() + 120_000;
  while (
    !(await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (r) => r.ok,
      () => false,
    ))
  ) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the connector did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}, 130_000);

afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  }
});

/**
 * Opens a socket, writes `head`, then one more byte of `trickle` every 50 ms (for ever, if the server lets it), and
 * resolves with what the server answered once the server closes the connection.
 */
async function slowClient(head: string, trickle: string): Promise<string> {
  const socket = net.connect(port, '127.0.0.1');
  await once(socket, 'connect');
  let answer = '';
  socket.on('data', (d: Buffer) => {
    answer += d.toString('utf8');
  });
  socket.on('error', () => undefined);
  socket.write(head);
  let at = 0;
  const drip = setInterval(() => {
    if (!socket.destroyed && socket.writable) socket.write(trickle[at++ % trickle.length] ?? 'x');
  }, 50);
  await once(socket, 'close');
  clearInterval(drip);
  return answer;
}

test('a client trickling its headers gets 408 and is disconnected', async () => {
  const answer = await slowClient('GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ', 'abcdefgh');
  expect(answer).toMatch(/^HTTP\/1\.1 408 /);
}, 30_000);

test('a client trickling its body gets 408 and is disconnected', async () => {
  const answer = await slowClient(
    'POST /api/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"type":"',
    'message',
  );
  expect(answer).toMatch(/^HTTP\/1\.1 408 /);
}, 30_000);

test('an idle keep-alive connection is closed after a response', async () => {
  const socket = net.connect(port, '127.0.0.1');
  await once(socket, 'connect');
  let answer = '';
  socket.on('data', (d: Buffer) => {
    answer += d.toString('utf8');
  });
  const closed = once(socket, 'close');
  socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n');
  await closed;
  expect(answer).toMatch(/^HTTP\/1\.1 200 /);
  // The configured 1.5 s, as the server announces it (Node's own default would say 5).
  expect(answer.toLowerCase()).toContain('keep-alive: timeout=1\r\n');
}, 30_000);
