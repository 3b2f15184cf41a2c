/**
 * The one throttling wrapper for every Microsoft Graph call, on p-queue.
 *
 * - Keeps to a configurable share of the presence quota (1,500 calls / 30 s per app per tenant) with a strict
 *   sliding window of one second, so calls are spread evenly and no rolling 30 s window can exceed the share.
 * - 429: waits `Retry-After` (fractional seconds) — pausing the whole queue, since the quota is app-wide — and
 *   retries; without the header, exponential backoff.
 * - 503/504 and network failures: exponential backoff with jitter (or `Retry-After` when sent), then retry.
 * - `$batch`: a 424 envelope or 429/424 sub-responses are retried after the longest `Retry-After`.
 * Errors are split by cause: {@link GraphApiError}, {@link GraphNetworkError}, {@link GraphAuthError}.
 */
import PQueue from 'p-queue';
import { z } from 'zod';
import type { TokenSource } from './app-token.js';
import { GraphApiError, GraphNetworkError } from './graph-errors.js';
import type { QuotaBudget } from './quota-budget.js';

/** Schema of {@link GraphClientOptions}. */
export const graphClientOptionsSchema = z.object({
  /** Graph base URL; default `https://graph.microsoft.com/v1.0`; the emulator's URL in local mode. */
  graphBaseUrl: z.url().default('https://graph.microsoft.com/v1.0'),
  /** Share of the quota this connector may use, 0–1. Default 0.95 (leaves 5 % for other callers). */
  quotaShare: z.number().gt(0).max(1).default(0.95),
  /** Calls allowed per quota window by Graph. Default 1,500 (presence). */
  quotaCalls: z.number().int().positive().default(1500),
  /** Quota window in ms. Default 30,000. */
  quotaWindowMs: z.number().int().positive().default(30_000),
  /** Calls in flight at once. Default 8. */
  concurrency: z.number().int().positive().default(8),

  /** Retries per call (429, 503/504, network) before the error surfaces. Default 8. */
  maxRetries: z.number().int().min(0).default(8),
  /** First backoff delay without Retry-After, ms; doubles per attempt, capped at 60 s. Default 1,000. */
  backoffBaseMs: z.number().int().positive().default(1000),
  /** Per-request timeout, ms. Default 30,000. */
  timeoutMs: z.number().int().positive().default(30_000),
});

/** Options of the Graph client. */
export type GraphClientOptions = z.input<typeof graphClientOptionsSchema>;

/** Edges the client uses; tests and benchmarks may replace the sleep (it is the only timer). */
export interface GraphClientDeps {
  readonly tokens: TokenSource;
  /** Waits `ms`; default a real timer. */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Counters of the wrapper's work. */
export interface GraphClientStats {
  calls: number;
  /** 429 answers (including `$batch` sub-responses). */
  throttled: number;
  serverErrors: number;
  networkErrors: number;
  /** Pauses for a `Retry-After` Graph sent, and their total length. */
  retryAfterWaits: number;
  retryAfterWaitMs: number;
}

/** The quota budget a call draws from, and as whom. */
export interface QuotaDraw {
  readonly budget: QuotaBudget;
  /** The caller's name in the budget's figures (`presence-poll`, `presence-subscriptions`, `presence-writes`). */
  readonly caller: string;
  /** Higher is served first (see `quotaPriority`). */
  readonly priority?: number | undefined;
}

/** Options of one call. */
export interface RequestOptions {
  /** Retries of this call (429, 503/504, network), at most the client's own. */
  readonly maxRetries?: number | undefined;
  /** Queue priority: higher goes first among waiting calls (presence writes ahead of polls). Default 0. */
  readonly priority?: number | undefined;
  /** Draw from this budget (and be paced by it) instead of the client's own one-second pacing. */
  readonly quota?: QuotaDraw | undefined;
  /**
   * Retry 429s without limit (each after its Retry-After), so a throttled call waits its turn until it is done; other
   * failures still count against `maxRetries`. Use with a `signal` so a stopping caller is not held.
   */
  readonly untilNotThrottled?: boolean | undefined;
  /** Gives up (rejects with the signal's reason) while waiting for a slot or a retry. */
  readonly signal?: AbortSignal | undefined;
}

/** One sub-request of a `$batch`. */
export interface BatchRequest {
  readonly id: string;
  readonly method: string;
  readonly url: string;
  readonly body?: unknown;
}

/** One sub-response of a `$batch`. */
export interface BatchResponse {
  readonly id: string;
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: unknown;
}

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Parses `Retry-After` (seconds, possibly fractional) into ms; undefined when absent or not a number. */
export function parseRetryAfter(value: string | null | undefined): number | undefined {
  if (!value) return undefined;
  const s = Number(value);
  return Number.isFinite(s) && s >= 0 ? Math.ceil(s * 1000) : undefined;
}

/** The throttled Graph client. Create one per app registration and share it for every call. */
export class GraphClient {
  readonly #o: z.output<typeof graphClientOptionsSchema>;
  readonly #queue: PQueue;
  readonly #tokens: TokenSource;
  readonly #sleep: (ms: number) => Promise<void>;
  #pauses = 0;
  /** Counters since creation. */
  readonly stats: GraphClientStats = {
    calls: 0,
    throttled: 0,
    serverErrors: 0,
    networkErrors: 0,
    retryAfterWaits: 0,
    retryAfterWaitMs: 0,
  };

  /** Creates the client; options are validated with zod. */
  constructor(options: GraphClientOptions, deps: GraphClientDeps) {
    this.#o = graphClientOptionsSchema.parse(options);
    const perSecond = Math.max(1, Math.floor((this.#o.quotaShare * this.#o.quotaCalls * 1000) / this.#o.quotaWindowMs));
    this.#queue = new PQueue({
      concurrency: this.#o.concurrency,
      interval: 1000,
      intervalCap: perSecond,
      strict: true,
    });
    this.#tokens = deps.tokens;
    this.#sleep = deps.sleep ?? realSleep;
  }

  /**
   * Sends one call through the queue with retries; resolves with the parsed JSON body (undefined on 201/204 without
   * one). `tokens` overrides the app token for this call (delegated calls of a subscriber account); `options` may
   * lower the retries of a call someone waits for.
   */
  async request<T>(
    method: string,
    path: string,
    body?: unknown,
    tokens?: TokenSource,
    options?: RequestOptions,
  ): Promise<T> {
    const maxRetries = Math.min(options?.maxRetries ?? this.#o.maxRetries, this.#o.maxRetries);
    const quota = options?.quota;
    const signal = options?.signal;
    // Failures other than 429 count against maxRetries; 429s too unless the caller waits until not throttled.
    let failures = 0;
    for (let attempt = 0; ; attempt++) {
      const send = () => this.#send(method, path, body, tokens ?? this.#tokens);
      let res: SendResult;
      if (quota) {
        const slot = await quota.budget.acquire(quota.caller, { priority: quota.priority, signal });
        try {
          // Sent at once: the budget bounds the calls in flight, and a hold must not meet calls already queued.
          res = await send();
          // Hold the budget before this slot frees, so no waiter is granted a slot the Retry-After forbids.
          if (res.kind === 'http' && res.status === 429)
            quota.budget.holdFor(res.retryAfterMs ?? this.#backoff(Math.min(attempt, 16)));
        } finally {
          slot.settle();
        }
      } else {
        res = await this.#queue.add(send, { priority: (options?.priority ?? 0) + (attempt > 0 ? 1 : 0) });
      }
      if (res.kind === 'ok') return res.body as T;
      const throttled = res.kind === 'http' && res.status === 429;
      const retriable = res.kind === 'network' || throttled || res.status === 503 || res.status === 504;
      if (!(throttled && options?.untilNotThrottled)) failures++;
      if (!retriable || failures > maxRetries || signal?.aborted) {
        if (res.kind === 'network') throw new GraphNetworkError(method, path, res.cause);
        throw new GraphApiError(res.status, res.code, method, path, res.requestId);
      }
      const retryAfter = res.kind === 'http' ? res.retryAfterMs : undefined;
      if (retryAfter !== undefined) this.#countRetryAfter(retryAfter);
      // A budgeted 429 already holds its budget: the next acquire waits the Retry-After out.
      if (throttled && quota) continue;
      const delay = retryAfter ?? this.#backoff(Math.min(attempt, 16));
      if (throttled) await this.#pauseAll(delay);
      else await this.#sleep(delay);
    }
  }

  /** Sends a `$batch`, retrying sub-requests answered 429 or 424 (and a 424 envelope) after Retry-After. */
  async batch(requests: readonly BatchRequest[]): Promise<Map<string, BatchResponse>> {
    const done = new Map<string, BatchResponse>();
    let pending = [...requests];
    for (let attempt = 0; pending.length > 0; attempt++) {
      let responses: BatchResponse[];
      try {
        responses = (await this.request<{ responses: BatchResponse[] }>('POST', '/$batch', { requests: pending }))
          .responses;
      } catch (err) {
        if (!(err instanceof GraphApiError && err.status === 424) || attempt >= this.#o.maxRetries) throw err;
        await this.#pauseAll(this.#backoff(attempt));
        continue;
      }
      let wait = 0;
      const again: BatchRequest[] = [];
      for (const r of responses) {
        const req = pending.find((p) => p.id === r.id);
        if (req && (r.status === 429 || r.status === 424) && attempt < this.#o.maxRetries) {
          if (r.status === 429) this.stats.throttled++;
          again.push(req);
          wait = Math.max(wait, parseRetryAfter(r.headers?.['Retry-After'] ?? r.headers?.['retry-after']) ?? 0);
        } else done.set(r.id, r);
      }
      pending = again;
      if (pending.length > 0 && wait > 0) this.#countRetryAfter(wait);
      if (pending.length > 0) await this.#pauseAll(wait || this.#backoff(attempt));
    }
    return done;
  }

  /** Waits until every queued call has finished. */
  onIdle(): Promise<void> {
    return this.#queue.onIdle();
  }

  #countRetryAfter(ms: number): void {
    this.stats.retryAfterWaits++;
    this.stats.retryAfterWaitMs += ms;
  }

  #backoff(attempt: number): number {
    const base = Math.min(60_000, this.#o.backoffBaseMs * 2 ** attempt);
    return Math.round(base * (0.8 + Math.random() * 0.4));
  }

  /** The quota is app-wide: stop starting calls until the Retry-After has passed. */
  async #pauseAll(ms: number): Promise<void> {
    this.#pauses++;
    this.#queue.pause();
    try {
      await this.#sleep(ms);
    } finally {
      this.#pauses--;
      if (this.#pauses === 0) this.#queue.start();
    }
  }

  async #send(method: string, path: string, body: unknown, tokens: TokenSource): Promise<SendResult> {
    const token = await tokens.getToken();
    this.stats.calls++;
    let res: Response;
    try {
      res = await fetch(this.#o.graphBaseUrl.replace(/\/$/, '') + path, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.#o.timeoutMs),
      });
    } catch (cause) {
      this.stats.networkErrors++;
      return { kind: 'network', cause };
    }
    const text = await res.text();
    if (res.ok) return { kind: 'ok', body: text ? JSON.parse(text) : undefined };
    if (res.status === 429) this.stats.throttled++;
    else if (res.status >= 500) this.stats.serverErrors++;
    let code = 'unknown';
    try {
      code = (JSON.parse(text) as { error?: { code?: string } }).error?.code ?? code;
    } catch {
      // A non-JSON error body: the status alone describes it.
    }
    return {
      kind: 'http',
      status: res.status,
      code,
      retryAfterMs: parseRetryAfter(res.headers.get('retry-after')),
      requestId: res.headers.get('request-id') ?? undefined,
    };
  }
}

type SendResult =
  | { kind: 'ok'; body: unknown }
  | { kind: 'network'; cause: unknown }
  | { kind: 'http'; status: number; code: string; retryAfterMs: number | undefined; requestId: string | undefined };
