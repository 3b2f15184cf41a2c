/** Builds the real connector for integration tests: a real database, a settable clock, recording channels. */
import { Writable } from 'node:stream';
import { type AppDependencies, type ConnectorApp, createApp } from '../../src/app.js';
import { type LoadedConfig, loadConfigFiles } from '../../src/config/config-files.js';
import { formatProblem, readConfig } from '../../src/config/read-config.js';
import { createLogger } from '../../src/logger.js';
import { RecordingChannel } from '../../src/ports/participant-channel.js';

/** A clock the test moves. */
export class TestClock {
  constructor(public current = Date.UTC(2026, 0, 15, 9, 0, 0)) {}
  now(): number {
    return this.current;
  }
  advance(ms: number): void {
    this.current += ms;
  }
}

/**
 * A configuration read as the connector reads it: the environment and the YAML text (`readConfig`), then the files
 * it names (`loadConfigFiles`). Throws with every problem as startup prints it.
 */
export function loadTestConfig(
  env: Readonly<Record<string, string | undefined>>,
  yaml: string,
  path = 'test.yaml',
): LoadedConfig {
  const read = readConfig(env, { path, text: yaml });
  const loaded = read.ok ? loadConfigFiles(read.config) : read;
  if (!loaded.ok)
    throw new Error(`bad test config:\n${loaded.problems.map((p) => `  - ${formatProblem(p, path)}`).join('\n')}`);
  return loaded.config;
}

/** A configuration from YAML text and a database URL. */
export function testConfig(yaml: string, databaseUrl: string): LoadedConfig {
  return loadTestConfig({ DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent' }, yaml);
}

export interface TestApp {
  readonly app: ConnectorApp;
  readonly experts: RecordingChannel;
  readonly agents: RecordingChannel;
  readonly customers: RecordingChannel;
  /** Log lines written (JSON). */
  readonly logs: string[];
}

export async function startTestApp(
  config: LoadedConfig,
  clock: TestClock,
  deps: AppDependencies = {},
): Promise<TestApp> {
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const experts = new RecordingChannel();
  const agents = new RecordingChannel();
  const customers = new RecordingChannel();
  const app = await createApp(config, {
    clock,
    logger: createLogger('debug', sink),
    channels: { 'knowledge-worker': experts, agent: agents, customer: customers },
    ...deps,
  });
  return { app, experts, agents, customers, logs };
}

export const sampleDirectory = `
directory:
  knowledgeWorkers:
    - { id: kw-ann, name: Ann Billing, staticState: Ready, businessPhones: ["+1 425 555 0101"] }
    - { id: kw-leo, name: Leo Legal, staticState: Ready }
    - { id: kw-eve, name: Eve Engineer, staticState: Busy }
  agents:
    - { id: agent-kate, name: Kate Lewis }
    - { id: agent-jim, name: Jim Miller }
routing:
  routingPoints:
    - id: billing
      name: Billing Experts
      members: { kind: static, ids: [kw-ann, kw-leo, kw-eve] }
      strategy: { kind: round-robin }
      previewTimeoutMs: 30000
      maxOffers: 3
queues:
  - { id: inbound-chat, name: Inbound Chat, members: [agent-kate, agent-jim] }
`;
