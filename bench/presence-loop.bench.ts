/**
 * presence-loop: 1,000 sessions start and end through the real connector (createApp, the agent API over HTTP) with
 * presence writes on, against the Graph emulator polled every 200 ms, so every expert's Busy/InACall written by the
 * connector is read back by polls while the session lasts. 50 experts, 20 waves of 50 sessions (one each, all
 * connected at once, held until every expert shows Busy in Graph and two more polls have read it back, then ended).
 *
 * Figures: experts whose agent state or Teams presence is wrong once everything settled (target 0 and 0), writes
 * beyond one set and one clear per session (a write caused by reading our own write would show here; target 0), and
 * agent states published as NotReady(InACall), i.e. our own write mistaken for the expert's call (target 0).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ConnectorApp, createApp } from '../src/app.js';
import { loadConfigFiles } from '../src/config/config-files.js';
import { readConfig } from '../src/config/read-config.js';
import { startLocalPresence } from '../src/dev/local-presence.js';
import { createLogger } from '../src/logger.js';
import { RecordingChannel } from '../src/ports/participant-channel.js';

export const name = 'presence-loop';

const EXPERTS = 50;
const WAVES = 20;

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`presence-loop: gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function run() {
  let handler: ConnectorApp['http'] | undefined;
  const server = createServer((req, res) => handler?.(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const local = await startLocalPresence({ fastIntervalMs: 200, write: true });
  const emu = local.emulator;
  const experts = Array.from({ length: EXPERTS }, () => randomUUID());
  emu.seedUsers(experts, 'Available', 'Available');
  const yaml = `
directory:
  knowledgeWorkers:
${experts.map((id, n) => `    - { id: "${id}", name: Expert ${n} }`).join('\n')}
  agents:
    - { id: agent-kate, name: Kate Lewis }
routing:
  routingPoints:
    - id: experts
      name: Experts
      members: { kind: static, ids: [${experts.map((id) => `"${id}"`).join(', ')}] }
      strategy: { kind: round-robin }
      previewTimeoutMs: 600000
agentApi:
  rateLimit: { requestsPerMinute: 1000000, burst: 100000 }
${local.yaml}`;
  const dir = mkdtempSync(join(tmpdir(), 'bench-loop-'));
  const read = readConfig(
    { DATABASE_URL: join(dir, 'connector.db'), ...local.env },
    { path: 'bench.yaml', text: yaml },
  );
  const loaded = read.ok ? loadConfigFiles(read.config) : read;
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  const app = await createApp(loaded.config, {
    logger: createLogger('warn'),
    channels: { 'knowledge-worker': new RecordingChannel() },
  });
  handler = app.http;
  const key = (await app.agentSide.keys.create({ contactCenter: 'default', agentId: 'agent-kate', label: 'bench' }))
    .key;
  let ownCallsMistaken = 0;
  let published = 0;
  app.presence?.onStateChange(async (changes) => {
    for (const { state } of changes) {
      published++;
      if (state.kind === 'NotReady' && state.reason === 'InACall') ownCallsMistaken++;
    }
  });
  app.start();
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${base}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    if (res.status >= 300) throw new Error(`${method} ${path} answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as Record<string, unknown>;
  };
  const states = async () => {
    const body = (await api('GET', '/directory?kind=knowledge-worker')) as {
      entries: { id: string; state: { kind: string } }[];
    };
    return new Map(body.entries.map((e) => [e.id, e.state.kind]));
  };
  const shown = (id: string) => `${emu.presenceOf(id)?.availability}/${emu.presenceOf(id)?.activity}`;
  const polls = () => emu.log.filter((c) => c.path === '/communications/getPresencesByUserId').length;
  await until('every expert Ready', async () => [...(await states()).values()].every((s) => s === 'Ready'));

  const started = performance.now();
  let sessions = 0;
  for (let wave = 0; wave < WAVES; wave++) {
    const ids: string[] = [];
    for (let i = 0; i < EXPERTS; i++) {
      const created = await api('POST', '/interactions', {
        target: { kind: 'routing-point', id: 'experts' },
        text: `Session ${wave}.${i}`,
      });
      const id = created.id as string;
      let invitation: { id: string; target: { id: string } } | undefined;
      await until('an invitation', async () => {
        invitation = (await app.store.get(id))?.invitations.find((x) => x.state === 'pending');
        return invitation !== undefined;
      });
      if (!invitation) throw new Error('no invitation');
      const accepted = await app.commands.execute({
        type: 'Accept',
        interactionId: id,
        invitationId: invitation.id,
        by: invitation.target.id,
      });
      if (!accepted.ok) throw new Error(accepted.refusal.message);
      ids.push(id);
      sessions++;
    }
    await until('every expert Busy in Graph', () => experts.every((e) => shown(e) === 'Busy/InACall'));
    const seen = polls();
    await until('two polls reading our Busy back', () => polls() >= seen + 2);
    for (const id of ids) await api('POST', `/interactions/${id}/end`);
    await until('every expert cleared in Graph', () => experts.every((e) => shown(e) === 'Available/Available'));
    await until('every expert Ready', async () => [...(await states()).values()].every((s) => s === 'Ready'));
  }
  const elapsed = (performance.now() - started) / 1000;
  // Let polls read the settled state a few more times before judging it.
  const settledFrom = polls();
  await until('more polls', () => polls() >= settledFrom + 3);
  const finalStates = await states();
  const wrongStates = experts.filter((e) => finalStates.get(e) !== 'Ready').length;
  const wrongPresence = experts.filter(
    (e) => shown(e) !== 'Available/Available' || emu.sessions.appSessions(e).size > 0,
  ).length;
  const stats = app.presenceWrites?.writer.stats;
  const writes = (stats?.sets ?? 0) + (stats?.clears ?? 0);
  await app.stop();
  server.close();
  await local.close();
  return {
    'presence-loop': {
      value: wrongStates + wrongPresence,
      unit: 'experts left wrong (agent state or Teams presence)',
      sessions,
      experts: EXPERTS,
      wrongAgentStates: wrongStates,
      wrongTeamsPresence: wrongPresence,
      writes,
      writesBeyondOneSetAndClearPerSession: writes - 2 * sessions,
      ownWriteReadAsNotReadyInACall: ownCallsMistaken,
      agentStatesPublished: published,
      failedWrites: stats?.failures ?? 0,
      http429: emu.counters.throttled,
      runSeconds: Math.round(elapsed * 10) / 10,
      target: '0 wrong, 0 writes beyond one set and one clear per session, 0 own writes read as NotReady(InACall)',
    },
  };
}
