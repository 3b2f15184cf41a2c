/**
 * `npm run bench -- scale-out`: consultations end to end with 1, 2 and 4 replica processes (`src/main.ts`) on one
 * PostgreSQL database, Teams played by the Bot Connector emulator.
 *
 * One consultation: an agent's request through the API of one replica (to a round-robin routing point of 64 experts),
 * the preview card's POST at the emulator, the expert's Accept through the next replica's `/api/messages`, the
 * agent's first message (through the first replica) relayed to the expert in Teams, then the agent ends it through
 * the second. 32 agents run consultations; a consultation counts when its first message reaches Teams inside the
 * measured window (after a warm-up); a request no expert was found for is counted apart (`requestsNotRouted`).
 *
 * Three runs per number of replicas, each on a fresh schema:
 * - **throughput**: the agents run consultations back to back (a closed loop), as fast as the machine allows: the
 *   consultations per second (`value`), and what CPU and stage times look like when every core is busy
 *   (`saturated`);
 * - **cost**: the same work at a fixed offered rate (`SCALE_OUT_RATE`, 12 consultations a second by default, well
 *   under what one replica carries here), after a longer warm-up (every replica's code is compiled by then, though
 *   each does 1/N of the work): the CPU time per consultation of the replicas, of this process (driver and
 *   emulators) and of every PostgreSQL process (other users of the server included), how many of the machine's cores
 *   were busy (everything on it counts), and each stage's median and 90th percentile (request answered; preview or
 *   relay seen at the emulator, which is watched every few ms). With the offered load the same for 1, 2 and 4
 *   replicas and cores to spare, these measure the work a consultation costs, not the queueing of an oversubscribed
 *   machine (the `saturated` figures show that). After the load it watches the replicas and PostgreSQL doing nothing
 *   for 10 s (`idleCpuMsPerSecond`: timers, garbage collection, the periodic wake-up), and also gives the CPU per
 *   consultation above that idle cost (`cpuMsPerConsultationAboveIdle`): the idle cost is paid per replica per
 *   second, whatever the load;
 * - **round trips**: the cost run's load through a proxy in front of PostgreSQL that counts round trips (every simple
 *   query or extended-protocol Sync; background work and wake-ups included) and names them by statement (the proxy
 *   sits in the path of every query and costs CPU here, so it has a run of its own).
 *
 * Needs PostgreSQL at TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test). For exploring:
 * SCALE_OUT_REPLICAS (e.g. `1,2`), SCALE_OUT_AGENTS, SCALE_OUT_SECONDS (measured seconds of each run),
 * SCALE_OUT_RATE, SCALE_OUT_COST_WARMUP (seconds) and SCALE_OUT_TOP (statements listed) override the defaults, and
 * SCALE_OUT_COST_ONLY=1 makes only the cost run (its figures then stand in for the others').
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import pg from 'pg';
import { agentApiDb } from '../src/adapters/store/agent-api-schema.js';
import { ApiKeyStore } from '../src/adapters/store/api-key-store.js';
import { connectorMigrations } from '../src/adapters/store/connector-migrations.js';
import { openDatabase } from '../src/adapters/store/open-database.js';
import { startBotConnectorEmulator } from '../src/dev/bot-connector-emulator/bot-connector-emulator.js';
import { systemClock } from '../src/ports/clock.js';
import {
  cardAction,
  postActivity,
  type Replica,
  startReplica,
  TENANT,
  teamsActivity,
  writeConfig,
} from '../test/support/replicas.js';
import type { BenchFigure } from './run.js';
import { startRoundTripCounter } from './support/pg-round-trips.js';

export const name = 'scale-out';

const SERVER = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const EXPERTS = 64;
const AGENTS = Number(process.env.SCALE_OUT_AGENTS ?? 32);
const REPLICAS = (process.env.SCALE_OUT_REPLICAS ?? '1,2,4').split(',').map(Number);
const MEASURE_MS = Number(process.env.SCALE_OUT_SECONDS ?? 20) * 1000;
/** Consultations a second offered in the cost and round-trip runs (all agents together). */
const RATE = Number(process.env.SCALE_OUT_RATE ?? 12);
/** The kinds of run: how long each warms up and measures, and whether it is paced and counts round trips. */
const RUNS = {
  throughput: { warmupMs: 5_000, measureMs: MEASURE_MS, paced: false, countTrips: false },
  cost: {
    warmupMs: Number(process.env.SCALE_OUT_COST_WARMUP ?? 20) * 1000,
    measureMs: MEASURE_MS,
    paced: true,
    countTrips: false,
  },
  trips: { warmupMs: 10_000, measureMs: 10_000, paced: true, countTrips: true },
} as const;
type RunKind = keyof typeof RUNS;
/** How long the replicas and PostgreSQL are watched doing nothing after a cost run. */
const IDLE_MS = 10_000;
/** Part of every schema name: other users of the server (another machine's process may have this pid) must not collide. */
const RUN_ID = randomBytes(3).toString('hex');
const STAGES = ['start', 'toPreview', 'accept', 'message', 'toRelay', 'end'] as const;
type Stage = (typeof STAGES)[number];

function configYaml(): string {
  const kws = Array.from({ length: EXPERTS }, (_, i) => `    - { id: kw-${i}, name: Expert ${i}, staticState: Ready }`);
  const agents = Array.from({ length: AGENTS }, (_, i) => `    - { id: agent-${i}, name: Agent ${i} }`);
  return `
directory:
  knowledgeWorkers:
${kws.join('\n')}
  agents:
${agents.join('\n')}
routing:
  routingPoints:
    - id: experts
      name: Experts
      members: { kind: static, ids: [${Array.from({ length: EXPERTS }, (_, i) => `kw-${i}`).join(', ')}] }
      strategy: { kind: round-robin }
      previewTimeoutMs: 120000
      maxOffers: 3
teams:
  allowedTenants: ["${TENANT}"]
  send:
    perConversation: [{ limit: 1000, windowMs: 1000 }]
    perTenant: [{ limit: 100000, windowMs: 1000 }]
agentApi:
  rateLimit: { requestsPerMinute: 1000000, burst: 100000 }
`;
}

/** Waits for things the emulator receives: resolved by a scan of its request log every few ms. */
class Arrivals<T> {
  private readonly seen = new Map<string, T>();
  private readonly waiting = new Map<string, (value: T) => void>();

  add(key: string, value: T): void {
    const w = this.waiting.get(key);
    if (w) {
      this.waiting.delete(key);
      w(value);
    } else this.seen.set(key, value);
  }

  wait(key: string, what: string, ms = 60_000): Promise<T> {
    const hit = this.seen.get(key);
    if (hit !== undefined) {
      this.seen.delete(key);
      return Promise.resolve(hit);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(key);
        reject(new Error(`gave up waiting for ${what} of ${key}`));
      }, ms);
      this.waiting.set(key, (value) => {
        clearTimeout(timer);
        resolve(value);
      });
    });
  }
}

/** CPU time (user + system) a process has used so far, in ms, from /proc (Linux); 0 where unavailable. */
function cpuMsOf(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}

/** CPU time of every PostgreSQL server process now, by pid (all of the server's users, not only this benchmark). */
function postgresCpu(): Map<number, number> {
  const out = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres') out.set(pid, cpuMsOf(pid));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Busy and total CPU time of the whole machine so far (all cores, all processes), in clock ticks. */
function machineCpu(): { busy: number; total: number } {
  const [, ...ticks] = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/);
  const n = ticks.map(Number);
  const total = n.reduce((a, b) => a + b, 0);
  return { busy: total - (n[3] ?? 0) - (n[4] ?? 0), total };
}

const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 0 : (s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0);
};
const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

/**
 * One run of `kind` with `replicaCount` replicas on a fresh schema. In a round-trip run the replicas reach
 * PostgreSQL through the counting proxy; in a paced run each agent starts a consultation every `AGENTS / RATE`
 * seconds (the first at a random point of that period), so together they offer `RATE` a second.
 */
async function measure(replicaCount: number, kind: RunKind) {
  const { warmupMs, measureMs, paced, countTrips } = RUNS[kind];
  const paceMs = paced ? (AGENTS * 1000) / RATE : 0;
  const schema = `bench_scale_${process.pid}_${RUN_ID}_${replicaCount}_${kind}`;
  const admin = new pg.Client({ connectionString: SERVER });
  await admin.connect();
  await admin.query(`drop schema if exists ${schema} cascade; create schema ${schema}`);
  const proxy = await startRoundTripCounter(new URL(SERVER));
  const viaProxy = new URL(SERVER);
  if (countTrips) {
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
  }
  viaProxy.searchParams.set('options', `-c search_path=${schema}`);
  const emulator = await startBotConnectorEmulator({
    tenantPerSecond: 1_000_000,
    perConversation: [{ limit: 1_000_000, windowMs: 1000 }],
  });
  const env = { DATABASE_URL: viaProxy.toString(), CONNECTOR_CONFIG: writeConfig(configYaml()), LOG_LEVEL: 'error' };
  const replicas: Replica[] = [];
  const scanner = { timer: undefined as NodeJS.Timeout | undefined };
  try {
    replicas.push(await startReplica('r0', env));
    replicas.push(
      ...(await Promise.all(Array.from({ length: replicaCount - 1 }, (_, i) => startReplica(`r${i + 1}`, env)))),
    );
    const direct = new URL(SERVER);
    direct.searchParams.set('options', `-c search_path=${schema}`);
    const db = await openDatabase({ url: direct.toString(), migrations: connectorMigrations });
    const keyStore = new ApiKeyStore(agentApiDb(db.db), systemClock);
    const keys: string[] = [];
    for (let i = 0; i < AGENTS; i++)
      keys.push((await keyStore.create({ contactCenter: 'default', agentId: `agent-${i}`, label: 'bench' })).key);
    await db.close();
    for (let i = 0; i < EXPERTS; i++) {
      const kw = { id: `kw-${i}`, name: `Expert ${i}` };
      await postActivity(
        replicas[i % replicaCount]?.base ?? '',
        teamsActivity('installation-update-add', emulator.serviceUrl, kw),
      );
    }

    // Previews and relayed messages as they arrive at the emulator.
    const previews = new Arrivals<{ expert: string; invitationId: string }>();
    const relayed = new Arrivals<true>();
    let scanned = 0;
    scanner.timer = setInterval(() => {
      for (; scanned < emulator.requests.length; scanned++) {
        const r = emulator.requests[scanned];
        if (r?.method !== 'POST') continue;
        const text = JSON.stringify(r.activity);
        const card = /"verb":"accept","data":\{"interactionId":"([^"]+)","invitationId":"([^"]+)"/.exec(text);
        if (card?.[1] && card[2]) previews.add(card[1], { expert: r.conversationId.slice(2), invitationId: card[2] });
        const message = /first message for (bx-[0-9a-z-]+)/.exec(text);
        if (message?.[1]) relayed.add(message[1], true);
      }
    }, 2);

    let stopAt = Date.now() + warmupMs + measureMs;
    let measuring = false;
    let completed = 0;
    let notRouted = 0;
    let tripsAtStart = 0;
    let statementsAtStart = new Map<string, number>();
    const replicaCpu = () => replicas.reduce((sum, r) => sum + cpuMsOf(r.child.pid), 0);
    let cpuAtStart = { replicas: 0, driver: 0 };
    let postgresAtStart = new Map<number, number>();
    let machineAtStart = { busy: 0, total: 0 };
    let seq = 0;
    const stages = Object.fromEntries(STAGES.map((s) => [s, [] as number[]])) as Record<Stage, number[]>;
    const agentLoop = async (agent: number) => {
      const auth = { authorization: `Bearer ${keys[agent]}`, 'content-type': 'application/json' };
      // Agents sit on different replicas; the expert's Teams traffic lands on the next one.
      const via = replicas[agent % replicaCount] as Replica;
      const other = replicas[(agent + 1) % replicaCount] as Replica;
      const timed = async <T>(stage: Stage, work: () => Promise<T>): Promise<T> => {
        const t0 = performance.now();
        const value = await work();
        if (measuring) stages[stage].push(performance.now() - t0);
        return value;
      };
      const ok = async (what: string, res: Promise<Response>, status: number) => {
        const r = await res;
        if (r.status !== status) throw new Error(`${what} answered ${r.status}: ${await r.text()}`);
        await r.arrayBuffer().catch(() => undefined);
      };
      if (paceMs > 0) await new Promise((r) => setTimeout(r, Math.random() * paceMs));
      while (Date.now() < stopAt) {
        const began = Date.now();
        const id = `bx-${replicaCount}-${seq++}`;
        await timed('start', () =>
          ok(
            'start',
            fetch(`${via.base}/api/v1/interactions`, {
              method: 'POST',
              headers: auth,
              body: JSON.stringify({ id, target: { kind: 'routing-point', id: 'experts' }, text: `Question ${id}` }),
            }),
            201,
          ),
        );
        // A request no expert was found for ends at once (routing failed): counted, and the agent moves on.
        const preview = await timed('toPreview', async () => {
          for (let waited = 0; ; waited += 5_000) {
            const found = await previews.wait(id, 'the preview', 5_000).catch(() => undefined);
            if (found) return found;
            const view = await fetch(`${via.base}/api/v1/interactions/${id}`, { headers: auth });
            if (((await view.json()) as { status?: string }).status === 'ended') return null;
            if (waited >= 60_000) throw new Error(`gave up waiting for the preview of ${id}`);
          }
        });
        if (!preview) {
          if (measuring) notRouted++;
          continue;
        }
        const kw = { id: preview.expert, name: preview.expert };
        const accept = cardAction(emulator.serviceUrl, kw, 'accept', {
          interactionId: id,
          invitationId: preview.invitationId,
        });
        await timed('accept', () => ok('accept', postActivity(other.base, accept), 200));
        await timed('message', () =>
          ok(
            'message',
            fetch(`${via.base}/api/v1/interactions/${id}/messages`, {
              method: 'POST',
              headers: auth,
              body: JSON.stringify({ text: `first message for ${id}` }),
            }),
            200,
          ),
        );
        await timed('toRelay', () => relayed.wait(id, 'the relayed message'));
        if (measuring && Date.now() < stopAt) completed++;
        await timed('end', () =>
          ok(
            'end',
            fetch(`${other.base}/api/v1/interactions/${id}/end`, { method: 'POST', headers: auth, body: '{}' }),
            200,
          ),
        );
        const rest = paceMs - (Date.now() - began);
        if (rest > 0) await new Promise((r) => setTimeout(r, rest));
      }
    };
    setTimeout(() => {
      measuring = true;
      tripsAtStart = proxy.count();
      statementsAtStart = proxy.byStatement();
      cpuAtStart = {
        replicas: replicaCpu(),
        driver: process.cpuUsage().user / 1000 + process.cpuUsage().system / 1000,
      };
      postgresAtStart = postgresCpu();
      machineAtStart = machineCpu();
    }, warmupMs).unref();
    const measured = new Promise<void>((resolve) => setTimeout(resolve, warmupMs + measureMs));
    const loops = Promise.all(Array.from({ length: AGENTS }, (_, i) => agentLoop(i)));
    await measured;
    const trips = proxy.count() - tripsAtStart;
    const driverNow = process.cpuUsage().user / 1000 + process.cpuUsage().system / 1000;
    const cpu = { replicas: replicaCpu() - cpuAtStart.replicas, driver: driverNow - cpuAtStart.driver };
    let postgres = 0;
    for (const [pid, ms] of postgresCpu()) postgres += ms - (postgresAtStart.get(pid) ?? ms);
    const machine = machineCpu();
    const machineBusy = (machine.busy - machineAtStart.busy) / Math.max(1, machine.total - machineAtStart.total);
    const statements = [...proxy.byStatement()]
      .map(([text, n]) => ({
        text,
        perConsultation: completed > 0 ? (n - (statementsAtStart.get(text) ?? 0)) / completed : 0,
      }))
      .sort((a, b) => b.perConsultation - a.perConsultation);
    const done = completed;
    stopAt = 0;
    await loops;
    // What the replicas and PostgreSQL spend with nothing to do, measured right after the load (cost runs only).
    let idle = { replicas: 0, postgres: 0 };
    if (paced && !countTrips) {
      await new Promise((r) => setTimeout(r, 2_000));
      const replicasBefore = replicaCpu();
      const postgresBefore = postgresCpu();
      await new Promise((r) => setTimeout(r, IDLE_MS));
      let postgresIdle = 0;
      for (const [pid, ms] of postgresCpu()) postgresIdle += ms - (postgresBefore.get(pid) ?? ms);
      idle = { replicas: replicaCpu() - replicasBefore, postgres: postgresIdle };
    }
    const perSecond = (ms: number) => round(ms / (IDLE_MS / 1000));
    const idleDuringLoad = (ms: number) => (ms / IDLE_MS) * measureMs;
    return {
      idleCpuMsPerSecond: { replicas: perSecond(idle.replicas), postgresAllUsers: perSecond(idle.postgres) },
      cpuMsPerConsultationAboveIdle: {
        replicas: done > 0 ? round((cpu.replicas - idleDuringLoad(idle.replicas)) / done) : 0,
        postgresAllUsers: done > 0 ? round((postgres - idleDuringLoad(idle.postgres)) / done) : 0,
      },
      perSecond: done / (measureMs / 1000),
      completed: done,
      notRouted,
      tripsPerConsultation: done > 0 ? trips / done : 0,
      cpuMsPerConsultation: {
        replicas: done > 0 ? round(cpu.replicas / done) : 0,
        driverAndEmulators: done > 0 ? round(cpu.driver / done) : 0,
        postgresAllUsers: done > 0 ? round(postgres / done) : 0,
      },
      machineBusyCores: round(machineBusy * cpus().length, 2),
      stages: Object.fromEntries(
        STAGES.map((s) => [s, { p50: round(quantile(stages[s], 0.5)), p90: round(quantile(stages[s], 0.9)) }]),
      ),
      topStatements: statements
        .slice(0, Number(process.env.SCALE_OUT_TOP ?? 12))
        .map((s) => ({ ...s, perConsultation: round(s.perConsultation, 2) })),
    };
  } finally {
    if (scanner.timer) clearInterval(scanner.timer);
    await Promise.all(replicas.map((r) => r.kill()));
    proxy.close();
    await emulator.close();
    await admin.query(`drop schema if exists ${schema} cascade`);
    await admin.end();
  }
}

export async function run(): Promise<Record<string, BenchFigure>> {
  const out: Record<string, BenchFigure> = {};
  for (const n of REPLICAS) {
    const load = { before: loadavg()[0] ?? 0, after: 0 };
    const cost = await measure(n, 'cost');
    const rate = process.env.SCALE_OUT_COST_ONLY ? cost : await measure(n, 'throughput');
    load.after = loadavg()[0] ?? 0;
    const trips = process.env.SCALE_OUT_COST_ONLY ? cost : await measure(n, 'trips');
    out[`scale-out-${n}-replica${n > 1 ? 's' : ''}`] = {
      value: round(rate.perSecond),
      unit: 'consultations/s',
      replicas: n,
      concurrentAgents: AGENTS,
      measuredSeconds: MEASURE_MS / 1000,
      completed: rate.completed,
      requestsNotRouted: rate.notRouted + cost.notRouted,
      offeredPerSecond: RATE,
      completedAtOfferedRate: cost.completed,
      stagesMs: cost.stages,
      cpuMsPerConsultation: cost.cpuMsPerConsultation,
      idleCpuMsPerSecond: cost.idleCpuMsPerSecond,
      cpuMsPerConsultationAboveIdle: cost.cpuMsPerConsultationAboveIdle,
      machineBusyCores: cost.machineBusyCores,
      saturated: {
        stagesMs: rate.stages,
        cpuMsPerConsultation: rate.cpuMsPerConsultation,
        machineBusyCores: rate.machineBusyCores,
      },
      dbRoundTripsPerConsultation: round(trips.tripsPerConsultation),
      topStatementsPerConsultation: trips.topStatements,
      roundTripsCountedOver: `${trips.completed} consultations in a separate ${RUNS.trips.measureMs / 1000} s run at ${RATE}/s through the counting proxy`,
      cores: cpus().length,
      loadAverage1m: { before: round(load.before, 2), after: round(load.after, 2) },
    };
  }
  return out;
}
