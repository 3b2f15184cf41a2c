// The load generator of the presence-notify benchmark, run as its own process (as Graph is): reads one JSON body per
// line from the file named by argv[2], POSTs them to http://127.0.0.1:<argv[3]>/graph/notifications at argv[4]
// requests per second (keep-alive, up to 256 connections), and sends the parent each request's time to its answer
// and its own CPU time.
import { readFileSync } from 'node:fs';
import http from 'node:http';

const [file, port, rate] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
const bodies = readFileSync(file, 'utf8').split('\n').filter(Boolean);
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
const latencies = [];
let sent = 0;
let done = 0;
let non202 = 0;
const start = performance.now();

function finish() {
  if (++done < bodies.length) return;
  const cpu = process.cpuUsage();
  const cpuMs = (cpu.user + cpu.system) / 1000;
  process.send({ latencies, non202, cpuMs, seconds: (performance.now() - start) / 1000 }, () => process.exit(0));
}

function send(body) {
  const t0 = performance.now();
  const req = http.request(
    {
      host: '127.0.0.1',
      port,
      path: '/graph/notifications',
      method: 'POST',
      agent,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    },
    (res) => {
      res.resume();
      res.on('end', () => {
        if (res.statusCode === 202) latencies.push(performance.now() - t0);
        else non202++;
        finish();
      });
    },
  );
  req.on('error', () => {
    non202++;
    finish();
  });
  req.end(body);
}

const tick = setInterval(() => {
  const due = Math.min(bodies.length, Math.floor(((performance.now() - start) / 1000) * rate));
  while (sent < due) send(bodies[sent++]);
  if (sent >= bodies.length) clearInterval(tick);
}, 2);
