/**
 * `npm run playground`: starts the Microsoft 365 Agents Playground (headless) in front of a connector running on
 * this machine without credentials (`LOCAL_MODE=0 npm start` with no MICROSOFT_APP_ID; plain `npm start` starts its
 * own Playground), signed in as the user of `config/agents-playground.yml`. Open the printed address in a browser; Ctrl-C stops the Playground.
 * Its own settings: PLAYGROUND_PORT (default 56150) and PLAYGROUND_CONFIG; the connector's port is PORT, as for
 * `npm start` (`.env` read beneath the environment, as there).
 */
import { z } from 'zod';
import { readConfig } from '../../config/read-config.js';
import { loadDotEnv } from '../../config/run-mode.js';
import { startAgentsPlayground } from './agents-playground.js';

const playgroundEnv = z.object({
  PLAYGROUND_PORT: z.coerce.number().int().min(1).max(65_535).default(56150),
  PLAYGROUND_CONFIG: z.string().min(1).default('config/agents-playground.yml'),
});

async function main(): Promise<number> {
  const { env } = loadDotEnv(process.env, process.cwd());
  const own = playgroundEnv.safeParse(env);
  const connector = readConfig(env, null);
  if (!own.success || !connector.ok) {
    console.error('Fix: PLAYGROUND_PORT and PORT must be TCP ports (1-65535).');
    return 1;
  }
  const botEndpoint = `http://127.0.0.1:${connector.config.server.port}/api/messages`;
  const playground = await startAgentsPlayground({
    botEndpoint,
    port: own.data.PLAYGROUND_PORT,
    configPath: own.data.PLAYGROUND_CONFIG,
    logFile: 'data/agents-playground.log',
  });
  process.stdout.write(
    `Agents Playground: open ${playground.url} (bot endpoint ${botEndpoint}, mock connector ${playground.serviceUrl}, ` +
      'log data/agents-playground.log). Ctrl-C stops it.\n',
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
    playground.process.once('exit', resolve);
  });
  await playground.close();
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
