/**
 * `uc-connector manifest` (`npm run manifest`): builds `dist/teams-app.zip` from `manifest/` and the inputs given
 * as flags or environment variables (flags win), validates it offline, and refuses to write an invalid package,
 * naming every problem with its fix. Exit code 0 when written, 1 when refused, 2 on a wrong command line.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type CliIo, exitCodes } from './cli-io.js';
import { writeTeamsAppPackage } from './manifest/build-package.js';
import type { ManifestOptionsInput } from './manifest/manifest-options.js';
import type { PackageProblem } from './manifest/package-problem.js';
import { manifestEnvNames, readManifestEnv } from './read-manifest-env.js';

/** The repository's `manifest/` directory, the default source of the template and icons. */
export const defaultManifestDir = fileURLToPath(new URL('../../manifest/', import.meta.url));

/** The default output, relative to the working directory. */
export const defaultOutFile = path.join('dist', 'teams-app.zip');

/** Flags, each filling one package input. */
const inputFlags = {
  'bot-id': 'botId',
  'app-id': 'teamsAppId',
  'graph-app-id': 'graphAppId',
  'public-url': 'publicBaseUrl',
  name: 'name',
  'full-name': 'fullName',
  'app-version': 'version',
  'developer-name': 'developerName',
  'accent-color': 'accentColor',
} as const satisfies Record<string, keyof ManifestOptionsInput>;

const help = `Usage: uc-connector manifest [options]

Builds the Teams app package (manifest.json, color.png, outline.png) and validates it offline.

Options (flags override the environment):
  --bot-id <guid>          bot's Microsoft App ID              (MICROSOFT_APP_ID, required)
  --app-id <guid>          Teams app id                        (TEAMS_APP_ID, default: the bot id)
  --graph-app-id <guid>    app registration for Graph          (default: the bot id)
  --public-url <https url> connector's public base URL         (PUBLIC_BASE_URL, required)
  --name <text>            short name, at most 30 characters   (TEAMS_APP_NAME, default: UC Connector)
  --full-name <text>       full name, at most 100 characters   (default: the short name)
  --app-version <x.y.z>    package version, raise it per upload (TEAMS_APP_VERSION, default: 1.0.0)
  --developer-name <text>  publisher name                      (default: Teams UC Connector)
  --accent-color <#rrggbb> background color of the icon        (default: #1F6FB2)
  --manifest-dir <dir>     template and icons                  (default: the repository's manifest/)
  --out <file>             where to write the zip              (default: dist/teams-app.zip)
  -h, --help               show this help
`;

/** How each input is named to the admin: flag and environment variable. */
function label(where: string): string {
  const flag = Object.entries(inputFlags).find(([, key]) => key === where)?.[0];
  if (flag === undefined) return where;
  const env = (manifestEnvNames as Record<string, string>)[where];
  return env === undefined ? `--${flag}` : `--${flag} / ${env}`;
}

function describe(problem: PackageProblem): string {
  const subject = problem.cause === 'options' ? label(problem.where) : problem.where;
  return `  ✗ [${problem.cause}] ${subject} ${problem.message}\n      fix: ${problem.fix}\n`;
}

/** Runs the `manifest` subcommand. */
export async function runManifestCommand(args: readonly string[], io: CliIo): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    const stringFlags = Object.fromEntries(Object.keys(inputFlags).map((f) => [f, { type: 'string' as const }]));
    ({ values } = parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: false,
      options: {
        ...stringFlags,
        'manifest-dir': { type: 'string' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    const reason = error instanceof Error ? error.message : 'unreadable arguments';
    io.stderr.write(`uc-connector manifest: ${reason}\n\n${help}`);
    return exitCodes.usage;
  }
  if (values.help === true) {
    io.stdout.write(help);
    return exitCodes.ok;
  }

  const input: Partial<Record<keyof ManifestOptionsInput, string>> = { ...readManifestEnv(io.env) };
  for (const [flag, key] of Object.entries(inputFlags)) {
    const value = values[flag];
    if (typeof value === 'string') input[key] = value;
  }
  const manifestDir = path.resolve(
    io.cwd,
    typeof values['manifest-dir'] === 'string' ? values['manifest-dir'] : defaultManifestDir,
  );
  const outFile = path.resolve(io.cwd, typeof values.out === 'string' ? values.out : defaultOutFile);
  const relative = path.relative(io.cwd, outFile);
  const shownOut = relative === '' || relative.startsWith('..') ? outFile : relative;

  io.stdout.write(`Building the Teams app package from ${manifestDir}\n`);
  const result = await writeTeamsAppPackage(input, { manifestDir, outFile });
  if (!result.ok) {
    const count = result.problems.length;
    io.stderr.write(`The Teams app package was not written: ${count} problem${count === 1 ? '' : 's'}.\n`);
    for (const problem of result.problems) io.stderr.write(describe(problem));
    return exitCodes.failed;
  }
  const m = result.manifest as { manifestVersion?: string; id?: string; version?: string; validDomains?: string[] };
  const name = (result.manifest.name as { short?: string } | undefined)?.short ?? '';
  io.stdout.write(
    `  ✓ inputs: Teams app ${m.id}, "${name}" ${m.version}, domain ${m.validDomains?.join(', ') ?? ''}\n` +
      `  ✓ manifest.json accepted by the official Teams schema v${m.manifestVersion} (bundled, checked offline)\n` +
      '  ✓ icons: color 192×192; outline 32×32, transparent, white lines\n' +
      `Wrote ${shownOut} (${result.zip.byteLength} bytes): ${result.entries.join(', ')}\n` +
      'Next: Teams admin center → Teams apps → Manage apps → Upload new app (see docs/admin.md).\n',
  );
  return exitCodes.ok;
}
