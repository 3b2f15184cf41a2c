/**
 * `npm start`: reads `.env` beneath the environment, then runs local mode (no credentials: the emulators, the
 * Agents Playground and the console; see src/dev/local-mode/) or the configured connector: reads the
 * configuration and the files it names (src/config/load-config.ts), builds the connector, listens (with the
 * configured limits on slow clients), and shuts down
 * gracefully on Ctrl-C or SIGTERM. Invalid configuration stops startup with one line per problem naming the key
 * and the fix.
 */
import type { Server } from 'node:http';
import { createHttpServer } from './adapters/http/http-server.js';
import { createApp } from './app.js';
import { loadConfig } from './config/load-config.js';
import { formatProblem } from './config/read-config.js';
import { decideRunMode, loadDotEnv } from './config/run-mode.js';

async function main(): Promise<void> {
  const dotEnv = loadDotEnv(process.env, process.cwd());
  const decided = decideRunMode(dotEnv.env);
  if (!decided.ok) {
    console.error(`The connector cannot start: its configuration has ${decided.problems.length} problem(s).`);
    for (const p of decided.problems) console.error(`  - ${formatProblem(p, 'environment')}`);
    process.exit(1);
  }
  if (decided.mode.kind === 'local') {
    // Loaded on demand: the configured connector never loads the emulators.
    const { runLocalMode } = await import('./dev/local-mode/run-local-mode.js');
    const code = await runLocalMode({
      env: dotEnv.env,
      mode: decided.mode,
      cwd: process.cwd(),
      dotEnv: dotEnv.path !== null,
      out: (line) => process.stdout.write(`${line}\n`),
      err: (line) => process.stderr.write(`${line}\n`),
    });
    process.exit(code);
  }
  await runConfigured(dotEnv.env, dotEnv.path);
}

/** The configured connector: the file and the environment, listening until Ctrl-C or SIGTERM. */
async function runConfigured(env: NodeJS.ProcessEnv, dotEnvPath: string | null): Promise<void> {
  const result = loadConfig({ env });
  if (!result.ok) {
    if (result.cause === 'invalid')
      console.error(`The connector cannot start: its configuration has ${result.lines.length} problem(s).`);
    for (const line of result.lines) console.error(result.cause === 'invalid' ? `  - ${line}` : line);
    process.exit(1);
  }
  const { config } = result;
  const app = await createApp(config);
  const { logger } = app;
  if (!result.file) logger.warn({ path: config.configPath }, 'no configuration file: starting with an empty directory');
  if (dotEnvPath) logger.info({ path: dotEnvPath }, 'read .env beneath the environment');
  app.start();
  const server: Server = createHttpServer(app.http, config.server.timeouts);
  server.listen(config.server.port, config.server.host, () => {
    logger.info(
      {
        port: config.server.port,
        database: app.database.location,
        knowledgeWorkers: config.directory.knowledgeWorkers.length,
      },
      `Teams UC Connector listening on http://localhost:${config.server.port}`,
    );
  });

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    server.close();
    server.closeAllConnections();
    app.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error('The connector failed to start:', error instanceof Error ? error.message : error);
  if (error instanceof Error && error.cause)
    console.error('  cause:', error.cause instanceof Error ? error.cause.message : error.cause);
  process.exit(1);
});
