/**
 * `POST /api/messages`: botbuilder's CloudAdapter behind an express handler. JWT validation is botbuilder's
 * ConfigurationBotFrameworkAuthentication (an empty app id is local mode: Agents Playground or emulator).
 * Malformed bodies get a 400 before the adapter sees them; `adapter.onTurnError` is the one error boundary.
 */
import {
  ActivityTypes,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type ConfigurationBotFrameworkAuthenticationOptions,
  type TurnContext,
} from 'botbuilder';
import express, { type ErrorRequestHandler, type RequestHandler, type Router } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { ConnectorBot } from './connector-bot.js';
import { localModeRefusal } from './local-mode.js';
import type { TeamsOptions } from './teams-options.js';

/** Builds the CloudAdapter for the bot's credentials, with the turn error boundary installed. */
export function createBotAdapter(
  options: Pick<TeamsOptions, 'botAppId' | 'botAppPassword' | 'botAppType' | 'botTenantId'>,
  logger: Logger,
): CloudAdapter {
  const auth: ConfigurationBotFrameworkAuthenticationOptions = {
    MicrosoftAppId: options.botAppId,
    MicrosoftAppPassword: options.botAppPassword,
    MicrosoftAppType: options.botAppType,
    ...(options.botTenantId ? { MicrosoftAppTenantId: options.botTenantId } : {}),
  };
  const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication(auth));
  adapter.onTurnError = async (ctx: TurnContext, err: Error) => {
    logger.error(
      { err: describeError(err), type: ctx.activity.type, conversationId: ctx.activity.conversation?.id },
      'bot turn failed',
    );
    try {
      if (ctx.activity.type === ActivityTypes.Invoke) {
        const body = {
          statusCode: 500,
          type: 'application/vnd.microsoft.error',
          value: { code: 'InternalError', message: 'Sorry, something went wrong. Please try again.' },
        };
        await ctx.sendActivity({ type: ActivityTypes.InvokeResponse, value: { status: 500, body } });
      } else if (ctx.activity.type === ActivityTypes.Message) {
        await ctx.sendActivity('Sorry, something went wrong on our side. Please try again in a moment.');
      }
    } catch (replyErr) {
      logger.error({ err: describeError(replyErr) }, 'could not tell the user about a failed turn');
    }
  };
  return adapter;
}

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
  readonly adapter: CloudAdapter;
  readonly bot: ConnectorBot;
  readonly logger: Logger;
  /**
   * Local mode (no app id, so botbuilder checks no tokens): only activities from a loopback peer naming a loopback
   * service URL are let through; others get a 401. False: botbuilder authenticates every activity. Always pass
   * `isLocalMode(options)` for the adapter's options.
   */
  readonly localMode: boolean;
}

/**
 * The express handler for `POST /api/messages`. Mount it after `express.json()`:
 * @example app.post('/api/messages', express.json({ limit: '1mb' }), createBotRequestHandler({ adapter, bot }))
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
        res.status(401).json({
          error: {
            code: 'Unauthorized',
            message: 'Local mode accepts unauthenticated activities from this machine only.',
          },
        });
        return;
      }
    }
    try {
      await deps.adapter.process(req, res, (ctx) => deps.bot.run(ctx));
    } catch (err) {
      next(err);
    }
  };
}

/**
 * A router with `POST /api/messages`: JSON parsing (1 MB), the bot handler, and a 400 for bodies that are not JSON.
 * @example app.use(createBotRouter({ adapter, bot, logger, localMode: isLocalMode(options) }))
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

/** What may be logged of an error: its name, status and message, never its request (which carries tokens). */
function describeError(err: unknown): { name: string; message: string; status?: number } {
  if (!(err instanceof Error)) return { name: 'NonError', message: String(err) };
  const status = (err as { statusCode?: unknown }).statusCode;
  return typeof status === 'number'
    ? { name: err.name, message: err.message, status }
    : { name: err.name, message: err.message };
}
