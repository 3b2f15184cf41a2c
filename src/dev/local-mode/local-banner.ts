/**
 * What local mode prints once everything runs: where the console and the Playground are, the agent's API key, a
 * platform key (keys, webhooks, customer chats, reports), and
 * the three things to try. Pure text, so the words a newcomer reads are in one place.
 */

/** What the banner names. */
export interface LocalBannerInput {
  /** The connector, e.g. `http://localhost:3978`. */
  readonly connectorUrl: string;
  /** The Agents Playground's page, e.g. `http://localhost:56150/`. */
  readonly playgroundUrl: string;
  /** The Graph emulator, e.g. `http://127.0.0.1:40123`. */
  readonly graphUrl: string;
  /** Kate Lewis's agent key, made for this run. */
  readonly agentKey: string;
  /** A platform key of the default contact center, made for this run. */
  readonly platformKey: string;
  /** The connector's log file and the Playground's. */
  readonly logFile: string;
  readonly playgroundLogFile: string;
}

/** The banner, as lines. */
export function localBanner(b: LocalBannerInput): string[] {
  const consoleUrl = `${b.connectorUrl}/console/`;
  return [
    '',
    'Teams UC Connector is running in LOCAL MODE: emulated Microsoft Graph, the Microsoft 365 Agents Playground as',
    'Teams, no Azure tenant. A demo for this machine: the bot checks no credentials.',
    '',
    `  Agent console    ${consoleUrl}`,
    `  API key          ${b.agentKey}`,
    '                   (Kate Lewis, an agent; made for this run only)',
    `  Platform key     ${b.platformKey}`,
    '                   (the platform: keys, webhooks, customer chats, reports; made for this run only)',
    `  Teams            ${b.playgroundUrl}`,
    '                   (the Agents Playground, signed in as Megan Bowen, a billing expert)',
    '',
    `First open ${b.playgroundUrl} and keep it open: the connector greets Megan there. Then:`,
    '',
    `  1. Search an expert: open ${consoleUrl}, sign in with the API key, type "billing" in the search box.`,
    '     Megan Bowen is Ready; Alex Wilber is in a call (presence from the Graph emulator).',
    '  2. Start a consultation: click "Send IM" next to Megan Bowen, write your question, press Enter.',
    `  3. Accept it in the Playground: Megan's preview card shows your question. Click Accept, then write back and`,
    '     forth; End closes the session.',
    '',
    `Also: API reference ${b.connectorUrl}/api/v1/reference, reports ${b.connectorUrl}/reports,`,
    `      Graph emulator ${b.graphUrl}.`,
    `Logs: ${b.logFile} (connector), ${b.playgroundLogFile} (Playground).`,
    'Ctrl-C stops everything. With credentials in .env, npm start runs against Teams and Graph (see README.md).',
    '',
  ];
}
