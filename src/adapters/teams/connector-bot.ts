/**
 * The bot knowledge workers talk to: a TeamsActivityHandler that stores conversation references on install,
 * serves only the configured tenants, answers Accept / Decline / End (Action.Execute invokes, or Action.Submit
 * fallbacks) and cards' automatic refreshes within Teams' invoke deadline, and relays a knowledge worker's messages
 * into their session (a message longer than the one cap of every side, `MAX_MESSAGE_LENGTH`, is refused with a reply
 * saying the limit).
 */

import type { AdaptiveCardInvokeResponse, AdaptiveCardInvokeValue, InvokeResponse } from 'botbuilder';
import { type Activity, ActivityTypes, CardFactory, TeamsActivityHandler, TurnContext } from 'botbuilder';
import type { Logger } from 'pino';
import { z } from 'zod';
import { isMessageTooLong, MAX_MESSAGE_LENGTH } from '../../domain/interaction/message-length.js';
import { type ActiveSessions, currentSession } from '../../ports/active-sessions.js';
import { type Clock, systemClock } from '../../ports/clock.js';
import type { InteractionCommands } from '../../ports/interaction-commands.js';
import type { ConversationReferenceStore } from '../../ports/teams/conversation-reference-store.js';
import { commandOf, helpText } from './bot-commands.js';
import { type CardActionResult, cardActionDataSchema, handleCardAction } from './card-actions.js';
import { type AdaptiveCard, refreshing } from './cards/card-kit.js';
import { noticeCard } from './cards/outcome-cards.js';
import type { TeamsOptions } from './teams-options.js';

/** Dependencies of {@link ConnectorBot}. */
export interface ConnectorBotDeps {
  readonly commands: InteractionCommands;
  readonly references: ConversationReferenceStore;
  /** Who is connected where: a knowledge worker's messages go to their current session. */
  readonly sessions: ActiveSessions;
  readonly options: Pick<TeamsOptions, 'allowedTenants' | 'invokeDeadlineMs'> &
    Partial<Pick<TeamsOptions, 'caseInfoFields'>>;
  /** Time for stored references (default the system clock). */
  readonly clock?: Clock | undefined;
  readonly logger: Logger;
}

/** The texts the bot says. */
export const BOT_TEXT = {
  welcome: 'Hello! When a contact-center agent needs your expertise, a request card will appear here.',
  otherTenant: 'Sorry, this app is not available for your organization. Nothing was changed.',
  noSession: 'You have no open session. When an agent asks for you, a request card will appear here.',
  nothingToEnd: 'You have no open session to end. Write "help" to see what this app does.',
  sessionEnded: 'This session has ended.',
  unknownUser: 'Sorry, Teams did not tell us who you are, so nothing was changed.',
  busy: 'Your answer is being recorded; the card will update in a moment.',
} as const;

/** The reply to a message longer than {@link MAX_MESSAGE_LENGTH}: nothing of it was relayed. */
export function tooLongText(length: number): string {
  const n = (value: number) => value.toLocaleString('en-US');
  return (
    `Your message was not delivered: it has ${n(length)} characters, and a message may have at most ` +
    `${n(MAX_MESSAGE_LENGTH)}. Please shorten it or send it in several parts.`
  );
}

const invokeValueSchema = z.object({
  action: z.object({ type: z.string(), verb: z.string().optional(), data: z.unknown().optional() }),
});

/** The Teams bot. Run it with `adapter.process(req, res, (ctx) => bot.run(ctx))`. */
export class ConnectorBot extends TeamsActivityHandler {
  private readonly deps: ConnectorBotDeps;
  private readonly log: Logger;

  constructor(deps: ConnectorBotDeps) {
    super();
    this.deps = deps;
    this.log = deps.logger;
    this.onInstallationUpdateAdd(async (ctx, next) => {
      await this.remember(ctx);
      await ctx.sendActivity(BOT_TEXT.welcome);
      await next();
    });
    this.onInstallationUpdateRemove(async (ctx, next) => {
      const userId = ctx.activity.from?.aadObjectId;
      if (userId) await this.deps.references.delete(userId);
      await next();
    });
    this.onMembersAdded(async (ctx, next) => {
      const botAdded = ctx.activity.membersAdded?.some((m) => m.id === ctx.activity.recipient?.id);
      if (botAdded && ctx.activity.conversation?.conversationType === 'personal') await this.remember(ctx);
      await next();
    });
    this.onMessage(async (ctx, next) => {
      await this.remember(ctx);
      await this.onUserMessage(ctx);
      await next();
    });
  }

  /** Refuses activities from tenants not served, before any handler runs. */
  override async run(ctx: TurnContext): Promise<void> {
    if (this.deps.options.allowedTenants.includes(tenantOf(ctx.activity))) return super.run(ctx);
    this.log.warn({ tenantId: tenantOf(ctx.activity), type: ctx.activity.type }, 'activity from a tenant not served');
    if (ctx.activity.type === ActivityTypes.Invoke) {
      await replyInvoke(ctx, cardResponse(noticeCard('Not available', BOT_TEXT.otherTenant)));
    } else if (ctx.activity.type === ActivityTypes.Message) {
      await ctx.sendActivity(BOT_TEXT.otherTenant);
    }
  }

  /** Validates Adaptive Card invokes before botbuilder reads them (a malformed value is a 400, not a crash). */
  protected override async onInvokeActivity(ctx: TurnContext): Promise<InvokeResponse> {
    if (ctx.activity.name === 'adaptiveCard/action' && !invokeValueSchema.safeParse(ctx.activity.value).success) {
      return { status: 400, body: errorResponse(400, 'BadRequest', 'The invoke value is missing or malformed.') };
    }
    return super.onInvokeActivity(ctx);
  }

  /** Accept, Decline, End or a card's refresh from an Action.Execute, answered within the invoke deadline. */
  protected override async onAdaptiveCardInvoke(
    ctx: TurnContext,
    value: AdaptiveCardInvokeValue,
  ): Promise<AdaptiveCardInvokeResponse> {
    const userId = ctx.activity.from?.aadObjectId;
    if (!userId) return errorResponse(400, 'BadRequest', BOT_TEXT.unknownUser);
    const action = { verb: value.action.verb, data: value.action.data, userId, reader: ctx.activity.from.id };
    const work = handleCardAction(action, this.cardDeps());
    const result = await withDeadline(work, this.deps.options.invokeDeadlineMs);
    if (result === 'late') {
      work.catch((err: unknown) => this.log.error({ err: String(err) }, 'late card action failed'));
      // Refreshing, the notice turns into the outcome once the late action has finished.
      const ref = cardActionDataSchema.safeParse(value.action.data);
      const busy = noticeCard('Working on it', BOT_TEXT.busy);
      if (!ref.success) return cardResponse(busy);
      const { interactionId, invitationId } = ref.data;
      return cardResponse(
        refreshing(busy, ctx.activity.from.id, invitationId ? { interactionId, invitationId } : { interactionId }),
      );
    }
    if (result.kind === 'card' && result.followUp) {
      await ctx.sendActivity({ attachments: [CardFactory.adaptiveCard(result.followUp)] });
    }
    return toInvokeResponse(result);
  }

  /**
   * A knowledge worker's message: an Action.Submit fallback, a command of {@link commandOf} (`help`, `end`), or a
   * line for their session.
   */
  private async onUserMessage(ctx: TurnContext): Promise<void> {
    const userId = ctx.activity.from?.aadObjectId;
    if (!userId) {
      await ctx.sendActivity(BOT_TEXT.unknownUser);
      return;
    }
    const value = ctx.activity.value as { verb?: unknown } | undefined;
    if (value && typeof value.verb === 'string') {
      await this.onSubmit(ctx, userId, value.verb, value);
      return;
    }
    const text = (ctx.activity.text ?? '').trim();
    if (isMessageTooLong(text)) {
      // Refused before the session is looked up: nothing is relayed or stored, and the text is never logged.
      this.log.info({ knowledgeWorker: userId, length: text.length }, 'message over the length limit refused');
      await ctx.sendActivity(tooLongText(text.length));
      return;
    }
    const interactionId = await currentSession(this.deps.sessions, userId);
    const command = commandOf(text);
    if (command === 'help') {
      await ctx.sendActivity({
        type: ActivityTypes.Message,
        text: helpText(interactionId !== undefined),
        textFormat: 'markdown',
      });
      return;
    }
    if (!interactionId) {
      await ctx.sendActivity(command === 'end' ? BOT_TEXT.nothingToEnd : BOT_TEXT.noSession);
      return;
    }
    if (command === 'end') {
      const action = { verb: 'end', data: { interactionId }, userId, reader: ctx.activity.from.id };
      const result = await handleCardAction(action, this.cardDeps());
      if (result.kind !== 'card') return;
      for (const c of [result.card, result.followUp]) {
        if (c) await ctx.sendActivity({ attachments: [CardFactory.adaptiveCard(c)] });
      }
      return;
    }
    if (!text) return;
    const result = await this.deps.commands.execute({ type: 'SendMessage', interactionId, from: userId, text });
    if (result.ok) return;
    if (['interaction-ended', 'party-left', 'unknown-interaction'].includes(result.refusal.code)) {
      await ctx.sendActivity(BOT_TEXT.sessionEnded);
      return;
    }
    await ctx.sendActivity(`Your message was not delivered: ${result.refusal.message}`);
  }

  /** An Action.Submit fallback: update the card it came from, or say why nothing happened. */
  private async onSubmit(ctx: TurnContext, userId: string, verb: string, data: unknown): Promise<void> {
    const result = await handleCardAction({ verb, data, userId, reader: ctx.activity.from.id }, this.cardDeps());
    if (result.kind === 'error') {
      await ctx.sendActivity(`Nothing was changed: ${result.message}`);
      return;
    }
    const attachment = CardFactory.adaptiveCard(result.card);
    if (ctx.activity.replyToId) {
      await ctx.updateActivity({ type: ActivityTypes.Message, id: ctx.activity.replyToId, attachments: [attachment] });
    } else {
      await ctx.sendActivity({ attachments: [attachment] });
    }
    if (result.followUp) await ctx.sendActivity({ attachments: [CardFactory.adaptiveCard(result.followUp)] });
  }

  /** What a card action needs: the commands, and the case information a rebuilt preview shows. */
  private cardDeps() {
    return { commands: this.deps.commands, caseInfoFields: this.deps.options.caseInfoFields };
  }

  /** Stores the sender's conversation reference (tenant, service URL) for proactive sends. */
  private async remember(ctx: TurnContext): Promise<void> {
    const a = ctx.activity;
    const userId = a.from?.aadObjectId;
    if (!userId || a.conversation?.conversationType !== 'personal') return;
    await this.deps.references.put({
      userId,
      tenantId: tenantOf(a),
      serviceUrl: a.serviceUrl,
      conversationId: a.conversation.id,
      reference: TurnContext.getConversationReference(a),
      updatedAt: (this.deps.clock ?? systemClock).now(),
    });
  }
}

/** The tenant of an activity: `conversation.tenantId`, else Teams' `channelData.tenant.id`. */
export function tenantOf(activity: Partial<Activity>): string {
  const fromChannel = (activity.channelData as { tenant?: { id?: unknown } } | undefined)?.tenant?.id;
  return activity.conversation?.tenantId ?? (typeof fromChannel === 'string' ? fromChannel : '');
}

function cardResponse(card: AdaptiveCard): AdaptiveCardInvokeResponse {
  return { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: card };
}

function errorResponse(statusCode: number, code: string, message: string): AdaptiveCardInvokeResponse {
  return { statusCode, type: 'application/vnd.microsoft.error', value: { code, message } as never };
}

function toInvokeResponse(result: CardActionResult): AdaptiveCardInvokeResponse {
  return result.kind === 'card' ? cardResponse(result.card) : errorResponse(result.status, result.code, result.message);
}

async function replyInvoke(ctx: TurnContext, body: AdaptiveCardInvokeResponse): Promise<void> {
  await ctx.sendActivity({ type: ActivityTypes.InvokeResponse, value: { status: body.statusCode, body } });
}

async function withDeadline<T>(work: Promise<T>, ms: number): Promise<T | 'late'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), ms);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}
