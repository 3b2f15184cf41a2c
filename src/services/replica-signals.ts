/**
 * What replicas on one database tell each other, over a {@link NotificationBus} (LISTEN/NOTIFY on PostgreSQL). Due
 * work is claimed with `FOR UPDATE SKIP LOCKED` in the store and the workers; these signals only wake the others, so
 * no replica has to poll for what changed:
 *
 * - `events`: events were appended (wakes every replica's SSE streams);
 * - `webhooks`: an append queued webhook deliveries (wakes every replica's webhook worker);
 * - `timeouts`: a commit scheduled a time-out, with its due time (every replica arms its timer; nothing is read);
 * - `sessions`: a commit began or ended knowledge workers' sessions, with their ids (every replica re-reads their
 *   load);
 * - `keys`: API keys were revoked, with their ids (every replica ends the event streams they opened).
 *
 * What this replica has to tell is gathered over one turn of the event loop and sent then, one notification per
 * topic, cut to fit PostgreSQL's payload limit. A slow periodic `recheck` wakes everything in case a notification was
 * lost, and so does a reconnect of the listening connection.
 */
import type { Logger } from 'pino';
import type { NotificationBus } from '../ports/notification-bus.js';
import type { CommittedInfo } from './interaction-service.js';

/** What other replicas' notifications (and the periodic recheck) signal on this one. */
export interface ReplicaSignalHandlers {
  /** Events were appended elsewhere: wake the SSE streams. */
  events: () => void;
  /** Webhook deliveries were queued elsewhere. */
  webhooks: () => void;
  /** The periodic check: claim whatever is due and re-read when the outbox's next effect comes due. */
  recheck: () => void;
  /** A time-out was scheduled for `dueAt`, or (null) anything may have changed: re-read. */
  timeouts: (dueAt: number | null) => void;
  /** These knowledge workers' sessions began or ended, or (null) anyone's may have. */
  sessions: (knowledgeWorkerIds: readonly string[] | null) => void;
  /** These API keys were revoked elsewhere: end what they opened here. */
  keys: (keyIds: readonly string[]) => void;
}

/** Events appended here, as the event log reports them. */
export interface AppendedHere {
  /** True when the append was noticed from another replica (nothing to tell). */
  readonly remote: boolean;
  /** Webhook deliveries the append queued. */
  readonly deliveries: number;
}

/** Options for {@link ReplicaSignals}. */
export interface ReplicaSignalsOptions {
  readonly bus: NotificationBus;
  /** This process's replica id (its own notifications are ignored). */
  readonly replicaId: string;
  readonly logger: Logger;
  /** How often everything is woken anyway, in case a notification was lost. Default 5 s. */
  readonly recheckMs?: number | undefined;
}

/** Largest notification body: PostgreSQL's payload limit is 8,000 bytes, the replica id is prepended. */
const MAX_BODY = 7_000;

/** Tells the other replicas what changed here, and this one what changed there. */
export class ReplicaSignals {
  readonly #handlers: { [K in keyof ReplicaSignalHandlers]: ReplicaSignalHandlers[K][] } = {
    events: [],
    webhooks: [],
    recheck: [],
    timeouts: [],
    sessions: [],
    keys: [],
  };
  #flags = new Set<'events' | 'webhooks'>();
  #earliestTimeout: number | null = null;
  #sessions = new Set<string>();
  #revokedKeys = new Set<string>();
  #flushing = false;
  #poll: NodeJS.Timeout | null = null;

  constructor(private readonly options: ReplicaSignalsOptions) {
    const { bus } = options;
    bus.on(
      'events',
      this.#fromOther(() => this.#fire('events')),
    );
    bus.on(
      'webhooks',
      this.#fromOther(() => this.#fire('webhooks')),
    );
    bus.on(
      'timeouts',
      this.#fromOther((body) =>
        this.#fire('timeouts', Number.isFinite(Number(body)) && body !== '' ? Number(body) : null),
      ),
    );
    bus.on(
      'sessions',
      this.#fromOther((body) => {
        this.#fire('sessions', sessionIdsOf(body));
      }),
    );
    bus.on(
      'keys',
      this.#fromOther((body) => {
        const ids = sessionIdsOf(body);
        if (ids) this.#fire('keys', ids);
      }),
    );
    bus.onReconnect(() => {
      this.#wakeAll();
      this.#fire('sessions', null);
    });
  }

  /** This process's replica id. */
  get replicaId(): string {
    return this.options.replicaId;
  }

  /** Subscribes to one signal from the other replicas (or the periodic recheck). */
  on<K extends keyof ReplicaSignalHandlers>(signal: K, handler: ReplicaSignalHandlers[K]): void {
    (this.#handlers[signal] as ReplicaSignalHandlers[K][]).push(handler);
  }

  /** Tells the other replicas about a commit here (subscribe it to the interaction service's `committed` event). */
  committed(info: Pick<CommittedInfo, 'nextTimeoutAt' | 'sessionsChanged'>): void {
    if (info.nextTimeoutAt !== null)
      this.#earliestTimeout = Math.min(this.#earliestTimeout ?? Number.POSITIVE_INFINITY, info.nextTimeoutAt);
    for (const id of info.sessionsChanged) this.#sessions.add(id);
    if (info.nextTimeoutAt !== null || info.sessionsChanged.length > 0) this.#flushSoon();
  }

  /** Tells the other replicas about events appended here. */
  appended(signal: AppendedHere): void {
    if (signal.remote) return;
    this.#flags.add('events');
    if (signal.deliveries > 0) this.#flags.add('webhooks');
    this.#flushSoon();
  }

  /** Tells the other replicas that an API key was revoked here. */
  keyRevoked(keyId: string): void {
    this.#revokedKeys.add(keyId);
    this.#flushSoon();
  }

  /** Starts listening, and the periodic recheck. */
  async start(): Promise<void> {
    await this.options.bus.start();
    this.#poll = setInterval(() => this.#wakeAll(), this.options.recheckMs ?? 5_000);
    this.#poll.unref();
    this.options.logger.info({ replicaId: this.options.replicaId }, 'replica coordinating through PostgreSQL');
  }

  async stop(): Promise<void> {
    if (this.#poll) clearInterval(this.#poll);
    this.#poll = null;
    await this.options.bus.stop();
  }

  #fire<K extends keyof ReplicaSignalHandlers>(signal: K, ...args: Parameters<ReplicaSignalHandlers[K]>): void {
    for (const handler of this.#handlers[signal]) {
      try {
        (handler as (...a: unknown[]) => void)(...args);
      } catch (err) {
        this.options.logger.error({ err, signal }, 'a replica signal handler failed');
      }
    }
  }

  #wakeAll(): void {
    this.#fire('events');
    this.#fire('webhooks');
    this.#fire('recheck');
    this.#fire('timeouts', null);
  }

  /** A handler that ignores this replica's own notifications and gets the body after the sender's id. */
  #fromOther(handler: (body: string) => void) {
    return (payload: string) => {
      const at = payload.indexOf('\n');
      const sender = at < 0 ? payload : payload.slice(0, at);
      if (sender !== this.options.replicaId) handler(at < 0 ? '' : payload.slice(at + 1));
    };
  }

  #send(topic: string, body = ''): void {
    this.options.bus
      .notify(topic, `${this.options.replicaId}\n${body}`)
      .catch((error: unknown) => this.options.logger.warn({ err: (error as Error).message, topic }, 'notify failed'));
  }

  #flushSoon(): void {
    if (this.#flushing) return;
    this.#flushing = true;
    setImmediate(() => {
      this.#flushing = false;
      for (const topic of this.#flags) this.#send(topic);
      this.#flags = new Set();
      if (this.#earliestTimeout !== null) this.#send('timeouts', String(this.#earliestTimeout));
      this.#earliestTimeout = null;
      for (const chunk of chunks([...this.#sessions])) this.#send('sessions', JSON.stringify(chunk));
      this.#sessions = new Set();
      for (const chunk of chunks([...this.#revokedKeys])) this.#send('keys', JSON.stringify(chunk));
      this.#revokedKeys = new Set();
    });
  }
}

/**
 * Tells the running replicas that API keys were revoked, from a process that is not one of them (the CLI): the same
 * `keys` notification a replica sends, so they end the keys' event streams at once.
 */
export async function tellKeysRevoked(
  bus: NotificationBus,
  senderId: string,
  keyIds: readonly string[],
): Promise<void> {
  for (const chunk of chunks(keyIds)) await bus.notify('keys', `${senderId}\n${JSON.stringify(chunk)}`);
}

/**
 * The ids of a `sessions` (or `keys`) body: a JSON list of strings; anything else (null) means anyone's may have
 * changed.
 */
function sessionIdsOf(body: string): string[] | null {
  try {
    const parsed: unknown = JSON.parse(body);
    return Array.isArray(parsed) && parsed.every((id) => typeof id === 'string') ? parsed : null;
  } catch {
    return null;
  }
}

/**
 * Splits ids into lists whose JSON fits one notification, counted in UTF-8 bytes as PostgreSQL counts its payload.
 * An id too long for any notification is left out (its knowledge worker is re-read at the next recheck).
 */
export function chunks(ids: readonly string[], maxBody = MAX_BODY): string[][] {
  const out: string[][] = [];
  let current: string[] = [];
  let size = 2;
  for (const id of ids) {
    const bytes = Buffer.byteLength(JSON.stringify(id)) + 1;
    if (2 + bytes > maxBody) continue;
    if (current.length > 0 && size + bytes > maxBody) {
      out.push(current);
      current = [];
      size = 2;
    }
    current.push(id);
    size += bytes;
  }
  if (current.length > 0) out.push(current);
  return out;
}
