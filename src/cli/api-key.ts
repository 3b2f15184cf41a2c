/**
 * `uc-connector api-key create | list | revoke`: API keys from the command line, against the configured database.
 * This is how the first platform key is made (`POST /api/v1/keys` itself needs a platform key). A new key's secret
 * is printed once, to stdout only; it is stored as a hash and never logged.
 */
import { parseArgs } from 'node:util';
import { contactCenterOfAgent } from '../adapters/agent-api/agent-api-options.js';
import { agentApiDb } from '../adapters/store/agent-api-schema.js';
import { type ApiKeyInfo, ApiKeyStore } from '../adapters/store/api-key-store.js';
import { connectorMigrations } from '../adapters/store/connector-migrations.js';
import { type OpenDatabase, openDatabase } from '../adapters/store/open-database.js';
import { PgNotifications } from '../adapters/store/pg-notifications.js';
import type { Config } from '../config/read-config.js';
import { createLogger } from '../logger.js';
import { systemClock } from '../ports/clock.js';
import { tellKeysRevoked } from '../services/replica-signals.js';
import { type CliIo, exitCodes } from './cli-io.js';
import { readCliConfig } from './read-cli-config.js';

const help = `Usage: uc-connector api-key <create | list | revoke> [options]

Manages agent API keys in the connector's database (DATABASE_URL, CONNECTOR_CONFIG: as for npm start).

  create --contact-center <id> [--agent <id>] [--label <text>]
      Creates a key and prints its secret once. Without --agent it is a platform key (administers the contact
      center, posts customer chats); with --agent it acts as that agent (the agent console's sign-in).
  list [--contact-center <id>]
      Lists keys (never their secrets): id, contact center, agent, label, created, status.
  revoke <key id>
      Revokes a key at once: requests with it are refused (401), and the event streams it opened end (on
      PostgreSQL the running connectors are told at once; otherwise at their next event).

Options:
  -h, --help   show this help
`;

/** Contact centers the configuration knows: the default one and those listed in agentApi.contactCenters. */
function contactCentersOf(config: Config): string[] {
  const api = config.agentApi;
  return [...new Set([api.defaultContactCenter, ...api.contactCenters.map((c) => c.id)])];
}

/** Opens (and migrates) the configured database, as the server does, for the key store. */
async function withKeys<T>(config: Config, run: (keys: ApiKeyStore, database: OpenDatabase) => Promise<T>): Promise<T> {
  const database = await openDatabase({ url: config.database.url, migrations: connectorMigrations });
  try {
    return await run(new ApiKeyStore(agentApiDb(database.db), systemClock), database);
  } finally {
    await database.close();
  }
}

/**
 * On PostgreSQL, tells the running connectors that a key was revoked, so they end its event streams at once (they
 * would otherwise end them at their next event). Best effort: the revocation itself is already stored.
 */
async function tellConnectors(config: Config, database: OpenDatabase, keyId: string): Promise<void> {
  if (database.dialect !== 'postgres') return;
  const bus = new PgNotifications({ url: config.database.url, db: database.db, logger: createLogger('silent') });
  try {
    await bus.start();
    await tellKeysRevoked(bus, `cli/${process.pid}`, [keyId]);
  } finally {
    await bus.stop();
  }
}

function row(k: ApiKeyInfo): string[] {
  return [
    k.keyId,
    k.contactCenter,
    k.agentId ?? '(platform)',
    k.label,
    new Date(k.createdAt).toISOString(),
    k.revokedAt === null ? 'active' : `revoked ${new Date(k.revokedAt).toISOString()}`,
  ];
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** Runs the `api-key` subcommand. */
export async function runApiKeyCommand(args: readonly string[], io: CliIo): Promise<number> {
  const usage = (message: string) => {
    io.stderr.write(`uc-connector api-key: ${message}\n\n${help}`);
    return exitCodes.usage;
  };
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: true,
      options: {
        'contact-center': { type: 'string' },
        agent: { type: 'string' },
        label: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    return usage(error instanceof Error ? error.message : 'unreadable arguments');
  }
  const [action, ...rest] = positionals;
  if (values.help === true || action === 'help') {
    io.stdout.write(help);
    return exitCodes.ok;
  }
  if (action !== 'create' && action !== 'list' && action !== 'revoke')
    return usage(action ? `unknown action "${action}".` : 'name an action: create, list or revoke.');

  const loaded = readCliConfig(io);
  if (!loaded.ok) {
    const lines =
      loaded.cause === 'invalid'
        ? [`The configuration has ${loaded.problems.length} problem(s).`, ...loaded.problems.map((p) => `  - ${p}`)]
        : loaded.problems;
    io.stderr.write(`uc-connector api-key: cannot read the configuration.\n${lines.join('\n')}\n`);
    return exitCodes.failed;
  }
  const { config } = loaded;
  const known = contactCentersOf(config);
  const contactCenter = typeof values['contact-center'] === 'string' ? values['contact-center'].trim() : undefined;
  if (contactCenter !== undefined && !known.includes(contactCenter)) {
    io.stderr.write(
      `uc-connector api-key: contact center "${contactCenter}" is not configured (known: ${known.join(', ')}). ` +
        'Fix: use one of these, or add it to agentApi.contactCenters.\n',
    );
    return exitCodes.failed;
  }

  if (action === 'create') {
    if (rest.length > 0) return usage(`create takes no positional arguments (got "${rest.join(' ')}").`);
    if (contactCenter === undefined) return usage('create needs --contact-center <id>.');
    const agentId = typeof values.agent === 'string' ? values.agent.trim() : null;
    if (agentId !== null) {
      const agent = config.directory.agents.find((a) => a.id === agentId);
      const ccOfAgent = contactCenterOfAgent(config.agentApi)(agentId);
      if (!agent || ccOfAgent !== contactCenter) {
        io.stderr.write(
          `uc-connector api-key: "${agentId}" is not an agent of contact center "${contactCenter}". ` +
            'Fix: list the agent in directory.agents (and in agentApi.contactCenters[].agents for a named contact center).\n',
        );
        return exitCodes.failed;
      }
    }
    const label =
      typeof values.label === 'string' && values.label.trim()
        ? values.label.trim().slice(0, 200)
        : agentId
          ? `agent key for ${agentId}`
          : 'platform key';
    const created = await withKeys(config, (keys) => keys.create({ contactCenter, agentId, label }));
    const kind = agentId ? `an agent key for ${agentId}` : 'a platform key';
    io.stdout.write(
      `Created ${kind} in contact center "${contactCenter}" (id ${created.keyId}, label "${label}").\n\n` +
        `  ${created.key}\n\n` +
        'This is the only time the key is shown: store it now (a secret store, not a ticket or chat).\n' +
        `Use it as "Authorization: Bearer <key>". Revoke it with: uc-connector api-key revoke ${created.keyId}\n`,
    );
    return exitCodes.ok;
  }

  if (action === 'list') {
    if (rest.length > 0) return usage(`list takes no positional arguments (got "${rest.join(' ')}").`);
    const centers = contactCenter ? [contactCenter] : known;
    const keys = await withKeys(config, async (store) => {
      const all: ApiKeyInfo[] = [];
      for (const cc of centers) all.push(...(await store.list(cc)));
      return all;
    });
    if (keys.length === 0) {
      io.stdout.write(
        `No API keys in ${centers.map((c) => `"${c}"`).join(', ')}. Create one with: uc-connector api-key create --contact-center <id>\n`,
      );
      return exitCodes.ok;
    }
    io.stdout.write(`${table([['ID', 'CONTACT CENTER', 'AGENT', 'LABEL', 'CREATED', 'STATUS'], ...keys.map(row)])}\n`);
    return exitCodes.ok;
  }

  const [keyId, ...extra] = rest;
  if (!keyId || extra.length > 0) return usage('revoke takes exactly one key id.');
  const outcome = await withKeys(config, async (store, database) => {
    for (const cc of known) {
      const key = (await store.list(cc)).find((k) => k.keyId === keyId);
      if (!key) continue;
      if (key.revokedAt !== null) return 'already' as const;
      if (!(await store.revoke(cc, keyId))) return 'already' as const;
      await tellConnectors(config, database, keyId);
      return 'revoked' as const;
    }
    return 'unknown' as const;
  });
  if (outcome === 'unknown') {
    io.stderr.write(`uc-connector api-key: no key has id "${keyId}". See: uc-connector api-key list\n`);
    return exitCodes.failed;
  }
  io.stdout.write(outcome === 'revoked' ? `Revoked ${keyId}.\n` : `${keyId} was already revoked.\n`);
  return exitCodes.ok;
}
