/**
 * The small vocabulary the card builders share: Adaptive Card 1.5 envelopes, text blocks, the action verbs, the
 * data every button carries, and the Universal Actions `refresh` that makes a card show the current state whenever
 * Teams displays it. Pure: no I/O, and time only as values handed in.
 */

/** An Adaptive Card as JSON (schema 1.5). */
export type AdaptiveCard = {
  readonly type: 'AdaptiveCard';
  readonly $schema: string;
  readonly version: '1.5';
  readonly body: readonly Record<string, unknown>[];
  readonly actions?: readonly Record<string, unknown>[];
  /** Universal Actions: the Action.Execute Teams invokes (trigger "automatic") when it displays the card. */
  readonly refresh?: CardRefresh;
};

/** A card's Universal Actions `refresh`: the invoke Teams makes for the users named when it displays the card. */
export interface CardRefresh {
  readonly action: {
    readonly type: 'Action.Execute';
    readonly title: string;
    readonly verb: 'refresh';
    readonly data: Readonly<Record<string, string>>;
  };
  /** The users (Entra object ids) whose Teams refreshes the card automatically. */
  readonly userIds: readonly string[];
}

/**
 * The verbs of our buttons: Action.Execute `verb`, or `verb` in an Action.Submit fallback's data; `refresh` is the
 * verb of every card's automatic refresh.
 */
export const VERBS = { accept: 'accept', decline: 'decline', end: 'end', refresh: 'refresh' } as const;

/** One of {@link VERBS}. */
export type Verb = (typeof VERBS)[keyof typeof VERBS];

/** What a preview's buttons carry back. */
export interface InvitationRef {
  readonly interactionId: string;
  readonly invitationId: string;
}

/**
 * The card with a refresh for `userId`: when Teams displays it to them, it asks the bot for the current card
 * (`verb` "refresh" carrying `data`), so a copy nobody replaced (a duplicate after a crash, a missed update) still
 * shows the truth.
 */
export function refreshing(c: AdaptiveCard, userId: string, data: Readonly<Record<string, string>>): AdaptiveCard {
  return {
    ...c,
    refresh: { action: { type: 'Action.Execute', title: 'Refresh', verb: VERBS.refresh, data }, userIds: [userId] },
  };
}

/** Wraps a body and actions in an Adaptive Card 1.5 envelope. */
export function card(
  body: readonly Record<string, unknown>[],
  actions?: readonly Record<string, unknown>[],
): AdaptiveCard {
  const base = {
    type: 'AdaptiveCard' as const,
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.5' as const,
    body,
  };
  return actions && actions.length > 0 ? { ...base, actions } : base;
}

/** A wrapping text block. */
export function text(value: string, style: { bold?: boolean; subtle?: boolean; size?: 'Medium' | 'Large' } = {}) {
  return {
    type: 'TextBlock',
    text: value,
    wrap: true,
    ...(style.bold ? { weight: 'Bolder' } : {}),
    ...(style.subtle ? { isSubtle: true } : {}),
    ...(style.size ? { size: style.size } : {}),
  };
}

/**
 * A button: Action.Execute (Universal Actions) with an Action.Submit fallback for clients without it, both
 * carrying the same data; the Submit's data also names the verb.
 */
export function executeAction(
  title: string,
  verb: Verb,
  data: Record<string, string>,
  style: 'positive' | 'destructive' | 'default' = 'default',
) {
  return {
    type: 'Action.Execute',
    title,
    verb,
    data,
    ...(style === 'default' ? {} : { style }),
    fallback: { type: 'Action.Submit', title, data: { ...data, verb } },
  };
}

/**
 * A time the Teams client renders in the reader's own time zone and locale: the Adaptive Card `{{TIME()}}`
 * function over an ISO 8601 UTC string.
 */
export function localTime(epochMs: number): string {
  return `{{TIME(${new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, 'Z')})}}`;
}
