/**
 * `npm run bench -- routing-wait`: time from a member becoming Ready to the offer of a waiting request. The real
 * connector (SQLite, started: outbox worker, time-out scheduler, waiting router) with a routing point that waits
 * (`waitMs`) and its one expert, Ready with a limit of one session, busy in a session while 100 IMs wait there. Each
 * sample ends her session (the commit that makes her Ready for routing) and stops when the next waiting IM's preview
 * reaches her channel; she accepts it (busy again) and one more IM joins the queue, so 100 always wait.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createApp } from '../src/app.js';
import { loadConfigFiles } from '../src/config/config-files.js';
import { readConfig } from '../src/config/read-config.js';
import type { SendPreview } from '../src/domain/interaction/effects.js';
import { createLogger } from '../src/logger.js';
import type { ParticipantChannel, PersonEffect } from '../src/ports/participant-channel.js';

/** The benchmark's name. */
export const name = 'routing-wait';

const WAITING = 100;
const SAMPLES = 300;

const configYaml = `
directory:
  knowledgeWorkers:
    - { id: kw-ann, name: Ann Billing, staticState: Ready }
  agents:
    - { id: agent-kate, name: Kate Lewis }
routing:
  routingPoints:
    - id: patient
      name: Patient Experts
      members: { kind: static, ids: [kw-ann] }
      strategy: { kind: round-robin }
      waitMs: 3600000
      previewTimeoutMs: 600000
queues: []
`;

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

/** The experts' channel: resolves a waiter when a preview arrives. */
class PreviewChannel implements ParticipantChannel {
  readonly previews: SendPreview[] = [];
  private waiter: ((p: SendPreview) => void) | null = null;

  async send(_id: string, effect: PersonEffect): Promise<void> {
    if (effect.type !== 'SendPreview') return;
    this.previews.push(effect);
    this.waiter?.(effect);
  }

  /** The next preview sent. */
  next(): Promise<SendPreview> {
    return new Promise((resolve) => {
      this.waiter = (p) => {
        this.waiter = null;
        resolve(p);
      };
    });
  }
}

/** Runs the benchmark. */
export async function run(): Promise<Record<string, { value: number; unit: string; [k: string]: unknown }>> {
  const dir = mkdtempSync(path.join(tmpdir(), 'ucc-bench-'));
  const result = readConfig(
    { DATABASE_URL: path.join(dir, 'connector.db'), LOG_LEVEL: 'silent' },
    { path: 'bench.yaml', text: configYaml },
  );
  const loaded = result.ok ? loadConfigFiles(result.config) : result;
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems.slice(0, 3)));
  const experts = new PreviewChannel();
  const app = await createApp(loaded.config, {
    logger: createLogger('silent'),
    channels: { 'knowledge-worker': experts },
  });
  app.start();
  const kate = { id: 'agent-kate', name: 'Kate Lewis', kind: 'agent' as const };
  let n = 0;
  const startIm = async () => {
    const id = `im-${++n}`;
    const done = await app.commands.execute({
      type: 'StartIm',
      interactionId: id,
      initiator: kate,
      target: { kind: 'routing-point', id: 'patient', name: 'Patient Experts' },
      text: 'A question',
    });
    if (!done.ok) throw new Error(done.refusal.message);
    return id;
  };
  const accept = async (p: SendPreview) => {
    const done = await app.commands.execute({
      type: 'Accept',
      interactionId: p.interactionId,
      invitationId: p.invitationId,
      by: 'kw-ann',
    });
    if (!done.ok) throw new Error(done.refusal.message);
  };

  try {
    // Ann takes the first IM and stays in it; the next ones wait.
    const first = experts.next();
    let current = await startIm();
    await accept(await first);
    for (let i = 0; i < WAITING; i++) await startIm();
    await app.outbox.drain();

    const samples: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const offered = experts.next();
      const t0 = performance.now();
      const ended = await app.commands.execute({ type: 'End', interactionId: current, by: 'agent-kate' });
      if (!ended.ok) throw new Error(ended.refusal.message);
      const preview = await offered;
      samples.push(performance.now() - t0);
      await accept(preview);
      current = preview.interactionId;
      await startIm();
    }
    samples.sort((a, b) => a - b);
    const round = (v: number) => Math.round(v * 100) / 100;
    return {
      'routing-wait.ready-to-offer.p50': {
        value: round(quantile(samples, 0.5)),
        unit: 'ms',
        p90: round(quantile(samples, 0.9)),
        p99: round(quantile(samples, 0.99)),
        max: round(samples.at(-1) ?? Number.NaN),
        samples: samples.length,
        waiting: WAITING,
      },
      'routing-wait.ready-to-offer.p99': { value: round(quantile(samples, 0.99)), unit: 'ms' },
    };
  } finally {
    await app.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
