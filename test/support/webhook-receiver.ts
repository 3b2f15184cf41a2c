/**
 * A webhook endpoint for tests: records every request the connector POSTs, after checking its headers and its
 * CloudEvents body against the connector's served AsyncAPI document (`event-contract.ts`). A request that does not
 * match is answered 400 and its error thrown from the server's handler, which fails the test run.
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkWebhookWith, eventContract, type ServedBy } from './event-contract.js';

/** One request received. */
export interface ReceivedWebhook {
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  /** What the receiver answered. */
  readonly status: number;
}

/** A running receiver. */
export interface WebhookReceiver {
  /** The URL to register with `POST /api/v1/webhooks`. */
  readonly url: string;
  readonly received: ReceivedWebhook[];
  /** The HTTP server (close it when done). */
  readonly server: http.Server;
}

/**
 * Starts a receiver for the connector `by` (its express app or base URL). `answer(n)` gives the status of the n-th
 * request (0-based; default 204).
 */
export async function startWebhookReceiver(
  by: ServedBy,
  answer: (n: number) => number = () => 204,
): Promise<WebhookReceiver> {
  const contract = await eventContract(by);
  const received: ReceivedWebhook[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      try {
        checkWebhookWith(contract, req.headers, JSON.parse(body));
      } catch (error) {
        res.writeHead(400).end();
        throw error;
      }
      const status = answer(received.length);
      received.push({ headers: req.headers, body, status });
      res.writeHead(status).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return { url, received, server };
}
