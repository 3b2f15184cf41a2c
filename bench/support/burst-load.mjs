// The load generator of the presence-burst benchmark, run as its own process (as Graph is). argv: the JSON file of
// the plan ({ burst: [body…], trickle: [body…], trickleEveryMs }) and the connector's port. It POSTs every burst body
// to /api/graph/notifications at once (keep-alive, up to 256 connections), then one trickle body every
// trickleEveryMs; meanwhile it times GET /healthz every 50 ms on a connection of its own, until the last answer. It
// sends the parent each POST's time to its answer and status, the /healthz times, and its own event-loop delay and
// CPU time (so a slow generator would show).
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const [file, port] = [process.argv[2], Number(process.argv[3])];
const plan = JSON.parse(readFileSync(file, 'utf8'));
const posts = new http.Agent({ keepAlive: true, maxSockets: 256 });
const probes = new http.Agent({ keepAlive: true, maxSockets: 1 });
const lag = monitorEventLoopDelay({ resolution: 10 });
lag.enable();

const burst = [];
const trickle = [];
const healthz = [];
let open = plan.burst.length + plan.trickle.length;
let probing = true;

function request(path, method, body, agent) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path,
        method,
        agent,
        headers: body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {},
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ ms: performance.now() - t0, status: res.statusCode }));
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve({ ms: performance.now() - t0, status: 0 }));
    req.end(body);
  });
}

function post(body, into) {
  request('/api/graph/notifications', 'POST', body, posts).then((r) => {
    into.push(r);
    if (--open === 0) probing = false;
  });
}

async function probe() {
  while (probing) {
    const r = await request('/healthz', 'GET', undefined, probes);
    healthz.push(r.ms);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const start = performance.now();
const probed = probe();
for (const body of plan.burst) post(body, burst);
for (const [i, body] of plan.trickle.entries())
  setTimeout(() => post(body, trickle), plan.trickleStartMs + i * plan.trickleEveryMs);
await probed;
lag.disable();
const cpu = process.cpuUsage();
process.send(
  {
    burst,
    trickle,
    healthz,
    seconds: (performance.now() - start) / 1000,
    eventLoopDelayMaxMs: lag.max / 1e6,
    cpuMs: (cpu.user + cpu.system) / 1000,
  },
  () => process.exit(0),
);
