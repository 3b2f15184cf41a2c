#!/usr/bin/env node
/**
 * The `uc-connector` executable: registers tsx so the TypeScript sources run as they are, then hands the
 * arguments, environment and streams to `runCli`. The only place the CLI touches `process`.
 */
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../src/cli/main.ts');
process.exitCode = await runCli(process.argv.slice(2), {
  env: process.env,
  cwd: process.cwd(),
  stdout: process.stdout,
  stderr: process.stderr,
});
