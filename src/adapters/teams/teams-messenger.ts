/**
 * The Messenger: carries out the engine's effects meant for knowledge workers in Teams, proactively and through
 * the rate-limited sender: previews (remembering each card's activity id), card replacements, relayed lines
 * ("Kate Lewis: …"), transcript replays and notices, with a session summary at the end. Each new activity is
 * recorded in the send ledger by effect id before it leaves: a send answered is never repeated, one in doubt (started,
 * never answered: a crash) is repeated once at most. Every card carries a refresh, so a duplicate shows the truth.
 */
import { type Activity, ActivityTypes, CardFactory, type CloudAdapter, type ConversationReference } from 'botbuilder';
import type { Logger } from 'pino';
import type {
  Deliver,
  Effect,
  Notify,
  ReplayTranscript,
  SendPreview,
  UpdatePreview,
} from '../../domain/interaction/effects.js';
import type { PersonRef, TranscriptEntry } from '../../domain/interaction/types.js';
import type { InteractionCommands } from '../../ports/interaction-commands.js';
import type { UnreachableReason } from '../../ports/reachability.js';
import type { CardActivityStore, SentCard } from '../../ports/teams/card-activity-store.js';
import type {
  ConversationReferenceStore,
  StoredConversationReference,
} from '../../ports/teams/conversation-reference-store.js';
import type { SendLedger } from '../../ports/teams/send-ledger.js';
import type { AdaptiveCard } from './cards/card-kit.js';
import { previewOutcomeCard, sessionEndedCard, sessionSummaryCard } from './cards/interaction-cards.js';
import { type CaseInfoField, DEFAULT_CASE_INFO_FIELDS, previewCard, previewHeadline } from './cards/preview-card.js';
import { ledgeredSend, type SendKey } from './ledgered-send.js';
import type { RateLimitedSender } from './rate-limited-sender.js';
import { BotConnectorError, bodyTextOf, statusOf } from './send-errors.js';
import type { ServiceUrlPolicy } from './service-urls.js';

/** The result of one effect. Failures that may pass (network, retries spent) are thrown as errors instead. */
export type MessengerOutcome =
  | { readonly status: 'done' }
  | { readonly status: 'skipped'; readonly reason: 'not-a-knowledge-worker' | 'not-a-teams-effect' }
  | { readonly status: 'no-card' }
  | {
      readonly status: 'unreachable';
      readonly reason: Exclude<UnreachableReason, 'install-failed'>;
      /** What was answered (technical, for admins). */
      readonly detail: string;
    };

/** Dependencies of {@link TeamsMessenger}. */
export interface TeamsMessengerDeps {
  readonly adapter: CloudAdapter;
  /** The bot's app id ('' in local mode). */
  readonly botAppId: string;
  /**
   * Where the bot may send: a stored conversation naming a service URL off the allowlist is not written to (it is
   * answered as not installed, so it is forgotten and the person reached afresh).
   */
  readonly serviceUrls: ServiceUrlPolicy;
  readonly references: ConversationReferenceStore;
  readonly cards: CardActivityStore;
  readonly sender: RateLimitedSender;
  /** Reads an interaction's committed state, which replacement cards and the session summary are built from. */
  readonly interactions: Pick<InteractionCommands, 'get'>;
  readonly caseInfoFields?: readonly CaseInfoField[];
  /** Sends by effect id: what went through is not sent again after a crash (without it, nothing is deduplicated). */
  readonly ledger?: SendLedger | undefined;
  readonly logger?: Logger | undefined;
}

/** Executes Teams effects. Idempotent enough for an outbox: a repeated UpdatePreview rewrites the same card. */
export class TeamsMessenger {
  constructor(private readonly deps: TeamsMessengerDeps) {}

  /**
   * Carries out one effect for a knowledge worker; other effects and recipients are skipped. `effectId` (the outbox
   * id) keys its sends in the ledger.
   */
  async execute(effect: Effect, effectId?: string): Promise<MessengerOutcome> {
    switch (effect.type) {
      case 'SendPreview':
      case 'UpdatePreview':
      case 'Deliver':
      case 'ReplayTranscript':
      case 'Notify':
        if (effect.to.kind !== 'knowledge-worker') return { status: 'skipped', reason: 'not-a-knowledge-worker' };
        break;
      default:
        return { status: 'skipped', reason: 'not-a-teams-effect' };
    }
    if (effect.type === 'UpdatePreview') {
      // A preview never sent (it could not be delivered) has no card to replace: no need to reach the person.
      const sent = await this.deps.cards.get(effect.interactionId, effect.invitationId);
      if (!sent) return { status: 'no-card' };
      const ref = await this.reach(effect.to);
      return 'status' in ref ? ref : this.updatePreview(ref, effect, sent);
    }
    const ref = await this.reach(effect.to);
    if ('status' in ref) return ref;
    const key = effectId === undefined ? undefined : { effectId, userId: effect.to.id };
    switch (effect.type) {
      case 'SendPreview':
        return this.sendPreview(ref, effect, key);
      case 'Deliver':
        return this.deliver(ref, effect, key);
      case 'ReplayTranscript':
        return this.replay(ref, effect, key);
      case 'Notify':
        return this.notify(ref, effect, key);
    }
  }

  /** The user's conversation reference (routing installs the app for those without one before offering them work). */
  private async reach(to: PersonRef): Promise<StoredConversationReference | MessengerOutcome> {
    const stored = await this.deps.references.get(to.id);
    if (stored && !this.allowed(stored)) {
      const detail = `the stored conversation names a service URL that is not allowed (${hostOf(stored.serviceUrl)})`;
      return { status: 'unreachable', reason: 'not-installed', detail };
    }
    if (stored) return stored;
    return { status: 'unreachable', reason: 'not-installed', detail: 'no conversation with the bot' };
  }

  /** Both the stored service URL and the one in botbuilder's reference (where it actually sends) are allowed. */
  private allowed(ref: StoredConversationReference): boolean {
    const inner = (ref.reference as Partial<ConversationReference>).serviceUrl ?? ref.serviceUrl;
    return this.deps.serviceUrls.allows(ref.serviceUrl) && this.deps.serviceUrls.allows(inner);
  }

  private async sendPreview(
    ref: StoredConversationReference,
    e: SendPreview,
    key?: SendKey,
  ): Promise<MessengerOutcome> {
    const existing = await this.deps.cards.get(e.interactionId, e.invitationId);
    if (existing) return { status: 'done' }; // already sent: an outbox retry must not send a second card
    const card = previewCard(e, this.deps.caseInfoFields ?? DEFAULT_CASE_INFO_FIELDS, readerOf(ref));
    // In doubt, the card is sent again: a first copy that did reach Teams refreshes to the current card when shown.
    const sent = await this.send(ref, cardActivity(card), key);
    if ('status' in sent) return sent;
    if (sent.id === '') return { status: 'done' }; // given up in doubt: no activity id to remember
    await this.deps.cards.put({
      interactionId: e.interactionId,
      invitationId: e.invitationId,
      userId: e.to.id,
      conversationId: ref.conversationId,
      activityId: sent.id,
      headline: previewHeadline(e),
      fromName: e.from?.name ?? null,
    });
    return { status: 'done' };
  }

  private async updatePreview(
    ref: StoredConversationReference,
    e: UpdatePreview,
    sent: SentCard,
  ): Promise<MessengerOutcome> {
    const ix = await this.deps.interactions.get(e.interactionId);
    const card = previewOutcomeCard(ix, e.invitationId, e.outcome, readerOf(ref));
    const done = await this.update(ref, sent.activityId, card);
    return 'status' in done ? done : { status: 'done' };
  }

  private async deliver(ref: StoredConversationReference, e: Deliver, key?: SendKey): Promise<MessengerOutcome> {
    const sent = await this.send(ref, textActivity(lineOf(e.entry)), key);
    return 'status' in sent ? sent : { status: 'done' };
  }

  private async replay(
    ref: StoredConversationReference,
    e: ReplayTranscript,
    key?: SendKey,
  ): Promise<MessengerOutcome> {
    if (e.entries.length === 0) return { status: 'done' };
    const lines = ['**The conversation so far:**', ...e.entries.map(lineOf)];
    const sent = await this.send(ref, textActivity(lines.join('\n\n')), key);
    return 'status' in sent ? sent : { status: 'done' };
  }

  private async notify(ref: StoredConversationReference, e: Notify, key?: SendKey): Promise<MessengerOutcome> {
    const n = e.notice;
    if (n.kind === 'interaction-ended' || n.kind === 'removed-from-conference') {
      const cards = await this.deps.cards.listFor(e.interactionId, e.to.id);
      const ix = await this.deps.interactions.get(e.interactionId);
      // The accepted card carried the End button: replace it so no stale button remains.
      for (const c of cards) {
        const ended = sessionEndedCard(ix, e.to.id, e.interactionId, readerOf(ref));
        const done = await this.update(ref, c.activityId, ended);
        if ('status' in done) return done;
      }
      const by = n.kind === 'interaction-ended' ? (n.endedBy?.name ?? null) : n.by.name;
      const activity = ix
        ? cardActivity(sessionSummaryCard(ix, e.to.id, by, readerOf(ref)))
        : textActivity(
            n.kind === 'removed-from-conference' ? `${by} removed you from the conference.` : 'The session has ended.',
          );
      const sent = await this.send(ref, activity, key);
      return 'status' in sent ? sent : { status: 'done' };
    }
    const text = noticeText(n);
    const sent = await this.send(ref, textActivity(text), key);
    return 'status' in sent ? sent : { status: 'done' };
  }

  /**
   * Sends one activity proactively; resolves with its id. Keyed by effect: recorded in the ledger before it leaves,
   * not sent again once answered (the id recorded then), sent again once at most while in doubt (then given up,
   * resolving with id '').
   */
  private async send(
    ref: StoredConversationReference,
    activity: Partial<Activity>,
    key?: SendKey,
  ): Promise<{ id: string } | MessengerOutcome> {
    const ledger = this.deps.ledger;
    if (!key || !ledger) return this.post(ref, activity);
    return ledgeredSend(ledger, key, () => this.post(ref, activity), this.deps.logger);
  }

  /** Posts one activity proactively; resolves with its id. */
  private async post(
    ref: StoredConversationReference,
    activity: Partial<Activity>,
  ): Promise<{ id: string } | MessengerOutcome> {
    return this.call(ref, async (ctx) => {
      const res = await ctx.sendActivity(activity);
      return { id: res?.id ?? '' };
    });
  }

  /** Replaces an activity proactively. */
  private async update(ref: StoredConversationReference, activityId: string, card: AdaptiveCard) {
    return this.call(ref, async (ctx) => {
      await ctx.updateActivity({ ...cardActivity(card), id: activityId });
      return { id: activityId };
    });
  }

  private async call(
    ref: StoredConversationReference,
    work: (ctx: import('botbuilder').TurnContext) => Promise<{ id: string }>,
  ): Promise<{ id: string } | MessengerOutcome> {
    try {
      return await this.deps.sender.send({ tenantId: ref.tenantId, conversationId: ref.conversationId }, async () => {
        let out: { id: string } = { id: '' };
        // Errors inside a proactive turn would go to adapter.onTurnError; carry them out to the sender instead,
        // so it can retry them and the caller sees what failed.
        let failure: { error: unknown } | undefined;
        // The port keeps the reference opaque; it is what botbuilder gave the bot on install.
        const reference = ref.reference as Partial<ConversationReference>;
        await this.deps.adapter.continueConversationAsync(this.deps.botAppId, reference, async (ctx) => {
          try {
            out = await work(ctx);
          } catch (error) {
            failure = { error };
          }
        });
        if (failure) throw failure.error;
        return out;
      });
    } catch (err) {
      const status = err instanceof BotConnectorError ? err.status : statusOf(err);
      if (
        status === 403 &&
        /MessageWritesBlocked/i.test(bodyTextOf(err instanceof BotConnectorError ? err.cause : err))
      ) {
        return {
          status: 'unreachable',
          reason: 'blocked',
          detail: 'the Bot Connector answered 403 MessageWritesBlocked',
        };
      }
      if (status === 403 || status === 404) {
        return { status: 'unreachable', reason: 'not-installed', detail: `the Bot Connector answered ${status}` };
      }
      throw err;
    }
  }
}

/** Who reads cards in a conversation: the user's Teams id from the stored reference, else their Entra object id. */
function readerOf(ref: StoredConversationReference): string {
  const user = (ref.reference as { user?: { id?: unknown } } | undefined)?.user;
  return typeof user?.id === 'string' && user.id !== '' ? user.id : ref.userId;
}

/** The host of a URL, for admins (the path may carry ids). */
function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'not a URL';
  }
}

/** "Kate Lewis: …" for messages; system lines in italics. */
export function lineOf(entry: TranscriptEntry): string {
  return entry.kind === 'message' ? `${entry.name ?? 'Someone'}: ${entry.text}` : `_${entry.text}_`;
}

function noticeText(n: Notify['notice']): string {
  switch (n.kind) {
    case 'invitation-accepted':
      return `${n.by.name} accepted.`;
    case 'request-failed':
      return [n.message, ...n.details].join(' ');
    case 'owner-changed':
      return `${n.owner.name} now owns this session.`;
    case 'removed-from-conference':
      return `${n.by.name} removed you from the conference.`;
    case 'interaction-ended':
      return 'The session has ended.';
    case 'request-waiting':
      return `Waiting for an expert at ${n.routingPoint.name} (position ${n.position}).`;
    case 'wait-over':
      return `Offered to ${n.offeredTo.map((p) => p.name).join(', ')}: the wait at ${n.routingPoint.name} is over.`;
    case 'returned-to-queue':
      return `${n.routingPoint.name} found no one: the chat is back in ${n.queue.name}.`;
  }
}

function textActivity(text: string): Partial<Activity> {
  return { type: ActivityTypes.Message, text, textFormat: 'markdown' };
}

function cardActivity(card: AdaptiveCard): Partial<Activity> {
  return { type: ActivityTypes.Message, attachments: [CardFactory.adaptiveCard(card)] };
}
