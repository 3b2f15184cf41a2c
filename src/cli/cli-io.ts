/**
 * What a CLI command gets from its process: arguments, environment, working directory and output streams.
 * Passed in by `bin/uc-connector.js` so commands stay testable and never reach for `process` themselves.
 */

/** A stream the command writes text to. */
export interface CliOutput {
  write(text: string): unknown;
  /** True when the stream is a terminal (symbols and colours are then fine); plain text otherwise. */
  readonly isTTY?: boolean | undefined;
}

/** The process surroundings of one command run. */
export interface CliIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Directory relative paths are resolved against. */
  readonly cwd: string;
  readonly stdout: CliOutput;
  readonly stderr: CliOutput;
}

/** A subcommand: runs with its own arguments and returns the process exit code. */
export type CliCommand = (args: readonly string[], io: CliIo) => Promise<number>;

/** Exit codes shared by the subcommands. */
export const exitCodes = {
  ok: 0,
  /** The command ran and found something wrong (e.g. an invalid package). */
  failed: 1,
  /** The command line itself is wrong (unknown subcommand or flag). */
  usage: 2,
} as const;
