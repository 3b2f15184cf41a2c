/**
 * PostgreSQL LISTEN/NOTIFY for replicas on one database: a dedicated connection listens (and reconnects with
 * backoff when it drops); notifications are sent through the shared pool. Channels are named after the current
 * schema, so connectors on different schemas of one database do not wake each other. A notification is only a
 * wake-up: the tables stay the source of truth, and after a reconnect listeners are told that some may be lost.
 */
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import pg from 'pg';
import type { Logger } from 'pino';
import type { NotificationBus } from '../../ports/notification-bus.js';
import type { Database } from './schema.js';

/** Options for {@link PgNotifications}. */
export interface PgNotificationsOptions {
  /** The `postgres://…` URL of the database (the listening connection is opened on it). */
  readonly url: string;
  /** The pool notifications are sent through. */
  readonly db: Kysely<Database>;
  readonly logger: Logger;
  /** First reconnect delay, doubled up to 30 s. Default 500 ms. */
  readonly reconnectMs?: number | undefined;
}

type Handler = (payload: string) => void;

/** LISTEN on a dedicated connection, NOTIFY through the pool. */
export class PgNotifications implements NotificationBus {
  private readonly handlers = new Map<string, Handler[]>();
  private readonly reconnectHandlers: (() => void)[] = [];
  private prefix = 'ucc_';
  private client: pg.Client | null = null;
  private retry: NodeJS.Timeout | null = null;
  private failures = 0;
  private stopped = true;

  constructor(private readonly options: PgNotificationsOptions) {}

  /** Calls `handler` with the payload of every notification on `topic` (register before {@link start}). */
  on(topic: string, handler: Handler): void {
    this.handlers.set(topic, [...(this.handlers.get(topic) ?? []), handler]);
  }

  /** Calls `handler` after the listening connection was re-established (notifications may have been missed). */
  onReconnect(handler: () => void): void {
    this.reconnectHandlers.push(handler);
  }

  /** Resolves the channel names, then listens; keeps reconnecting in the background if the first connect fails. */
  async start(): Promise<void> {
    this.stopped = false;
    const row = await sql<{ schema: string }>`select current_schema() as schema`.execute(this.options.db);
    const schema = (row.rows[0]?.schema ?? 'public').toLowerCase().replace(/[^a-z0-9_]/g, '_');
    this.prefix = `ucc_${schema}_`.slice(0, 48);
    await this.connect(false);
  }

  /** Sends a notification to every replica listening on `topic` (this one included). */
  async notify(topic: string, payload: string): Promise<void> {
    await sql`select pg_notify(${this.channel(topic)}, ${payload})`.execute(this.options.db);
  }

  /** Whether the listening connection is up (notifications are being heard). */
  isListening(): boolean {
    return this.client !== null;
  }

  /** Sends several notifications in one statement (one round trip, one transaction: delivered in this order). */
  async notifyAll(notifications: readonly { readonly topic: string; readonly payload: string }[]): Promise<void> {
    if (notifications.length === 0) return;
    const calls = notifications.map((n) => sql`pg_notify(${this.channel(n.topic)}, ${n.payload})`);
    await sql`select ${sql.join(calls)}`.execute(this.options.db);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    const client = this.client;
    this.client = null;
    if (client) await client.end().catch(() => undefined);
  }

  private channel(topic: string): string {
    return `${this.prefix}${topic}`;
  }

  private async connect(isReconnect: boolean): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({ connectionString: this.options.url });
    const byChannel = new Map([...this.handlers].map(([topic, list]) => [this.channel(topic), list]));
    client.on('notification', (n) => {
      for (const handler of byChannel.get(n.channel) ?? []) handler(n.payload ?? '');
    });
    const lost = (error?: Error) => {
      if (this.client !== client) return;
      this.client = null;
      client.removeAllListeners('end');
      client.end().catch(() => undefined);
      this.options.logger.warn({ err: error?.message }, 'notification connection lost; reconnecting');
      this.scheduleReconnect();
    };
    client.on('error', lost);
    client.on('end', () => lost());
    try {
      await client.connect();
      for (const ch of byChannel.keys()) await client.query(`LISTEN ${client.escapeIdentifier(ch)}`);
    } catch (error) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      this.options.logger.warn({ err: (error as Error).message }, 'cannot listen for notifications; retrying');
      this.scheduleReconnect();
      return;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.failures = 0;
    if (isReconnect) for (const handler of this.reconnectHandlers) handler();
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.retry) return;
    const delay = Math.min((this.options.reconnectMs ?? 500) * 2 ** this.failures, 30_000);
    this.failures += 1;
    this.retry = setTimeout(() => {
      this.retry = null;
      void this.connect(true);
    }, delay);
    this.retry.unref();
  }
}
