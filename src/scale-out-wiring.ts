/**
 * Builds the scale-out side for the composition root. On PostgreSQL, replicas share one database: due work is
 * claimed with `FOR UPDATE SKIP LOCKED` (in the store and the workers), and this module wakes the other replicas
 * through LISTEN/NOTIFY: appended agent events wake every replica's SSE streams and webhook worker, and a commit
 * that schedules a time-out makes every replica re-read the next due time. A slow poll wakes everything in case a
 * notification was lost. On SQLite (one process) there is nothing to coordinate and nothing is built.
 */

import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { AppendedSignal, EventLog } from './adapters/store/event-log.js';
import type { OpenDatabase } from './adapters/store/open-database.js';
import { PgNotifications } from './adapters/store/pg-notifications.js';

/** Work that can be woken. */
interface Wakeable {
  kick(): void;
}

/** What {@link wireScaleOut} needs. */
export interface ScaleOutDeps {
  readonly database: OpenDatabase;
  /** The database URL (the listening connection is opened on it). */
  readonly url: string;
  readonly log: EventLog;
  readonly outbox: Wakeable;
  readonly timeouts: Wakeable;
  readonly logger: Logger;
  /** How often everything is woken anyway, in case a notification was lost. Default 5 s. */
  readonly pollMs?: number | undefined;
}

/** The scale-out side of one replica. */
export interface ScaleOut {
  /** This process's replica id (unique per process start). */
  readonly replicaId: string;
  /** Tells the other replicas about a commit (the interaction service's `onCommitted`). */
  committed(info: { effects: boolean; timeouts: boolean }): void;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** A replica id: host, process and a random part (a restarted process is a new replica). */
export function newReplicaId(): string {
  return `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`;
}

/** Wires LISTEN/NOTIFY fan-out on PostgreSQL; null on SQLite. */
export function wireScaleOut(deps: ScaleOutDeps): ScaleOut | null {
  if (deps.database.dialect !== 'postgres') return null;
  const logger = deps.logger.child({ part: 'scale-out' });
  const replicaId = newReplicaId();
  const notifications = new PgNotifications({ url: deps.url, db: deps.database.db, logger });
  const fromOther = (handler: () => void) => (payload: string) => {
    if (payload !== replicaId) handler();
  };
  notifications.on(
    'events',
    fromOther(() => deps.log.wake()),
  );
  notifications.on(
    'timeouts',
    fromOther(() => deps.timeouts.kick()),
  );
  const wakeAll = () => {
    deps.log.wake();
    deps.outbox.kick();
    deps.timeouts.kick();
  };
  notifications.onReconnect(wakeAll);

  // One notification per topic per turn of the event loop, however many commits happened in it.
  const pending = new Set<string>();
  const send = (topic: string) => {
    if (pending.has(topic)) return;
    pending.add(topic);
    setImmediate(() => {
      pending.delete(topic);
      notifications
        .notify(topic, replicaId)
        .catch((error: unknown) => logger.warn({ err: (error as Error).message, topic }, 'notify failed'));
    });
  };
  const onAppended = (signal?: AppendedSignal) => {
    if (!signal?.remote) send('events');
  };
  let poll: NodeJS.Timeout | null = null;

  return {
    replicaId,
    committed(info) {
      if (info.timeouts) send('timeouts');
    },
    async start() {
      deps.log.on('appended', onAppended);
      await notifications.start();
      poll = setInterval(wakeAll, deps.pollMs ?? 5_000);
      poll.unref();
      logger.info({ replicaId }, 'replica coordinating through PostgreSQL');
    },
    async stop() {
      if (poll) clearInterval(poll);
      poll = null;
      deps.log.off('appended', onAppended);
      await notifications.stop();
    },
  };
}
