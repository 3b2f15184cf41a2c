/**
 * The notification processor: takes accepted collections from the inbox, verifies their `validationTokens`
 * (JWT: signature against the JWKS, `aud` = our app id, `iss` = `https://sts.windows.net/{tenant}/`, `appid` = Graph
 * change tracking), decrypts each item's content and applies it to the tracker as a `notification` observation.
 * Basic (unencrypted) items carry no state: their users are handed to `onBasic` (poll them now).
 * Refused input is dropped and logged once per cause; nothing here crashes the loop.
 */

import type { KeyObject } from 'node:crypto';
import { type JWTVerifyGetKey, jwtVerify } from 'jose';
import type { Logger } from 'pino';
import type { PresenceObservation } from '../../domain/presence/agent-state.js';
import type { PresenceTracker } from '../../domain/presence/presence-tracker.js';
import type { StateChange } from '../../domain/presence/state-change.js';
import type { Clock } from '../../ports/clock.js';
import type { InboxEntry, NotificationInbox } from '../../ports/presence/notification-inbox.js';
import { type DecryptResult, decryptContent, type EncryptedContent } from './decrypt-content.js';
import { usersOfEntries } from './notification-backlog.js';

/** Graph change tracking's app id, the `appid` claim of validation tokens. */
export const GRAPH_CHANGE_TRACKING_APP_ID = '0bf30f3b-4a52-48df-9a82-234910c4a086';

/** Options of the processor. */
export interface NotificationProcessorOptions {
  /** Our app (client) id: the expected `aud`. */
  readonly appId: string;
  /** Our tenant id: the expected issuer is `https://sts.windows.net/{tenantId}/`. */
  readonly tenantId: string;
  /** Private keys by `encryptionCertificateId` (several during key rotation). */
  readonly privateKeys: ReadonlyMap<string, KeyObject>;
}

/** What the processor needs. */
export interface NotificationProcessorDeps {
  readonly inbox: NotificationInbox;
  readonly tracker: PresenceTracker;
  /** Key set of the validation tokens, e.g. `createRemoteJWKSet(new URL(jwksUrl))` from jose. */
  readonly jwks: JWTVerifyGetKey;
  readonly clock: Clock;
  readonly onChanges: (changes: readonly StateChange[]) => void;
  /** Receives the observations that changed a presence (shared with other replicas). */
  readonly onObserved?: (observations: readonly PresenceObservation[]) => void;
  /**
   * Told, per collection with resource data, whether its validation tokens verified (accepted) or not, with the
   * subscriptions its items name (the subscription manager counts refusals).
   */
  readonly onVerdict?: ((subscriptionIds: readonly string[], accepted: boolean) => void) | undefined;
  /** Users named by basic notifications (no resource data): poll them. */
  readonly onBasic?: (userIds: readonly string[]) => void;
  /** Warns of refused notifications, once per cause. */
  readonly logger: Logger;
  /**
   * Decrypts a batch of contents elsewhere (e.g. {@link DecryptionProcesses}); default: on this thread with
   * `privateKeys`, in slices.
   */
  readonly decrypt?: ((items: readonly EncryptedContent[]) => Promise<readonly DecryptResult[]>) | undefined;
}

/** Longest stretch of decryption or applying between yields to the event loop, ms. */
const SLICE_MS = 4;
/** Most inbox entries taken at a time. */
const TAKE = 64;
/**
 * Most items taken at a time (a larger first entry is taken alone): bounds the batch sent to a decryption process and
 * the results read back, so no one step holds the event loop long.
 */
const TAKE_ITEMS = 512;

/** Lets the event loop answer what waits (HTTP requests first) before the next slice of work. */
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Counters of the processor. */
export interface ProcessorStats {
  applied: number;
  ignored: number;
  refused: number;
  /** Inbox entries processed, and the time they waited between receipt and processing (last and total). */
  entries: number;
  lastLagMs: number;
  lagMsTotal: number;
  /** Longest wait of an entry between receipt and processing. */
  maxLagMs: number;
}

/** Processes inbox entries into presence observations. */
export class NotificationProcessor {
  readonly stats: ProcessorStats = {
    applied: 0,
    ignored: 0,
    refused: 0,
    entries: 0,
    lastLagMs: 0,
    lagMsTotal: 0,
    maxLagMs: 0,
  };
  readonly #verified = new Map<string, number>();
  readonly #logged = new Set<string>();
  /** Takes of the inbox being decrypted or applied, oldest first. */
  readonly #inFlight = new Set<readonly InboxEntry[]>();
  #abort: AbortController | undefined;
  #loop: Promise<void> | undefined;

  constructor(
    readonly options: NotificationProcessorOptions,
    readonly deps: NotificationProcessorDeps,
  ) {}

  /** Items taken from the inbox and not yet applied, and the receipt time of the oldest. */
  inFlight(): { items: number; oldestReceivedAt: number | undefined } {
    let items = 0;
    let oldestReceivedAt: number | undefined;
    for (const take of this.#inFlight)
      for (const e of take) {
        items += e.items.length;
        if (oldestReceivedAt === undefined || e.receivedAt < oldestReceivedAt) oldestReceivedAt = e.receivedAt;
      }
    return { items, oldestReceivedAt };
  }

  #warnOnce(cause: string, detail: Record<string, unknown> = {}): void {
    this.stats.refused++;
    if (this.#logged.has(cause)) return;
    this.#logged.add(cause);
    this.deps.logger.warn({ ...detail }, `refused change notification: ${cause}`);
  }

  /** True when every token verifies (cached per token until it expires). */
  async #tokensValid(tokens: readonly string[]): Promise<boolean> {
    if (tokens.length === 0) return false;
    const now = this.deps.clock.now();
    for (const t of tokens) {
      const exp = this.#verified.get(t);
      if (exp !== undefined && exp > now) continue;
      try {
        const { payload } = await jwtVerify(t, this.deps.jwks, {
          audience: this.options.appId,
          issuer: `https://sts.windows.net/${this.options.tenantId}/`,
          currentDate: new Date(now),
        });
        if (payload.appid !== GRAPH_CHANGE_TRACKING_APP_ID) return false;
        if (this.#verified.size > 1000) this.#verified.clear();
        this.#verified.set(t, (payload.exp ?? 0) * 1000);
      } catch {
        return false;
      }
    }
    return true;
  }

  /** Processes one inbox entry. */
  async process(entry: InboxEntry): Promise<void> {
    const [decrypted] = await this.#decryptEntries([entry]);
    this.#apply(entry, decrypted ?? null);
  }

  /** The entry's encrypted contents, in item order. */
  #contentsOf(entry: InboxEntry): EncryptedContent[] {
    const contents: EncryptedContent[] = [];
    for (const item of entry.items) {
      const content = item.encryptedContent as EncryptedContent | undefined;
      if (content) contents.push(content);
    }
    return contents;
  }

  /**
   * Checks the entries' validation tokens and decrypts their rich items, all in one call of `deps.decrypt` (or on this
   * thread); per entry, its results in item order, or null when its tokens are refused.
   */
  async #decryptEntries(entries: readonly InboxEntry[]): Promise<(readonly DecryptResult[] | null)[]> {
    const admitted: (EncryptedContent[] | null)[] = [];
    for (const entry of entries) {
      const contents = this.#contentsOf(entry);
      const valid = contents.length === 0 || (await this.#tokensValid(entry.validationTokens));
      if (contents.length > 0) this.deps.onVerdict?.(subscriptionIdsOf(entry), valid);
      if (!valid) {
        this.#warnOnce('validation token invalid');
        admitted.push(null);
      } else admitted.push(contents);
    }
    const all = admitted.flatMap((c) => c ?? []);
    const results = this.deps.decrypt ? await this.deps.decrypt(all) : await this.#decryptAllHere(all);
    let at = 0;
    return admitted.map((c) => {
      if (c === null) return null;
      at += c.length;
      return results.slice(at - c.length, at);
    });
  }

  /** An entry that could not be processed: logged, and its users polled now (the poll fills the gap). */
  #failed(entry: InboxEntry, err: unknown): void {
    this.#warnOnce(`processing failed (${(err as Error).name})`);
    const users = usersOfEntries([entry]);
    if (users.length > 0) this.deps.onBasic?.(users);
  }

  /** Applies an entry's items in order (decrypted contents in `decrypted`, in item order). */
  #apply(entry: InboxEntry, decrypted: readonly DecryptResult[] | null): void {
    const lag = Math.max(0, this.deps.clock.now() - entry.receivedAt);
    this.stats.entries++;
    this.stats.lastLagMs = lag;
    this.stats.lagMsTotal += lag;
    if (lag > this.stats.maxLagMs) this.stats.maxLagMs = lag;
    if (decrypted === null) return;
    const changes: StateChange[] = [];
    const observed: PresenceObservation[] = [];
    const basic: string[] = [];
    let next = 0;
    const now = this.deps.clock.now();
    for (const item of entry.items) {
      const content = item.encryptedContent as EncryptedContent | undefined;
      const resourceId = (item.resourceData as { id?: unknown } | undefined)?.id;
      if (!content) {
        if (typeof resourceId === 'string') basic.push(resourceId);
        continue;
      }
      const r: DecryptResult = decrypted[next++] ?? { ok: false, reason: 'bad-data' };
      if (!r.ok) {
        this.#warnOnce(
          r.reason === 'unknown-certificate' ? 'unknown encryption certificate' : `decryption failed (${r.reason})`,
        );
        continue;
      }
      const p = r.json as { id?: unknown; availability?: unknown; activity?: unknown; sequenceNumber?: unknown };
      if (typeof p.id !== 'string' || typeof p.availability !== 'string') {
        this.#warnOnce('decrypted content is not a presence');
        continue;
      }
      const observation: PresenceObservation = {
        userId: p.id,
        availability: p.availability,
        activity: typeof p.activity === 'string' ? p.activity : p.availability,
        sequenceNumber: typeof p.sequenceNumber === 'string' && p.sequenceNumber ? p.sequenceNumber : undefined,
        observedAt: entry.receivedAt,
        source: 'notification',
      };
      const result = this.deps.tracker.apply(observation, now);
      if (result.outcome === 'applied') {
        this.stats.applied++;
        observed.push(observation);
      } else this.stats.ignored++;
      if (result.change) changes.push(result.change);
    }
    if (observed.length > 0) this.deps.onObserved?.(observed);
    if (changes.length > 0) this.deps.onChanges(changes);
    if (basic.length > 0) this.deps.onBasic?.(basic);
  }

  /** Decrypts on this thread, yielding to the event loop every {@link SLICE_MS}. */
  async #decryptAllHere(contents: readonly EncryptedContent[]): Promise<DecryptResult[]> {
    const results: DecryptResult[] = [];
    let sliceStart = performance.now();
    for (const c of contents) {
      results.push(this.#decryptHere(c));
      if (performance.now() - sliceStart > SLICE_MS) {
        await yieldToEventLoop();
        sliceStart = performance.now();
      }
    }
    return results;
  }

  #decryptHere(content: EncryptedContent): DecryptResult {
    const key = this.options.privateKeys.get(String(content.encryptionCertificateId ?? ''));
    return key ? decryptContent(content, key) : { ok: false, reason: 'unknown-certificate' };
  }

  /** Starts draining the inbox until {@link stop}. */
  start(): void {
    if (this.#loop) return;
    const abort = new AbortController();
    this.#abort = abort;
    this.#loop = this.deps.decrypt ? this.#drainElsewhere(abort.signal) : this.#drainHere(abort.signal);
  }

  /**
   * Decryption elsewhere (`deps.decrypt`): each take of the inbox is decrypted in one call while the previous take is
   * applied, so at most two takes are in flight; takes and their entries are applied strictly in order, in slices
   * that yield to the event loop.
   */
  async #drainElsewhere(signal: AbortSignal): Promise<void> {
    let applying: Promise<void> = Promise.resolve();
    while (!signal.aborted) {
      const entries = await this.deps.inbox.take(TAKE, signal, TAKE_ITEMS);
      if (entries.length === 0) continue;
      this.#inFlight.add(entries);
      const decrypting = this.#decryptEntries(entries);
      decrypting.catch(() => {}); // awaited below; no unhandled rejection meanwhile
      await applying;
      applying = decrypting
        .then(
          async (results) => {
            let sliceStart = performance.now();
            for (const [i, e] of entries.entries()) {
              this.#applySafely(e, results[i] ?? null);
              if (performance.now() - sliceStart > SLICE_MS) {
                await yieldToEventLoop();
                sliceStart = performance.now();
              }
            }
          },
          (err: unknown) => {
            for (const e of entries) this.#failed(e, err);
          },
        )
        .finally(() => this.#inFlight.delete(entries));
    }
    await applying;
  }

  /**
   * Decryption on this event loop: entry by entry, yielding every {@link SLICE_MS} so the endpoint keeps answering
   * 202 while a backlog is drained (the inbox absorbs the backlog; Graph only needs the 202 within 3 s).
   */
  async #drainHere(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const entries = await this.deps.inbox.take(TAKE, signal, TAKE_ITEMS);
      this.#inFlight.add(entries);
      let sliceStart = performance.now();
      for (const e of entries) {
        try {
          await this.process(e);
        } catch (err) {
          this.#failed(e, err);
        }
        if (performance.now() - sliceStart > SLICE_MS) {
          await yieldToEventLoop();
          sliceStart = performance.now();
        }
      }
      this.#inFlight.delete(entries);
      await yieldToEventLoop();
    }
  }

  #applySafely(entry: InboxEntry, decrypted: readonly DecryptResult[] | null): void {
    try {
      this.#apply(entry, decrypted);
    } catch (err) {
      this.#failed(entry, err);
    }
  }

  /** Stops the loop. */
  async stop(): Promise<void> {
    this.#abort?.abort();
    await this.#loop;
    this.#loop = undefined;
  }
}

/** The subscriptions an entry's items name. */
function subscriptionIdsOf(entry: InboxEntry): string[] {
  const ids: string[] = [];
  for (const item of entry.items) if (typeof item.subscriptionId === 'string') ids.push(item.subscriptionId);
  return ids;
}
