/**
 * A Bot Connector emulator for local mode, tests and benchmarks: the endpoints the bot uses
 * (`POST /v3/conversations`, `POST /v3/conversations/:id/activities[/:replyToId]`,
 * `PUT /v3/conversations/:id/activities/:activityId`), the Teams bot limits per conversation and per tenant (429
 * with Retry-After, like Teams), a record of every request, injected failures (412, 502, 504, 429, 403), and a test
 * control that holds a POST in flight until the test lets Teams take it or loses it (crash tests). It also
 * plays the identity platform for the bot's own credentials (`POST /{tenant}/oauth2/v2.0/token`, client credentials
 * for `https://api.botframework.com/.default`), so a wrong bot secret can be tried without Entra.
 */
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { type EmulatedLimit, WindowCounter } from './window-counter.js';

/** Options of {@link startBotConnectorEmulator}; all optional. */
export interface BotConnectorEmulatorOptions {
  /** Port to listen on, on 127.0.0.1 (default 0: an ephemeral port). */
  port?: number;
  /** Per-conversation limits (default 7 / 1 s, 8 / 2 s, 60 / 30 s). */
  perConversation?: readonly EmulatedLimit[];
  /** Per-tenant limit in requests per second (default 50). */
  tenantPerSecond?: number;
  /** The time source (default Date.now). */
  now?: () => number;
  /** The bot's app id and client secret the token endpoint accepts (default: any non-empty pair). */
  botCredentials?: { readonly appId: string; readonly password: string };
}

/** One request the emulator answered. */
export interface RecordedRequest {
  readonly method: 'POST' | 'PUT';
  readonly conversationId: string;
  /** The activity id created or updated (absent on refused requests). */
  readonly activityId: string | null;
  readonly tenantId: string;
  readonly status: number;
  readonly at: number;
  readonly activity: Record<string, unknown>;
}

/** A failure to answer instead of success, for the next matching requests. */
export interface InjectedFailure {
  readonly status: 403 | 412 | 429 | 500 | 502 | 504;
  /** How many requests fail (default 1). */
  readonly count?: number;
  /** Only requests to this conversation (default any). */
  readonly conversationId?: string;
  /** Retry-After in seconds (429 only). */
  readonly retryAfterSeconds?: number;
  /** The error body's code (default by status; "MessageWritesBlocked" is the blocked-bot sub-code). */
  readonly code?: string;
}

/**
 * A POST held in flight by {@link BotConnectorEmulator.hold}: arrived at Teams, not yet answered. The test decides
 * what Teams makes of it, typically after killing the sender.
 */
export interface HeldRequest {
  /** Resolves when the held request has arrived (its activity in `activity`). */
  readonly arrived: Promise<void>;
  /** The activity posted, once arrived. */
  readonly activity: () => Record<string, unknown> | undefined;
  /**
   * Teams takes it: the activity is created and answered as usual (even if the sender is gone, as Teams does with a
   * request it received); resolves once the answer is written or the connection is gone.
   */
  accept(): Promise<void>;
  /** Teams never got it: the connection is dropped, nothing is created or recorded. */
  drop(): void;
}

/** A running emulator. */
export interface BotConnectorEmulator {
  /** The service URL to put in conversation references, ending with a slash. */
  readonly serviceUrl: string;
  /** The identity platform base URL for the bot's token (`…/{tenant}/oauth2/v2.0/token`), without a slash. */
  readonly loginBaseUrl: string;
  /** Bot tokens issued so far. */
  readonly tokensIssued: () => number;
  /** Every request answered, in arrival order. */
  readonly requests: RecordedRequest[];
  /** The activities of a conversation as they stand now (updates applied), in the order created. */
  activitiesOf(conversationId: string): Record<string, unknown>[];
  /** Fails the next matching requests. */
  inject(failure: InjectedFailure): void;
  /** Test control: holds the next POST of an activity (to `conversationId`, default any) unanswered. */
  hold(match?: { readonly conversationId?: string }): HeldRequest;
  /** Counts: accepted, throttled per conversation and per tenant, and the peaks seen per window. */
  stats(): {
    accepted: number;
    throttledConversation: number;
    throttledTenant: number;
    conversationPeaks: number[];
    tenantPeak: number;
  };
  close(): Promise<void>;
}

const DEFAULT_PER_CONVERSATION: readonly EmulatedLimit[] = [
  { limit: 7, windowMs: 1000 },
  { limit: 8, windowMs: 2000 },
  { limit: 60, windowMs: 30_000 },
];

/** Starts the emulator on 127.0.0.1. */
export async function startBotConnectorEmulator(
  options: BotConnectorEmulatorOptions = {},
): Promise<BotConnectorEmulator> {
  const now = options.now ?? Date.now;
  const perConversation = options.perConversation ?? DEFAULT_PER_CONVERSATION;
  const tenantLimit: EmulatedLimit = { limit: options.tenantPerSecond ?? 50, windowMs: 1000 };
  const conversations = new Map<string, WindowCounter>();
  const tenants = new Map<string, WindowCounter>();
  const activities = new Map<string, Map<string, Record<string, unknown>>>();
  const requests: RecordedRequest[] = [];
  const failures: Array<InjectedFailure & { left: number }> = [];
  const counts = { accepted: 0, throttledConversation: 0, throttledTenant: 0 };
  const conversationPeaks = perConversation.map(() => 0);
  let tenantPeak = 0;

  const app = express();
  app.use(express.json({ limit: '1mb' }));

  const holds: Array<{
    conversationId: string | undefined;
    take: (go: (decision: 'accept' | 'drop') => void, body: Record<string, unknown>, res: express.Response) => void;
  }> = [];

  const handle = (method: 'POST' | 'PUT') => (req: express.Request, res: express.Response) => {
    const at = holds.findIndex(
      (h) => method === 'POST' && (!h.conversationId || h.conversationId === String(req.params.conversationId)),
    );
    const held = at >= 0 ? holds.splice(at, 1)[0] : undefined;
    if (!held) {
      answer(method, req, res);
      return;
    }
    held.take(
      (decision) => {
        if (decision === 'drop') req.socket.destroy();
        else answer(method, req, res);
      },
      (req.body ?? {}) as Record<string, unknown>,
      res,
    );
  };

  const answer = (method: 'POST' | 'PUT', req: express.Request, res: express.Response) => {
    const conversationId = String(req.params.conversationId);
    const body = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as Record<string, unknown>;
    const tenantId = tenantOf(body);
    const at = now();
    const record = (status: number, activityId: string | null) =>
      requests.push({ method, conversationId, activityId, tenantId, status, at, activity: body });

    const failure = failures.find((f) => f.left > 0 && (!f.conversationId || f.conversationId === conversationId));
    if (failure) {
      failure.left--;
      if (failure.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(failure.retryAfterSeconds));
      record(failure.status, null);
      res
        .status(failure.status)
        .json({ error: { code: failure.code ?? codeFor(failure.status), message: 'injected' } });
      return;
    }
    const conv = getOrCreate(conversations, conversationId, () => new WindowCounter(perConversation));
    const tenant = getOrCreate(tenants, tenantId, () => new WindowCounter([tenantLimit]));
    const over = conv.check(at) ?? tenant.check(at);
    if (over) {
      if (over.limit === tenantLimit) counts.throttledTenant++;
      else counts.throttledConversation++;
      res.setHeader('Retry-After', String(Math.max(1, Math.ceil(over.retryAfterMs / 1000))));
      record(429, null);
      res.status(429).json({ error: { code: 'ThrottledRequest', message: 'Too many requests' } });
      return;
    }
    conv.record(at);
    tenant.record(at);
    conv.peaks.forEach((p, i) => {
      if (p > (conversationPeaks[i] as number)) conversationPeaks[i] = p;
    });
    tenantPeak = Math.max(tenantPeak, tenant.peaks[0] as number);
    counts.accepted++;
    const stored = getOrCreate(activities, conversationId, () => new Map<string, Record<string, unknown>>());
    const activityId = method === 'PUT' ? String(req.params.activityId) : `${at}-${randomUUID().slice(0, 8)}`;
    if (method === 'PUT' && !stored.has(activityId)) {
      record(404, null);
      res.status(404).json({ error: { code: 'ActivityNotFound', message: 'Unknown activity' } });
      return;
    }
    stored.set(activityId, { ...body, id: activityId });
    record(method === 'PUT' ? 200 : 201, activityId);
    res.status(method === 'PUT' ? 200 : 201).json({ id: activityId });
  };

  let tokensIssued = 0;
  app.post('/:tenant/oauth2/v2.0/token', express.urlencoded({ extended: false }), (req, res) => {
    const form = (req.body ?? {}) as Record<string, string | undefined>;
    const fail = (status: number, error: string, description: string) =>
      res.status(status).json({ error, error_description: description });
    if (form.grant_type !== 'client_credentials')
      return fail(400, 'unsupported_grant_type', 'AADSTS70003: The app requested an unsupported grant type.');
    if (form.scope !== 'https://api.botframework.com/.default')
      return fail(
        400,
        'invalid_scope',
        `AADSTS70011: The provided value for the input parameter 'scope' is not valid.`,
      );
    const expected = options.botCredentials;
    if (!form.client_id || (expected && form.client_id !== expected.appId))
      return fail(
        400,
        'unauthorized_client',
        `AADSTS700016: Application with identifier '${form.client_id ?? ''}' was not found in the directory '${String(req.params.tenant)}'.`,
      );
    if (!form.client_secret || (expected && form.client_secret !== expected.password))
      return fail(401, 'invalid_client', 'AADSTS7000215: Invalid client secret provided.');
    tokensIssued++;
    return res.json({
      token_type: 'Bearer',
      expires_in: 3599,
      ext_expires_in: 3599,
      access_token: `bot.${randomUUID()}`,
    });
  });

  app.post('/v3/conversations', (_req, res) => {
    const id = `a:${randomUUID()}`;
    activities.set(id, new Map());
    res.status(201).json({ id });
  });
  app.post('/v3/conversations/:conversationId/activities', handle('POST'));
  app.post('/v3/conversations/:conversationId/activities/:replyToId', handle('POST'));
  app.put('/v3/conversations/:conversationId/activities/:activityId', handle('PUT'));

  const server: Server = await new Promise((resolve) => {
    const s = app.listen(options.port ?? 0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;

  return {
    serviceUrl: `http://127.0.0.1:${port}/`,
    loginBaseUrl: `http://127.0.0.1:${port}`,
    tokensIssued: () => tokensIssued,
    requests,
    activitiesOf: (id) => [...(activities.get(id)?.values() ?? [])],
    inject: (f) => failures.push({ ...f, left: f.count ?? 1 }),
    hold: (match = {}) => {
      let arrive!: () => void;
      const arrived = new Promise<void>((resolve) => {
        arrive = resolve;
      });
      let decide: ((decision: 'accept' | 'drop') => void) | undefined;
      let body: Record<string, unknown> | undefined;
      let response: express.Response | undefined;
      holds.push({
        conversationId: match.conversationId,
        take: (go, posted, res) => {
          decide = go;
          body = posted;
          response = res;
          arrive();
        },
      });
      return {
        arrived,
        activity: () => body,
        accept: async () => {
          await arrived;
          const res = response as express.Response;
          const settled = new Promise<void>((resolve) => {
            res.once('finish', resolve);
            res.once('close', resolve);
          });
          decide?.('accept');
          if (!res.writableFinished && !res.destroyed) await settled;
        },
        drop: () => decide?.('drop'),
      };
    },
    stats: () => ({ ...counts, conversationPeaks: [...conversationPeaks], tenantPeak }),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

function getOrCreate<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = make();
    map.set(key, value);
  }
  return value;
}

function tenantOf(activity: Record<string, unknown>): string {
  const conversation = activity.conversation as { tenantId?: unknown } | undefined;
  const channelData = activity.channelData as { tenant?: { id?: unknown } } | undefined;
  const id = conversation?.tenantId ?? channelData?.tenant?.id;
  return typeof id === 'string' && id ? id : 'default';
}

function codeFor(status: number): string {
  if (status === 403) return 'Forbidden';
  if (status === 412) return 'PreconditionFailed';
  if (status === 429) return 'ThrottledRequest';
  return 'ServiceError';
}
