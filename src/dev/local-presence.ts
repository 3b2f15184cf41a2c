/**
 * Local presence: the Graph emulator seeded with the sample directory, and the connector's `presence` settings
 * pointing at it (polling, and change notifications through a signed-in subscriber account). Used by local mode,
 * the end-to-end tests and the benchmarks; never by a production configuration.
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { type GraphEmulator, startGraphEmulator } from './graph-emulator/graph-emulator.js';
import { sampleDirectory } from './graph-emulator/sample-directory.js';

/** The emulated tenant and app registration. */
export const LOCAL_TENANT_ID = '00000000-0000-0000-0000-00000000e1e1';
export const LOCAL_GRAPH_APP_ID = '11111111-2222-3333-4444-555555555555';
/** Kate Lewis's Entra user in the emulator (an agent who uses Teams too; `config/local.yaml`). */
export const LOCAL_KATE_USER_ID = 'c0ffee00-0000-4000-8000-00000000ca7e';
/** The local subscriber account. */
export const LOCAL_SUBSCRIBER = 'svc-presence@contoso.example';

const cert = (name: string) => fileURLToPath(new URL(`certs/${name}`, import.meta.url));

/** The running emulator, and the YAML and environment that point the connector at it. */
export interface LocalPresence {
  readonly emulator: GraphEmulator;
  /** The `presence:` section, as YAML, to append to a configuration file. */
  readonly yaml: string;
  /** The secrets the section needs (emulator values, not real ones). */
  readonly env: Readonly<Record<string, string>>;
  close(): Promise<void>;
}

/** Options of {@link startLocalPresence}. */
export interface LocalPresenceOptions {
  /** Where the connector listens (Graph posts notifications there); without it, presence is polled only. */
  readonly connectorBaseUrl?: string | undefined;
  /** Poll interval for users without a subscription, ms. Default 5,000. */
  readonly fastIntervalMs?: number | undefined;
  /** Emulator port; default ephemeral. */
  readonly port?: number | undefined;
  /** A mapping rules file (`presence.rulesFile`); default the shipped rules. */
  readonly rulesFile?: string | undefined;
  /** How the configuration names the tenant (`presence.tenantId`): its id (default) or one of its domains. */
  readonly tenant?: string | undefined;
  /** Decryption processes (`presence.subscriptions.decryptionProcesses`); default 1. */
  readonly decryptionProcesses?: number | undefined;
  /** Most notification items waiting before the backlog is shed to polling (`presence.subscriptions.maxBacklog`). */
  readonly maxBacklog?: number | undefined;
  /**
   * Presence writes (`presence.write`): true for the defaults (experts in a session show Busy/InACall in Teams), or
   * the section's keys as YAML flow mapping content (e.g. `expirationMinutes: 5`). Default off.
   */
  readonly write?: boolean | string | undefined;
}

/** Starts the emulator with the sample directory's presence and returns the settings for the connector. */
export async function startLocalPresence(options: LocalPresenceOptions = {}): Promise<LocalPresence> {
  const emulator = await startGraphEmulator({ tenantId: LOCAL_TENANT_ID, port: options.port });
  for (const u of sampleDirectory) emulator.seedUsers([u.id], u.availability, u.activity);
  emulator.seedUsers([LOCAL_KATE_USER_ID], 'Available', 'Available');
  emulator.directory.addUsers([{ id: LOCAL_KATE_USER_ID, displayName: 'Kate Lewis' }]);
  const subscriptions = options.connectorBaseUrl
    ? `
  subscriptions:
    accounts: [${LOCAL_SUBSCRIBER}]
    certificateFile: ${cert('local-notification-cert.pem')}
    privateKeyFile: ${cert('local-notification-key.pem')}
    certificateId: local-dev
    decryptionProcesses: ${options.decryptionProcesses ?? 1}${options.maxBacklog ? `\n    maxBacklog: ${options.maxBacklog}` : ''}
    notificationBaseUrl: ${options.connectorBaseUrl}`
    : '';
  const write = options.write ? `\n  write: { ${options.write === true ? '' : options.write} }` : '';
  const yaml = `
presence:
  tenantId: ${options.tenant ?? LOCAL_TENANT_ID}
  clientId: ${LOCAL_GRAPH_APP_ID}
  authorityBaseUrl: ${emulator.baseUrl}
  graphBaseUrl: ${emulator.graphBaseUrl}
  staleAfterMs: 600000
  poll: { fastIntervalMs: ${options.fastIntervalMs ?? 5_000}, slowIntervalMs: 600000 }${options.rulesFile ? `\n  rulesFile: ${options.rulesFile}` : ''}${write}${subscriptions}
`;
  return {
    emulator,
    yaml,
    env: {
      GRAPH_CLIENT_SECRET: 'local-emulator-secret',
      PRESENCE_TOKEN_CACHE_KEY: randomBytes(32).toString('base64'),
    },
    close: () => emulator.close(),
  };
}

/** Signs the local subscriber account in: the emulator approves the device code at once. */
export async function signInLocalSubscriber(
  emulator: GraphEmulator,
  signIn: (account: string, onCode: (userCode: string) => void) => Promise<unknown>,
): Promise<void> {
  await signIn(LOCAL_SUBSCRIBER, (code) => emulator.identity.approveDeviceCode(code, LOCAL_SUBSCRIBER));
}
