#!/usr/bin/env node
/**
 * The `uc-connector` executable: registers tsx so the TypeScript sources run as they are, then hands the
 * arguments, environment (with `.env` beneath it, as `npm start` reads it) and streams to `runCli`. The only place
 * the CLI touches `process`.
 */
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../src/cli/main.ts');
const { loadDotEnv } = await import('../src/config/run-mode.ts');
process.exitCode = await runCli(process.argv.slice(2), {
  env: loadDotEnv(process.env, process.cwd()).env,
  cwd: process.cwd(),
  stdout: process.stdout,
  stderr: process.stderr,
});
