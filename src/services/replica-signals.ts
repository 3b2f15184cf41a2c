/**
 * What replicas on one database tell each other, over a {@link NotificationBus} (LISTEN/NOTIFY on PostgreSQL). Due
 * work is claimed with `FOR UPDATE SKIP LOCKED` in the store and the workers; these signals only wake the others, so
 * no replica has to poll for what changed:
 *
 * - `events`: events were appended, with whom they concern (contact center, and agent, broadcast or platform): wakes
 *   only the SSE streams they concern on every replica;
 * - `webhooks`: an append queued webhook deliveries (wakes every replica's webhook worker);
 * - `timeouts`: a commit scheduled a time-out, with its due time (every replica arms its timer; nothing is read);
 * - `sessions`: a commit began or ended knowledge workers' sessions, with a summary of each interaction it changed
 *   (its knowledge workers, who of them is in a session, its revision): every replica applies it without reading;
 * - `keys`: API keys were revoked, with their ids (every replica forgets them and ends the event streams they
 *   opened);
 * - `refs`: conversation references were stored or forgotten, with the users' ids (every replica forgets its copy);
 * - `reach`: Teams reachability marks were stored or removed, with the users' ids (every replica re-reads those
 *   users' marks);
 * - `groups`: the replica syncing an Entra group stored a changed membership (the others read it from the database);
 * - `waits`: a commit made a request wait at a routing point (every replica's waiting router looks again);
 * - `outbox`: a commit left interactions' new effects behind earlier pending ones, with their ids (the replica
 *   running those claims the new ones when they end).
 *
 * What this replica has to tell is gathered over one turn of the event loop and sent then, one notification per
 * topic (cut to fit PostgreSQL's payload limit), all in one round trip. A slow periodic `recheck` wakes everything in case a notification was
 * lost, and so does a reconnect of the listening connection (which also tells every cache to forget everything, and
 * session load and the reachability marks to be re-read; the marks are re-read once listening begins, too). While the listening connection is down, {@link ReplicaSignals.listening} is
 * false: caches kept on the strength of these notifications read through to the database meanwhile.
 */
import type { Logger } from 'pino';
import { type SessionSummary, sessionSummaryOf } from '../domain/interaction/active-sessions.js';
import type { NotificationBus } from '../ports/notification-bus.js';
import type { CommittedInfo } from './interaction-service.js';

/** What other replicas' notifications (and the periodic recheck) signal on this one. */
export interface ReplicaSignalHandlers {
  /** Events were appended elsewhere: wake the SSE streams they concern (null: any stream). */
  events: (concerning: readonly (readonly [contactCenter: string, who: string])[] | null) => void;
  /** Webhook deliveries were queued elsewhere. */
  webhooks: () => void;
  /** The periodic check: claim whatever is due and re-read when the outbox's next effect comes due. */
  recheck: () => void;
  /** A time-out was scheduled for `dueAt`, or (null) anything may have changed: re-read. */
  timeouts: (dueAt: number | null) => void;
  /** These knowledge workers' sessions began or ended (re-read them), or (null) anyone's may have. */
  sessions: (knowledgeWorkerIds: readonly string[] | null) => void;
  /** A commit elsewhere began or ended sessions: how its interactions' sessions stand now. */
  sessionSummaries: (summaries: readonly SessionSummary[]) => void;
  /** These API keys were revoked elsewhere (forget them, end what they opened here), or (null) any may have been. */
  keys: (keyIds: readonly string[] | null) => void;
  /** These users' conversation references changed elsewhere, or (null) anyone's may have. */
  refs: (userIds: readonly string[] | null) => void;
  /** These users' Teams reachability marks were stored or removed elsewhere, or (null) anyone's may have been. */
  reach: (userIds: readonly string[] | null) => void;
  /** Another replica stored a changed Entra group membership (or may have). */
  groups: () => void;
  /** A commit elsewhere left these interactions' new effects behind earlier pending ones. */
  heldBack: (interactionIds: readonly string[]) => void;
  /** A request began waiting at a routing point elsewhere (or may have: after a reconnect). */
  waits: () => void;
}

/** Whom appended events concern: their contact center, and the agent, `*` (broadcast) or `` (platform only). */
export type Concern = readonly [contactCenter: string, who: string];

/** Events appended here, as the event log reports them. */
export interface AppendedHere {
  /** True when the append was noticed from another replica (nothing to tell). */
  readonly remote: boolean;
  /** Webhook deliveries the append queued. */
  readonly deliveries: number;
  /** Whom the events concern; null when unknown. */
  readonly concerns: readonly Concern[] | null;
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
    sessionSummaries: [],
    keys: [],
    refs: [],
    reach: [],
    groups: [],
    heldBack: [],
    waits: [],
  };
  #flags = new Set<'events' | 'webhooks'>();
  /** Whom the events appended this turn concern; null once any append's concerns are unknown. */
  #concerns: Map<string, Concern> | null = new Map();
  #earliestTimeout: number | null = null;
  #summaries = new Map<string, SessionSummary>();
  #revokedKeys = new Set<string>();
  #refs = new Set<string>();
  #reach = new Set<string>();
  #groups = false;
  #heldBack = new Set<string>();
  #waits = false;
  #flushing = false;
  #poll: NodeJS.Timeout | null = null;

  constructor(private readonly options: ReplicaSignalsOptions) {
    const { bus } = options;
    bus.on(
      'events',
      this.#fromOther((body) => this.#fire('events', concernsOf(body))),
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
        const summaries = summariesOf(body);
        if (summaries) this.#fire('sessionSummaries', summaries);
        else this.#fire('sessions', sessionIdsOf(body));
      }),
    );
    bus.on(
      'keys',
      this.#fromOther((body) => this.#fire('keys', sessionIdsOf(body))),
    );
    bus.on(
      'refs',
      this.#fromOther((body) => this.#fire('refs', sessionIdsOf(body))),
    );
    bus.on(
      'reach',
      this.#fromOther((body) => this.#fire('reach', sessionIdsOf(body))),
    );
    bus.on(
      'groups',
      this.#fromOther(() => this.#fire('groups')),
    );
    bus.on(
      'outbox',
      this.#fromOther((body) => {
        const ids = sessionIdsOf(body);
        if (ids) this.#fire('heldBack', ids);
      }),
    );
    bus.on(
      'waits',
      this.#fromOther(() => this.#fire('waits')),
    );
    bus.onReconnect(() => {
      this.#fire('groups');
      this.#fire('waits');
      this.#fire('keys', null);
      this.#fire('refs', null);
      this.#fire('reach', null);
      this.#wakeAll();
      this.#fire('sessions', null);
    });
  }

  /** Whether notifications are being heard (the listening connection is up): caches may trust them. */
  listening(): boolean {
    return this.options.bus.isListening();
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
  committed(
    info: Pick<CommittedInfo, 'nextTimeoutAt' | 'sessionsChanged' | 'interactions'> &
      Partial<Pick<CommittedInfo, 'heldBack' | 'emitted'>>,
  ): void {
    for (const id of info.heldBack ?? []) this.#heldBack.add(id);
    if (info.emitted?.some((e) => e.type === 'ScheduleWaitExpiry')) this.#waits = true;
    if (info.nextTimeoutAt !== null)
      this.#earliestTimeout = Math.min(this.#earliestTimeout ?? Number.POSITIVE_INFINITY, info.nextTimeoutAt);
    if (info.sessionsChanged.length > 0) {
      const changed = new Set(info.sessionsChanged);
      for (const ix of info.interactions) {
        const summary = sessionSummaryOf(ix);
        if (!summary.knowledgeWorkers.some((kw) => changed.has(kw))) continue;
        const queued = this.#summaries.get(ix.id);
        if (!queued || queued.revision < summary.revision) this.#summaries.set(ix.id, summary);
      }
    }
    if (
      info.nextTimeoutAt !== null ||
      info.sessionsChanged.length > 0 ||
      (info.heldBack?.length ?? 0) > 0 ||
      this.#waits
    )
      this.#flushSoon();
  }

  /** Tells the other replicas that a changed Entra group membership was stored here. */
  groupsChanged(): void {
    this.#groups = true;
    this.#flushSoon();
  }

  /** Tells the other replicas that a user's conversation reference was stored or forgotten here. */
  referenceChanged(userId: string): void {
    this.#refs.add(userId);
    this.#flushSoon();
  }

  /** Tells the other replicas that a user's Teams reachability mark was stored or removed here. */
  reachChanged(userId: string): void {
    this.#reach.add(userId);
    this.#flushSoon();
  }

  /** Tells the other replicas about events appended here. */
  appended(signal: AppendedHere): void {
    if (signal.remote) return;
    this.#flags.add('events');
    if (signal.concerns === null) this.#concerns = null;
    else for (const c of signal.concerns) this.#concerns?.set(c.join('\n'), c);
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
    // Marks read before notifications were heard may have missed some: read them again now that they are.
    if (this.listening()) this.#fire('reach', null);
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
    this.#fire('events', null);
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

  #flushSoon(): void {
    if (this.#flushing) return;
    this.#flushing = true;
    setImmediate(() => {
      this.#flushing = false;
      const out: { topic: string; payload: string }[] = [];
      const send = (topic: string, body = '') => out.push({ topic, payload: `${this.options.replicaId}\n${body}` });
      if (this.#flags.has('webhooks')) send('webhooks');
      if (this.#flags.has('events')) {
        // Whom the events concern, cut to fit; when unknown, an empty body wakes every stream.
        const concerned = this.#concerns ? [...this.#concerns.values()].map((c) => JSON.stringify(c)) : null;
        if (concerned === null) send('events');
        else for (const chunk of chunksOf(concerned)) send('events', `[${chunk.join(',')}]`);
      }
      this.#flags = new Set();
      this.#concerns = new Map();
      if (this.#earliestTimeout !== null) send('timeouts', String(this.#earliestTimeout));
      this.#earliestTimeout = null;
      // A summary too long for a notification (hundreds of parties) names its knowledge workers instead: re-read.
      const summaries = [...this.#summaries.values()];
      const wire = summaries.map(summaryWire);
      const fits = wire.filter((w) => Buffer.byteLength(w) + 2 <= MAX_BODY);
      for (const chunk of chunksOf(fits)) send('sessions', `[${chunk.join(',')}]`);
      const reread = summaries.filter((_, n) => Buffer.byteLength(wire[n] ?? '') + 2 > MAX_BODY);
      for (const chunk of chunks([...new Set(reread.flatMap((s) => s.knowledgeWorkers))]))
        send('sessions', JSON.stringify(chunk));
      this.#summaries = new Map();
      for (const chunk of chunks([...this.#revokedKeys])) send('keys', JSON.stringify(chunk));
      this.#revokedKeys = new Set();
      for (const chunk of chunks([...this.#refs])) send('refs', JSON.stringify(chunk));
      this.#refs = new Set();
      for (const chunk of chunks([...this.#reach])) send('reach', JSON.stringify(chunk));
      this.#reach = new Set();
      if (this.#groups) send('groups');
      this.#groups = false;
      for (const chunk of chunks([...this.#heldBack])) send('outbox', JSON.stringify(chunk));
      this.#heldBack = new Set();
      if (this.#waits) send('waits');
      this.#waits = false;
      // Everything of one turn in one round trip.
      this.options.bus
        .notifyAll(out)
        .catch((error: unknown) =>
          this.options.logger.warn({ err: (error as Error).message, topics: out.map((n) => n.topic) }, 'notify failed'),
        );
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

/** A session summary on the wire: `[interactionId, revision, [knowledge workers], [those in a session]]`. */
function summaryWire(s: SessionSummary): string {
  return JSON.stringify([s.interactionId, s.revision, s.knowledgeWorkers, s.live]);
}

const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

/** The concerns of an `events` body, or null (wake every stream) when it names none or is not a list of them. */
function concernsOf(body: string): Concern[] | null {
  try {
    const parsed: unknown = JSON.parse(body);
    if (!Array.isArray(parsed) || parsed.length === 0) return null;
    return parsed.every((c) => isStrings(c) && c.length === 2) ? (parsed as Concern[]) : null;
  } catch {
    return null;
  }
}

/** The summaries of a `sessions` body, or null when it is not a list of summaries (a list of ids, or garbage). */
function summariesOf(body: string): SessionSummary[] | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return null;
  }
  if (!Array.isArray(parsed) || parsed.length === 0) return null;
  const out: SessionSummary[] = [];
  for (const item of parsed) {
    if (!Array.isArray(item) || item.length !== 4) return null;
    const [interactionId, revision, knowledgeWorkers, live] = item as unknown[];
    if (typeof interactionId !== 'string' || !Number.isInteger(revision) || !isStrings(knowledgeWorkers)) return null;
    if (!isStrings(live)) return null;
    out.push({ interactionId, revision: revision as number, knowledgeWorkers, live });
  }
  return out;
}

/**
 * Splits ids into lists whose JSON fits one notification, counted in UTF-8 bytes as PostgreSQL counts its payload.
 * An id too long for any notification is left out (its knowledge worker is re-read at the next recheck).
 */
export function chunks(ids: readonly string[], maxBody = MAX_BODY): string[][] {
  return chunksOf(
    ids.map((id) => JSON.stringify(id)),
    maxBody,
  ).map((chunk) => chunk.map((json) => JSON.parse(json) as string));
}

/**
 * Splits JSON values into lists whose JSON array (`[a,b,…]`) fits one notification, in UTF-8 bytes; a value too long
 * for any notification is left out.
 */
export function chunksOf(values: readonly string[], maxBody = MAX_BODY): string[][] {
  const out: string[][] = [];
  let current: string[] = [];
  let size = 2;
  for (const json of values) {
    const bytes = Buffer.byteLength(json) + 1;
    if (2 + bytes > maxBody) continue;
    if (current.length > 0 && size + bytes > maxBody) {
      out.push(current);
      current = [];
      size = 2;
    }
    current.push(json);
    size += bytes;
  }
  if (current.length > 0) out.push(current);
  return out;
}
