/**
 * `POST /api/messages`: the bot's one entry point. In order: a malformed body gets a 400; local mode (no app id)
 * takes activities from this machine only; the Bot Framework token is checked (botbuilder's validation, the keys from
 * the configured OpenID metadata), and any failure is a 401 with a fixed body, logged without the token; the
 * activity's service URL must be on the allowlist (401 otherwise), since replies carry the bot's token there; only
 * then does the turn run. `adapter.onTurnError` is the turn's error boundary.
 */
import type { Activity } from 'botbuilder';
import express, { type ErrorRequestHandler, type RequestHandler, type Response, type Router } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { ConnectorAdapter } from './bot-adapter.js';
import type { ConnectorBot } from './connector-bot.js';
import { localModeRefusal } from './local-mode.js';
import type { ServiceUrlPolicy } from './service-urls.js';

/** The minimum an activity must have before the adapter is given it. */
const activitySchema = z.object({
  type: z.string().min(1),
  serviceUrl: z.string().url(),
  channelId: z.string().min(1),
  conversation: z.object({ id: z.string().min(1) }).passthrough(),
  from: z
    .object({ id: z.string().min(1) })
    .passthrough()
    .optional(),
});

/** Dependencies of {@link createBotRequestHandler}. */
export interface BotRequestHandlerDeps {
  readonly adapter: ConnectorAdapter;
  readonly bot: ConnectorBot;
  readonly logger: Logger;
  /**
   * Local mode (no app id, so botbuilder checks no tokens): only activities from a loopback peer naming a loopback
   * service URL are let through; others get a 401. False: botbuilder authenticates every activity. Always pass
   * `isLocalMode(options)` for the adapter's options.
   */
  readonly localMode: boolean;
  /** Where the bot may send: an activity naming another service URL is refused (`createServiceUrlPolicy`). */
  readonly serviceUrls: ServiceUrlPolicy;
}

/** The body of every refused token: the same whatever the cause, which is logged instead. */
export const UNAUTHORIZED_BODY = {
  error: { code: 'Unauthorized', message: 'The request does not carry a valid Bot Framework token for this bot.' },
} as const;

function refuse(res: Response, status: number, code: string, message: string): void {
  res.status(status).json({ error: { code, message } });
}

/**
 * The express handler for `POST /api/messages`. Mount it after `express.json()`:
 * @example app.post('/api/messages', express.json({ limit: '1mb' }), createBotRequestHandler(deps))
 */
export function createBotRequestHandler(deps: BotRequestHandlerDeps): RequestHandler {
  const logger = deps.logger;
  return async (req, res, next) => {
    const parsed = activitySchema.safeParse(req.body);
    if (!parsed.success) {
      logger.warn({ issues: parsed.error.issues.length }, 'malformed activity refused');
      res
        .status(400)
        .json({ error: { code: 'BadRequest', message: 'The body is not a valid Bot Framework activity.' } });
      return;
    }
    if (deps.localMode) {
      const refusal = localModeRefusal(req.socket.remoteAddress, parsed.data.serviceUrl);
      if (refusal) {
        logger.warn(
          { peer: req.socket.remoteAddress, serviceUrl: parsed.data.serviceUrl, type: parsed.data.type },
          `local mode refused an unauthenticated activity: ${refusal}`,
        );
        refuse(res, 401, 'Unauthorized', 'Local mode accepts unauthenticated activities from this machine only.');
        return;
      }
    }
    const activity = fixActivity(req.body as Activity);
    const header = typeof req.headers.authorization === 'string' ? req.headers.authorization : '';
    const auth = await deps.adapter.authenticate(activity, header);
    if (!auth.ok) {
      const where = { type: activity.type, channelId: activity.channelId, serviceUrl: activity.serviceUrl };
      if (auth.cause === 'unavailable') {
        logger.error({ ...where, reason: auth.reason }, 'the Bot Framework signing keys could not be loaded');
        refuse(res, 503, 'Unavailable', 'The bot cannot check tokens right now. Please try again later.');
        return;
      }
      logger.warn({ ...where, hasToken: header !== '', reason: auth.reason }, 'activity refused: token not valid');
      res.status(401).json(UNAUTHORIZED_BODY);
      return;
    }
    if (!deps.serviceUrls.allows(activity.serviceUrl)) {
      logger.warn(
        { type: activity.type, serviceUrl: activity.serviceUrl, allowed: deps.serviceUrls.description },
        'activity refused: its service URL is not on teams.allowedServiceUrls',
      );
      refuse(res, 401, 'Unauthorized', 'The service URL of this activity is not allowed.');
      return;
    }
    try {
      const invoke = await deps.adapter.processAuthenticated(auth.request, activity, (ctx) => deps.bot.run(ctx));
      res.status(invoke?.status ?? 200);
      if (invoke?.body !== undefined) res.send(invoke.body);
      res.end();
    } catch (err) {
      next(err);
    }
  };
}

/** As botbuilder reads an activity: timestamps as dates, the raw strings kept. */
function fixActivity(activity: Activity): Activity {
  const a = activity as Activity & Record<string, unknown>;
  for (const key of ['timestamp', 'expiration', 'localTimestamp'] as const) {
    const raw = a[key];
    if (typeof raw === 'string') {
      a[`raw${key[0]?.toUpperCase()}${key.slice(1)}`] = raw;
      (a as Record<string, unknown>)[key] = new Date(raw);
    }
  }
  return activity;
}

/**
 * A router with `POST /api/messages`: JSON parsing (1 MB), the bot handler, and a 400 for bodies that are not JSON.
 * @example app.use(createBotRouter({ adapter, bot, logger, localMode, serviceUrls }))
 */
export function createBotRouter(deps: BotRequestHandlerDeps): Router {
  const router = express.Router();
  const badJson: ErrorRequestHandler = (err, _req, res, next) => {
    const status = (err as { status?: unknown }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      res.status(status).json({ error: { code: 'BadRequest', message: 'The body is not valid JSON.' } });
      return;
    }
    next(err);
  };
  router.post('/api/messages', express.json({ limit: '1mb' }), badJson, createBotRequestHandler(deps));
  return router;
}
