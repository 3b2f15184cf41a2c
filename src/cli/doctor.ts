/**
 * `uc-connector doctor`: the admin's self-test. Reads the configuration exactly as the connector does, then checks,
 * in order: the configuration; the database (reachable, migrated); the bot's credentials; the Graph app token; each
 * Graph permission by a real call; the subscriber accounts and their coverage; the notification endpoint's
 * validation handshake; which knowledge workers the bot cannot reach, and why; and each Entra group's last sync.
 * Prints a checklist with the fix for each failed line and exits 1 when anything failed (0 otherwise; 2 on a wrong
 * command line).
 */
import { parseArgs } from 'node:util';
import { DelegatedTokens } from '../adapters/graph/delegated-tokens.js';
import { SqlTokenCacheStore } from '../adapters/store/sql-presence-stores.js';
import { type CliIo, exitCodes } from './cli-io.js';
import type { CheckResult } from './doctor/check-result.js';
import { failed, passed } from './doctor/check-result.js';
import { checkDatabase } from './doctor/database-checks.js';
import { checkGraphPermissions } from './doctor/graph-permission-checks.js';
import { checkNotificationEndpoint } from './doctor/notification-check.js';
import { checkPresenceWrite } from './doctor/presence-write-checks.js';
import { formatCheck, formatSummary, tally } from './doctor/print-checklist.js';
import { checkGroupSync, checkTeamsReach } from './doctor/reach-checks.js';
import { checkSubscribers } from './doctor/subscriber-checks.js';
import { checkSubscriptionHealth } from './doctor/subscription-health-checks.js';
import { checkBotToken, checkGraphToken } from './doctor/token-checks.js';
import { loadCliConfig } from './read-cli-config.js';

/** Where the bot's tokens come from unless `--bot-login-url` says otherwise. */
export const defaultBotLoginUrl = 'https://login.microsoftonline.com';

const help = `Usage: uc-connector doctor [options]

Checks the installation the way the connector will use it and prints a checklist; each failed line says how to
fix it. Reads the same environment and configuration file as the connector. Changes nothing. Exit code 0 when
nothing failed, 1 otherwise.

Checks: configuration; database reachable and migrated; bot credentials obtain a token; Graph app token; Graph
permissions (Presence.Read.All, User.Read.All, TeamsAppInstallation.ReadWriteSelfForUser.All, and
GroupMember.Read.All when Entra groups feed routing points); subscriber accounts signed in and covering every
knowledge worker (650 each); the notification endpoint's validation handshake; knowledge workers the bot cannot
reach in Teams, and why; the last sync of each Entra group feeding a routing point.

Options:
  --config <file>          the configuration file (default: CONNECTOR_CONFIG, else config/connector.yaml)
  --bot-login-url <url>    identity platform for the bot's token (default: ${defaultBotLoginUrl})
  -h, --help               show this help
`;

/** Runs every check in order; checks whose prerequisite failed are reported as skipped. */
export async function runChecks(
  io: CliIo,
  options: { configPath?: string | undefined; botLoginUrl: string },
  report: (result: CheckResult) => void,
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const add = (r: CheckResult) => {
    results.push(r);
    report(r);
  };
  const read = loadCliConfig(io, options.configPath);
  if (!read.ok) {
    add(
      failed(
        'configuration',
        `${read.problems.length} problem(s):\n${read.problems.map((p) => `        - ${p}`).join('\n')}`,
        'correct each setting named above; the other checks need a valid configuration',
      ),
    );
    return results;
  }
  const { config } = read;
  const kws = config.directory.knowledgeWorkers;
  add(
    passed(
      'configuration',
      `${read.file ?? 'no configuration file (defaults)'}: ${kws.length} knowledge worker(s), ${config.routing.routingPoints.length} routing point(s); Teams bot ${config.teams ? 'on' : 'off'}; presence ${config.presence ? (config.presence.subscriptions ? 'polled and subscribed' : 'polled') : 'off (static states)'}`,
    ),
  );
  const db = await checkDatabase(config.database.url);
  add(db.result);
  const database = db.result.status === 'ok' ? db.database : null;
  try {
    add(await checkBotToken(config.teams, { loginBaseUrl: options.botLoginUrl }));
    const graph = await checkGraphToken(config.presence);
    add(graph.result);
    for (const r of await checkGraphPermissions(config.presence, graph.tokens, config)) add(r);
    for (const r of await checkPresenceWrite(config.presence, graph.tokens, config.directory, database)) add(r);
    const s = config.presence?.subscriptions;
    const presence = config.presence;
    const delegated =
      presence && s && database
        ? new DelegatedTokens(
            {
              tenantId: presence.tenantId,
              clientId: presence.clientId,
              authorityBaseUrl: presence.authorityBaseUrl,
              cacheKeyBase64: s.tokenCacheKey,
            },
            new SqlTokenCacheStore(database),
          )
        : null;
    const tokensFor = delegated ? (account: string) => delegated.tokenSource(account) : null;
    for (const r of await checkSubscribers(config.presence, kws.length, tokensFor)) add(r);
    for (const r of await checkNotificationEndpoint(config.presence)) add(r);
    for (const r of await checkSubscriptionHealth(database, config.presence)) add(r);
    add(await checkTeamsReach(database, config.teams, config.directory));
    for (const r of await checkGroupSync(database, config.routing)) add(r);
  } finally {
    await db.database?.close();
  }
  return results;
}

/** Runs the `doctor` subcommand. */
export async function runDoctorCommand(args: readonly string[], io: CliIo): Promise<number> {
  let values: { config?: string | undefined; 'bot-login-url'?: string | undefined; help?: boolean | undefined };
  try {
    ({ values } = parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: false,
      options: {
        config: { type: 'string' },
        'bot-login-url': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    io.stderr.write(`uc-connector doctor: ${error instanceof Error ? error.message : 'bad arguments'}\n\n${help}`);
    return exitCodes.usage;
  }
  if (values.help) {
    io.stdout.write(help);
    return exitCodes.ok;
  }
  const botLoginUrl = values['bot-login-url'] ?? defaultBotLoginUrl;
  if (!URL.canParse(botLoginUrl)) {
    io.stderr.write(`uc-connector doctor: --bot-login-url must be a URL such as ${defaultBotLoginUrl}\n`);
    return exitCodes.usage;
  }
  const tty = io.stdout.isTTY === true;
  io.stdout.write('uc-connector doctor: checking this installation\n');
  const results = await runChecks(
    io,
    { configPath: values.config, botLoginUrl: botLoginUrl.replace(/\/+$/, '') },
    (r) => io.stdout.write(formatCheck(r, tty)),
  );
  io.stdout.write(formatSummary(results));
  return tally(results).fail > 0 ? exitCodes.failed : exitCodes.ok;
}
