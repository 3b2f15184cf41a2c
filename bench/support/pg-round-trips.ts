/**
 * A TCP proxy in front of PostgreSQL that counts database round trips, and names each by the statement it ran:
 * every frontend Simple Query (`Q`) is one round trip named by its text, every extended-protocol Sync (`S`) one named
 * by the last statement parsed before it (`P`). Literal lists and whitespace are folded, so one kind of statement
 * counts under one name. Used by the scale-out benchmark to show where a consultation's round trips go.
 */
import net from 'node:net';

/** The proxy's counters. */
export interface RoundTripCounter {
  /** The port on 127.0.0.1 to connect to instead of PostgreSQL's. */
  readonly port: number;
  /** Round trips so far. */
  count(): number;
  /** Round trips so far by statement name. */
  byStatement(): Map<string, number>;
  close(): void;
}

/** A statement's name: its text with whitespace, parameter lists and quoted identifiers folded, cut at 90 chars. */
export function statementName(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .replace(/"/g, '')
    .replace(/\(\$\d+(, \$\d+)*\)/g, '($…)')
    .replace(/\$\d+/g, '$')
    .replace(/\(\$, \$(, \$)*\)/g, '($…)')
    .trim()
    .slice(0, 90);
}

/** Starts the proxy on a free port of 127.0.0.1, forwarding to `target`'s host and port. */
export async function startRoundTripCounter(target: URL): Promise<RoundTripCounter> {
  let trips = 0;
  const named = new Map<string, number>();
  const count = (name: string) => {
    trips++;
    named.set(name, (named.get(name) ?? 0) + 1);
  };
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    let buffer = Buffer.alloc(0);
    let started = false;
    let lastParsed = '(unnamed statement)';
    client.on('data', (chunk: Buffer) => {
      upstream.write(chunk);
      buffer = Buffer.concat([buffer, chunk]);
      if (!started) {
        if (buffer.length < 4) return;
        const len = buffer.readInt32BE(0);
        if (buffer.length < len) return;
        buffer = buffer.subarray(len);
        started = true;
      }
      while (buffer.length >= 5) {
        const len = buffer.readInt32BE(1);
        if (buffer.length < len + 1) break;
        const type = String.fromCharCode(buffer[0] ?? 0);
        const body = buffer.subarray(5, len + 1);
        if (type === 'Q') count(statementName(cstring(body, 0)));
        else if (type === 'P') lastParsed = statementName(cstring(body, body.indexOf(0) + 1));
        else if (type === 'S') count(lastParsed);
        buffer = buffer.subarray(len + 1);
      }
    });
    upstream.on('data', (d) => client.write(d));
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end);
    upstream.on('close', end);
    client.on('error', end);
    upstream.on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return { port, count: () => trips, byStatement: () => new Map(named), close: () => server.close() };
}

function cstring(buffer: Buffer, from: number): string {
  const end = buffer.indexOf(0, from);
  return buffer.toString('utf8', from, end < 0 ? buffer.length : end);
}
