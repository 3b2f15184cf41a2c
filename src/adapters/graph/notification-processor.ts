/**
 * The notification processor: takes accepted collections from the inbox, verifies their `validationTokens`
 * (JWT: signature against the JWKS, `aud` = our app id, `iss` = `https://sts.windows.net/{tenant}/`, `appid` = Graph
 * change tracking), decrypts each item's content and applies it to the tracker as a `notification` observation.
 * Basic (unencrypted) items carry no state: their users are handed to `onBasic` (poll them now).
 * Refused input is dropped and logged once per cause; nothing here crashes the loop.
 */
import type { KeyObject } from 'node:crypto';
import { type JWTVerifyGetKey, jwtVerify } from 'jose';
import type { PresenceObservation } from '../../domain/presence/agent-state.js';
import type { PresenceTracker } from '../../domain/presence/presence-tracker.js';
import type { StateChange } from '../../domain/presence/state-change.js';
import type { InboxEntry, NotificationInbox } from '../../ports/presence/notification-inbox.js';
import { type DecryptResult, decryptContent, type EncryptedContent } from './decrypt-content.js';

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
  readonly clock: () => number;
  readonly onChanges: (changes: readonly StateChange[]) => void;
  /** Receives the observations that changed a presence (shared with other replicas). */
  readonly onObserved?: (observations: readonly PresenceObservation[]) => void;
  /** Users named by basic notifications (no resource data): poll them. */
  readonly onBasic?: (userIds: readonly string[]) => void;
  readonly warn: (message: string, detail: Record<string, unknown>) => void;
  /**
   * Decrypts a batch of contents (e.g. a {@link DecryptionPool} on worker threads); default: on this thread with
   * `privateKeys`.
   */
  readonly decrypt?: ((items: readonly EncryptedContent[]) => Promise<readonly DecryptResult[]>) | undefined;
}

/** Longest stretch of decryption work between yields to the event loop, ms. */
const SLICE_MS = 4;

/** Counters of the processor. */
export interface ProcessorStats {
  applied: number;
  ignored: number;
  refused: number;
  /** Inbox entries processed, and the time they waited between receipt and processing (last and total). */
  entries: number;
  lastLagMs: number;
  lagMsTotal: number;
}

/** Processes inbox entries into presence observations. */
export class NotificationProcessor {
  readonly stats: ProcessorStats = { applied: 0, ignored: 0, refused: 0, entries: 0, lastLagMs: 0, lagMsTotal: 0 };
  readonly #verified = new Map<string, number>();
  readonly #logged = new Set<string>();
  #abort: AbortController | undefined;
  #loop: Promise<void> | undefined;

  constructor(
    readonly options: NotificationProcessorOptions,
    readonly deps: NotificationProcessorDeps,
  ) {}

  #warnOnce(cause: string, detail: Record<string, unknown> = {}): void {
    this.stats.refused++;
    if (this.#logged.has(cause)) return;
    this.#logged.add(cause);
    this.deps.warn(`refused change notification: ${cause}`, detail);
  }

  /** True when every token verifies (cached per token until it expires). */
  async #tokensValid(tokens: readonly string[]): Promise<boolean> {
    if (tokens.length === 0) return false;
    const now = this.deps.clock();
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
    this.#apply(entry, await this.#decrypt(entry));
  }

  /** Checks the validation tokens and decrypts the entry's rich items; null when the tokens are refused. */
  async #decrypt(entry: InboxEntry): Promise<readonly DecryptResult[] | null> {
    const contents: EncryptedContent[] = [];
    for (const item of entry.items) {
      const content = item.encryptedContent as EncryptedContent | undefined;
      if (content) contents.push(content);
    }
    if (contents.length > 0 && !(await this.#tokensValid(entry.validationTokens))) {
      this.#warnOnce('validation token invalid');
      return null;
    }
    return this.deps.decrypt ? this.deps.decrypt(contents) : contents.map((c) => this.#decryptHere(c));
  }

  /** Applies an entry's items in order (decrypted contents in `decrypted`, in item order). */
  #apply(entry: InboxEntry, decrypted: readonly DecryptResult[] | null): void {
    const lag = Math.max(0, this.deps.clock() - entry.receivedAt);
    this.stats.entries++;
    this.stats.lastLagMs = lag;
    this.stats.lagMsTotal += lag;
    if (decrypted === null) return;
    const changes: StateChange[] = [];
    const observed: PresenceObservation[] = [];
    const basic: string[] = [];
    let next = 0;
    const now = this.deps.clock();
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

  #decryptHere(content: EncryptedContent): DecryptResult {
    const key = this.options.privateKeys.get(String(content.encryptionCertificateId ?? ''));
    return key ? decryptContent(content, key) : { ok: false, reason: 'unknown-certificate' };
  }

  /** Starts draining the inbox until {@link stop}. */
  start(): void {
    if (this.#loop) return;
    const abort = new AbortController();
    this.#abort = abort;
    this.#loop = (async () => {
      while (!abort.signal.aborted) {
        const entries = await this.deps.inbox.take(64, abort.signal);
        let sliceStart = performance.now();
        // With a pool, the entries decrypt in parallel on its threads; they are applied strictly in order.
        const decrypting = this.deps.decrypt ? entries.map((e) => this.#decrypt(e)) : undefined;
        for (const p of decrypting ?? []) p.catch(() => {}); // awaited below; no unhandled rejection meanwhile
        for (const [i, e] of entries.entries()) {
          try {
            this.#apply(e, await (decrypting?.[i] ?? this.#decrypt(e)));
          } catch (err) {
            this.#warnOnce('processing failed', { error: (err as Error).name });
          }
          // Decryption is CPU-bound: yield every few ms so the endpoint keeps answering 202 at once while a backlog
          // is drained (the inbox absorbs the backlog; Graph only needs the 202 within 3 s).
          if (performance.now() - sliceStart > SLICE_MS) {
            await new Promise<void>((r) => setImmediate(r));
            sliceStart = performance.now();
          }
        }
        await new Promise<void>((r) => setImmediate(r));
      }
    })();
  }

  /** Stops the loop. */
  async stop(): Promise<void> {
    this.#abort?.abort();
    await this.#loop;
    this.#loop = undefined;
  }
}
