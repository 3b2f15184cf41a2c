/**
 * `uc-connector <command>`: dispatches to the subcommands in one small table. Each command is loaded on demand so
 * `manifest` never pulls in the server. Add further commands as rows of `commands`.
 */
import { type CliCommand, type CliIo, exitCodes } from './cli-io.js';

/** One row of the command table. */
export interface CommandEntry {
  /** One line for `uc-connector help`. */
  readonly summary: string;
  readonly load: () => Promise<CliCommand>;
}

/** The subcommands, by name. */
export const commands: Readonly<Record<string, CommandEntry>> = {
  manifest: {
    summary: 'build and validate the Teams app package (dist/teams-app.zip)',
    load: async () => (await import('./manifest.js')).runManifestCommand,
  },
  doctor: {
    summary: 'check the installation: credentials, Graph permissions, subscriber accounts, endpoint, database',
    load: async () => (await import('./doctor.js')).runDoctorCommand,
  },
  presence: {
    summary: 'presence sign-in <upn>...: sign subscriber accounts in for presence notifications',
    load: async () => (await import('./presence-sign-in.js')).runPresenceCommand,
  },
};

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((name) => name.length));
  const rows = Object.entries(commands).map(([name, entry]) => `  ${name.padEnd(width)}  ${entry.summary}`);
  return `Usage: uc-connector <command> [options]\n\nCommands:\n${rows.join('\n')}\n\nRun uc-connector <command> --help for a command's options.\n`;
}

/** Runs `uc-connector` with the arguments after the program name; returns the exit code. */
export async function runCli(args: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    io.stdout.write(usage());
    return name === undefined ? exitCodes.usage : exitCodes.ok;
  }
  const entry = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (entry === undefined) {
    io.stderr.write(`uc-connector: unknown command "${name}".\n\n${usage()}`);
    return exitCodes.usage;
  }
  const command = await entry.load();
  return command(rest, io);
}
