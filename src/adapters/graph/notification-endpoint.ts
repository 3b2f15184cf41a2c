/**
 * The change-notification endpoint as an express Router: the notification URL and the lifecycle URL.
 *
 * - Validation handshake (both URLs): `?validationToken=…` is echoed URL-decoded as `text/plain` with 200.
 * - Every item's `clientState` is checked against its subscription (unknown subscription or mismatch: dropped).
 * - Accepted items are queued FIRST (or shed to polling when the backlog is full), then the endpoint answers 202
 *   (decryption happens later, in the processor), well inside Graph's 3 s deadline. A failed queue answers 503 so
 *   Graph retries.
 * - Garbage JSON or a malformed envelope: 400. Forged items: dropped, logged once per cause and subscription, and the
 *   collection still gets 202, as Graph expects. Nothing here throws past the router.
 */

import { timingSafeEqual } from 'node:crypto';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Clock } from '../../ports/clock.js';
import type { NotificationInbox } from '../../ports/presence/notification-inbox.js';

/** Where the notification endpoint is mounted; Graph posts to `<base>/api/graph/notifications` and `/lifecycle`. */
export const graphNotificationsMount = '/api/graph';

/** Schema of {@link NotificationEndpointOptions}. */
export const notificationEndpointOptionsSchema = z.object({
  /** Route of change notifications, relative to where the router is mounted. Default `/notifications`. */
  notificationPath: z.string().startsWith('/').default('/notifications'),
  /** Route of lifecycle notifications. Default `/lifecycle`. */
  lifecyclePath: z.string().startsWith('/').default('/lifecycle'),
  /** Largest accepted body. Default `4mb`. */
  bodyLimit: z.string().default('4mb'),
});

/** Options of the notification endpoint. */
export type NotificationEndpointOptions = z.input<typeof notificationEndpointOptionsSchema>;

/** The lifecycle item shape Graph sends. */
export interface LifecycleItem {
  readonly subscriptionId: string;
  readonly lifecycleEvent: string;
  readonly subscriptionExpirationDateTime?: string | undefined;
}

/** What the endpoint needs. */
export interface NotificationEndpointDeps {
  /** Where accepted collections go (the inbox, or the backlog that sheds to polling). */
  readonly inbox: Pick<NotificationInbox, 'enqueue'>;
  /** The clientState of a subscription (held here or stored by another replica); undefined when unknown. */
  readonly clientStateOf: (subscriptionId: string) => string | undefined | Promise<string | undefined>;
  /** Receives checked lifecycle items (after the 202 is sent). */
  readonly onLifecycle: (item: LifecycleItem) => void;
  /** Epoch ms. */
  readonly clock: Clock;
  /** Warns of refused input, once per cause and subscription. */
  readonly logger: Logger;
}

const envelopeSchema = z.object({
  value: z
    .array(z.looseObject({ subscriptionId: z.string().min(1).max(128), clientState: z.string().nullish() }))
    .max(10_000),
  validationTokens: z.array(z.string()).optional(),
});

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Creates the router; mount it on the public HTTPS origin Graph calls. */
export function createNotificationRouter(options: NotificationEndpointOptions, deps: NotificationEndpointDeps): Router {
  const o = notificationEndpointOptionsSchema.parse(options);
  const router = express.Router();
  const logged = new Set<string>();
  const warnOnce = (cause: string, key: string, detail: Record<string, unknown>) => {
    const k = `${cause}:${key}`;
    if (logged.has(k)) return;
    if (logged.size > 10_000) logged.clear();
    logged.add(k);
    deps.logger.warn({ ...detail }, `refused change notification: ${cause}`);
  };

  const handshake = (req: Request, res: Response, next: NextFunction) => {
    const token = req.query.validationToken;
    if (typeof token !== 'string') return next();
    res.status(200).type('text/plain').send(token);
  };

  const checkedItems = async (req: Request, res: Response) => {
    const parsed = envelopeSchema.safeParse(req.body);
    if (!parsed.success) {
      warnOnce('malformed envelope', req.path, {});
      res.status(400).json({ error: 'malformed notification collection' });
      return undefined;
    }
    const expectedStates = new Map<string, string | undefined>();
    for (const id of new Set(parsed.data.value.map((item) => item.subscriptionId)))
      expectedStates.set(id, await deps.clientStateOf(id));
    const accepted = parsed.data.value.filter((item) => {
      const expected = expectedStates.get(item.subscriptionId);
      if (expected === undefined) {
        warnOnce('unknown subscription', item.subscriptionId, { subscriptionId: item.subscriptionId });
        return false;
      }
      if (typeof item.clientState !== 'string' || !sameSecret(item.clientState, expected)) {
        warnOnce('clientState mismatch', item.subscriptionId, { subscriptionId: item.subscriptionId });
        return false;
      }
      return true;
    });
    return { accepted, validationTokens: parsed.data.validationTokens ?? [] };
  };

  /** The checked items, or null once answered (refused, or 503 while the subscriptions cannot be read: Graph retries). */
  const checkedOr503 = async (req: Request, res: Response) => {
    try {
      return await checkedItems(req, res);
    } catch (err) {
      warnOnce('subscriptions unavailable', 'store', { error: (err as Error).name });
      res.status(503).end();
      return null;
    }
  };

  const json = express.json({ limit: o.bodyLimit, type: () => true });

  router.post(o.notificationPath, handshake, json, async (req, res) => {
    const checked = await checkedOr503(req, res);
    if (!checked) return;
    if (checked.accepted.length > 0) {
      try {
        await deps.inbox.enqueue({
          items: checked.accepted,
          validationTokens: checked.validationTokens,
          receivedAt: deps.clock.now(),
        });
      } catch (err) {
        warnOnce('inbox unavailable', 'inbox', { error: (err as Error).name });
        res.status(503).end();
        return;
      }
    }
    res.status(202).end();
  });

  router.post(o.lifecyclePath, handshake, json, async (req, res) => {
    const checked = await checkedOr503(req, res);
    if (!checked) return;
    res.status(202).end();
    for (const item of checked.accepted) {
      if (typeof item.lifecycleEvent !== 'string') continue;
      deps.onLifecycle({
        subscriptionId: item.subscriptionId,
        lifecycleEvent: item.lifecycleEvent,
        subscriptionExpirationDateTime:
          typeof item.subscriptionExpirationDateTime === 'string' ? item.subscriptionExpirationDateTime : undefined,
      });
    }
  });

  // The one error boundary of this endpoint: garbage JSON and oversize bodies are answered, never thrown further.
  router.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const status = (err as { status?: number }).status;
    warnOnce('unreadable body', req.path, { status: status ?? 500 });
    res.status(status && status >= 400 && status < 500 ? status : 400).json({ error: 'unreadable notification body' });
  });
  return router;
}
