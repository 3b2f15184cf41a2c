/**
 * Builds the scale-out side for the composition root. On PostgreSQL, replicas share one database: due work is
 * claimed with `FOR UPDATE SKIP LOCKED` (in the store and the workers), and this module tells the other replicas
 * what changed through LISTEN/NOTIFY, so no replica has to poll for it:
 *
 * - `events`: events were appended (wakes every replica's SSE streams);
 * - `webhooks`: an append queued webhook deliveries (wakes every replica's webhook worker);
 * - `timeouts`: a commit scheduled a time-out, with its due time (every replica arms its timer; nothing is read);
 * - `sessions`: a commit began or ended knowledge workers' sessions, with their ids (every replica re-reads their load).
 *
 * A slow poll wakes everything in case a notification was lost, and so does a reconnect of the listening connection.
 * On SQLite (one process) there is nothing to coordinate and nothing is built.
 */

import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { AppendedSignal } from './adapters/store/event-log.js';
import type { OpenDatabase } from './adapters/store/open-database.js';
import { PgNotifications } from './adapters/store/pg-notifications.js';
import type { CommittedInfo } from './services/interaction-service.js';

/** What other replicas' notifications wake on this one. */
export interface ScaleOutWakeTargets {
  /** Events were appended elsewhere: wake the SSE streams. */
  events(): void;
  /** Webhook deliveries were queued elsewhere. */
  webhooks(): void;
  /** The periodic check: claim whatever is due and re-read when the outbox's next effect comes due. */
  outbox(): void;
  /** A time-out was scheduled for `dueAt`, or (null) anything may have changed: re-read. */
  timeouts(dueAt: number | null): void;
  /** These knowledge workers' sessions began or ended, or (null) anyone's may have. */
  sessions(knowledgeWorkerIds: readonly string[] | null): void;
}

/** What {@link wireScaleOut} needs. */
export interface ScaleOutDeps {
  readonly database: OpenDatabase;
  /** The database URL (the listening connection is opened on it). */
  readonly url: string;
  readonly wake: ScaleOutWakeTargets;
  readonly logger: Logger;
  /** How often everything is woken anyway, in case a notification was lost. Default 5 s. */
  readonly pollMs?: number | undefined;
}

/** The scale-out side of one replica. */
export interface ScaleOut {
  /** This process's replica id (unique per process start). */
  readonly replicaId: string;
  /** The LISTEN/NOTIFY connection, for other parts that fan out through it (register topics before start). */
  readonly notifications: PgNotifications;
  /** Tells the other replicas about a commit (the interaction service's `onCommitted`). */
  committed(info: CommittedInfo): void;
  /** Tells the other replicas about events appended here. */
  appended(signal: AppendedSignal): void;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** A replica id: host, process and a random part (a restarted process is a new replica). */
export function newReplicaId(): string {
  return `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`;
}

/** Largest notification body: PostgreSQL's payload limit is 8,000 bytes, the replica id is prepended. */
const MAX_BODY = 7_000;

/** Wires LISTEN/NOTIFY fan-out on PostgreSQL; null on SQLite. */
export function wireScaleOut(deps: ScaleOutDeps): ScaleOut | null {
  if (deps.database.dialect !== 'postgres') return null;
  const logger = deps.logger.child({ part: 'scale-out' });
  const replicaId = newReplicaId();
  const { wake } = deps;
  const notifications = new PgNotifications({ url: deps.url, db: deps.database.db, logger });
  /** A handler that ignores this replica's own notifications and gets the body after the sender's id. */
  const fromOther = (handler: (body: string) => void) => (payload: string) => {
    const at = payload.indexOf('\n');
    const sender = at < 0 ? payload : payload.slice(0, at);
    if (sender !== replicaId) handler(at < 0 ? '' : payload.slice(at + 1));
  };
  notifications.on(
    'events',
    fromOther(() => wake.events()),
  );
  notifications.on(
    'webhooks',
    fromOther(() => wake.webhooks()),
  );
  notifications.on(
    'timeouts',
    fromOther((body) => wake.timeouts(Number.isFinite(Number(body)) && body !== '' ? Number(body) : null)),
  );
  notifications.on(
    'sessions',
    fromOther((body) => {
      try {
        wake.sessions(JSON.parse(body) as string[]);
      } catch {
        wake.sessions(null);
      }
    }),
  );
  const wakeAll = () => {
    wake.events();
    wake.webhooks();
    wake.outbox();
    wake.timeouts(null);
  };
  notifications.onReconnect(() => {
    wakeAll();
    wake.sessions(null);
  });

  // What to tell the others, gathered over one turn of the event loop and sent then (one notification per topic).
  let flags = new Set<'events' | 'webhooks'>();
  let earliestTimeout: number | null = null;
  let sessions = new Set<string>();
  let flushing = false;
  const send = (topic: string, body = '') =>
    notifications
      .notify(topic, `${replicaId}\n${body}`)
      .catch((error: unknown) => logger.warn({ err: (error as Error).message, topic }, 'notify failed'));
  const flushSoon = () => {
    if (flushing) return;
    flushing = true;
    setImmediate(() => {
      flushing = false;
      for (const topic of flags) void send(topic);
      flags = new Set();
      if (earliestTimeout !== null) void send('timeouts', String(earliestTimeout));
      earliestTimeout = null;
      for (const chunk of chunks([...sessions])) void send('sessions', JSON.stringify(chunk));
      sessions = new Set();
    });
  };
  let poll: NodeJS.Timeout | null = null;

  return {
    replicaId,
    notifications,
    committed(info) {
      if (info.nextTimeoutAt !== null)
        earliestTimeout = Math.min(earliestTimeout ?? Number.POSITIVE_INFINITY, info.nextTimeoutAt);
      for (const id of info.sessionsChanged) sessions.add(id);
      if (info.nextTimeoutAt !== null || info.sessionsChanged.length > 0) flushSoon();
    },
    appended(signal) {
      if (signal.remote) return;
      flags.add('events');
      if (signal.deliveries > 0) flags.add('webhooks');
      flushSoon();
    },
    async start() {
      await notifications.start();
      poll = setInterval(wakeAll, deps.pollMs ?? 5_000);
      poll.unref();
      logger.info({ replicaId }, 'replica coordinating through PostgreSQL');
    },
    async stop() {
      if (poll) clearInterval(poll);
      poll = null;
      await notifications.stop();
    },
  };
}

/** Splits ids into lists whose JSON fits one notification. */
function chunks(ids: readonly string[]): string[][] {
  const out: string[][] = [];
  let current: string[] = [];
  let size = 2;
  for (const id of ids) {
    if (current.length > 0 && size + id.length + 3 > MAX_BODY) {
      out.push(current);
      current = [];
      size = 2;
    }
    current.push(id);
    size += id.length + 3;
  }
  if (current.length > 0) out.push(current);
  return out;
}
