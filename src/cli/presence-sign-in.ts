/**
 * `uc-connector presence sign-in <upn> [...]`: signs subscriber accounts in with Microsoft's device code flow, once,
 * so the connector can hold presence subscriptions on their behalf. Prints Microsoft's message (the address and the
 * code to enter), waits for the sign-in, and stores the account's token cache, encrypted with
 * `PRESENCE_TOKEN_CACHE_KEY`, in the connector's database, where the running connector finds it. Exit code 0 when
 * every account signed in, 1 when one did not, 2 on a wrong command line.
 */
import { parseArgs } from 'node:util';
import { DelegatedTokens } from '../adapters/graph/delegated-tokens.js';
import { GraphAuthError } from '../adapters/graph/graph-errors.js';
import { connectorMigrations } from '../adapters/store/connector-migrations.js';
import { type OpenDatabase, openDatabase } from '../adapters/store/open-database.js';
import { SqlTokenCacheStore } from '../adapters/store/sql-presence-stores.js';
import { type CliIo, exitCodes } from './cli-io.js';
import { readCliConfig } from './read-cli-config.js';

const help = `Usage: uc-connector presence sign-in <upn> [<upn> ...] [--config <file>]

Signs subscriber accounts in (Microsoft's device code flow) so the connector can subscribe to presence changes on
their behalf. Each <upn> must be listed in presence.subscriptions.accounts. For each account, open the address
shown, enter the code, and sign in AS THAT ACCOUNT. Its tokens are stored encrypted (PRESENCE_TOKEN_CACHE_KEY) in
the connector's database (DATABASE_URL); the running connector picks them up at its next subscription check.

Options:
  --config <file>  the configuration file (default: CONNECTOR_CONFIG, else config/connector.yaml)
  -h, --help       show this help
`;

/** Why a device-code sign-in failed, and what to do, from MSAL's error code. */
export function explainSignInFailure(reason: string): string {
  switch (reason) {
    case 'expired_token':
    case 'code_expired':
      return 'the code expired before the sign-in finished. Fix: run the command again and enter the code within 15 minutes.';
    case 'authorization_declined':
      return 'the sign-in was declined. Fix: run the command again and accept the permission request (Presence.Read.All).';
    case 'invalid_client':
    case 'unauthorized_client':
      return 'the app registration does not allow this sign-in. Fix: in Entra ID → App registrations → Authentication, set "Allow public client flows" to Yes, and check presence.clientId.';
    case 'consent_required':
    case 'invalid_grant':
      return 'consent for the delegated Presence.Read.All permission is missing. Fix: grant admin consent for it (docs/admin.md section 2).';
    default:
      return `the identity platform refused the sign-in (${reason}). Fix: check presence.tenantId and presence.clientId, then run the command again.`;
  }
}

/** Runs `uc-connector presence <subcommand>`; only `sign-in` exists. */
export async function runPresenceCommand(args: readonly string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === '--help' || sub === '-h' || sub === 'help') {
    io.stdout.write(help);
    return exitCodes.ok;
  }
  if (sub !== 'sign-in') {
    io.stderr.write(`uc-connector presence: unknown subcommand "${sub ?? ''}".\n\n${help}`);
    return exitCodes.usage;
  }
  let parsed: { values: { config?: string | undefined; help?: boolean | undefined }; positionals: string[] };
  try {
    parsed = parseArgs({
      args: [...rest],
      allowPositionals: true,
      strict: true,
      options: { config: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (error) {
    io.stderr.write(
      `uc-connector presence sign-in: ${error instanceof Error ? error.message : 'bad arguments'}\n\n${help}`,
    );
    return exitCodes.usage;
  }
  if (parsed.values.help) {
    io.stdout.write(help);
    return exitCodes.ok;
  }
  if (parsed.positionals.length === 0) {
    io.stderr.write(`uc-connector presence sign-in: name at least one subscriber account.\n\n${help}`);
    return exitCodes.usage;
  }
  return signIn(parsed.positionals, parsed.values.config, io);
}

async function signIn(upns: readonly string[], configPath: string | undefined, io: CliIo): Promise<number> {
  const out = (line: string) => io.stdout.write(`${line}\n`);
  const err = (line: string) => io.stderr.write(`${line}\n`);
  const read = readCliConfig(io, configPath);
  if (!read.ok) {
    err(`The configuration has ${read.problems.length} problem(s):`);
    for (const p of read.problems) err(`  - ${p}`);
    return exitCodes.failed;
  }
  const presence = read.config.presence;
  const subscriptions = presence?.subscriptions;
  if (!presence || !subscriptions) {
    err(
      'Subscriber accounts are not configured. Fix: add a presence section with presence.subscriptions.accounts ' +
        'listing the accounts (docs/admin.md section 6), then run this command again.',
    );
    return exitCodes.failed;
  }
  const configured = new Map(subscriptions.accounts.map((a) => [a.toLowerCase(), a]));
  const unknown = upns.filter((u) => !configured.has(u.toLowerCase()));
  if (unknown.length > 0) {
    err(
      `${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not in presence.subscriptions.accounts ` +
        `(${subscriptions.accounts.join(', ')}). Fix: add ${unknown.length === 1 ? 'it' : 'them'} there first; the connector only uses listed accounts.`,
    );
    return exitCodes.failed;
  }

  let database: OpenDatabase;
  try {
    database = await openDatabase({ url: read.config.database.url, migrations: connectorMigrations });
  } catch (error) {
    const cause = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : '';
    err(
      `The database at DATABASE_URL cannot be opened (${cause}). Fix: check DATABASE_URL; it must be the connector's.`,
    );
    return exitCodes.failed;
  }
  const tokens = new DelegatedTokens(
    {
      tenantId: presence.tenantId,
      clientId: presence.clientId,
      authorityBaseUrl: presence.authorityBaseUrl,
      cacheKeyBase64: subscriptions.tokenCacheKey,
    },
    new SqlTokenCacheStore(database),
  );
  let failed = 0;
  try {
    for (const [i, given] of upns.entries()) {
      const upn = configured.get(given.toLowerCase()) ?? given;
      out(`Signing in subscriber account ${upn} (${i + 1} of ${upns.length}) for tenant ${presence.tenantId}.`);
      try {
        const username = await tokens.signIn(upn, (_code, message) => {
          out(`  ${message}`);
          out(`  Sign in as ${upn}. Waiting for the sign-in to finish…`);
        });
        if (username.toLowerCase() !== upn.toLowerCase()) {
          failed++;
          await tokens.forget(upn);
          err(
            `  ✖ ${username} signed in instead of ${upn}; nothing was kept. Fix: run the command again and sign in as ${upn} (a private browser window helps).`,
          );
          continue;
        }
        out(`  ✔ ${upn} signed in; its tokens are stored encrypted in ${database.location}.`);
      } catch (error) {
        failed++;
        const reason = error instanceof GraphAuthError ? error.reason : 'unknown';
        err(`  ✖ ${upn} was not signed in: ${explainSignInFailure(reason)}`);
      }
    }
  } finally {
    await database.close();
  }
  if (failed > 0) {
    err(`${failed} of ${upns.length} account(s) not signed in.`);
    return exitCodes.failed;
  }
  out(
    `Done: ${upns.length} account(s) signed in. The running connector uses them at its next subscription check ` +
      '(presence.subscriptions.maintainEveryMs, a minute by default); `uc-connector doctor` confirms.',
  );
  return exitCodes.ok;
}
