/**
 * The small vocabulary the card builders share: Adaptive Card 1.5 envelopes, text blocks, the action verbs and
 * the data every button carries. Pure: no I/O, and time only as values handed in.
 */

/** An Adaptive Card as JSON (schema 1.5). */
export type AdaptiveCard = {
  readonly type: 'AdaptiveCard';
  readonly $schema: string;
  readonly version: '1.5';
  readonly body: readonly Record<string, unknown>[];
  readonly actions?: readonly Record<string, unknown>[];
};

/** The verbs of our buttons: Action.Execute `verb`, or `verb` in an Action.Submit fallback's data. */
export const VERBS = { accept: 'accept', decline: 'decline', end: 'end' } as const;

/** One of {@link VERBS}. */
export type Verb = (typeof VERBS)[keyof typeof VERBS];

/** What a preview's buttons carry back. */
export interface InvitationRef {
  readonly interactionId: string;
  readonly invitationId: string;
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
