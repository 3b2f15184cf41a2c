/**
 * Reading Adaptive Cards the way a Teams client would: the card of an activity or of an invoke's answer, its texts
 * (text blocks, containers included), its facts, and its buttons. For assertions on a card's structure.
 *
 * Every card read here is first checked with the Adaptive Cards SDK (`adaptivecards`, the renderer's own parser):
 * a card it cannot parse, or with an unknown element, action or property error, fails the test that reads it.
 */
import * as AdaptiveCards from 'adaptivecards';

/** An Adaptive Card as JSON. */
export type Card = Record<string, unknown>;

/** A button of a card: Action.Execute with its verb and data, and the type of its fallback. */
export interface CardButton {
  readonly type: string;
  readonly title: string;
  readonly verb: string | undefined;
  readonly data: unknown;
  readonly style: string | undefined;
  readonly fallback: string | undefined;
}

/**
 * What the Adaptive Cards SDK says of a card: its parse warnings (unknown elements or actions, bad values) and its
 * validation failures. Empty for a card that a Teams client renders as written.
 */
export function cardProblems(card: Card): string[] {
  const parsed = new AdaptiveCards.AdaptiveCard();
  const context = new AdaptiveCards.SerializationContext();
  parsed.parse(card, context);
  const problems: string[] = [];
  for (let i = 0; i < context.eventCount; i++) problems.push(`parse: ${context.getEventAt(i).message}`);
  for (const e of parsed.validateProperties().validationEvents) problems.push(`validate: ${e.message}`);
  return problems;
}

/** `card` itself, after checking it with the Adaptive Cards SDK; throws naming every problem it finds. */
export function checkedCard(card: Card): Card {
  const problems = cardProblems(card);
  if (problems.length > 0) throw new Error(`the Adaptive Cards SDK refuses the card:\n${problems.join('\n')}`);
  return card;
}

/** The Adaptive Card attached to an activity, if it has one (checked with the SDK). */
export function cardOf(activity: Record<string, unknown> | undefined): Card | undefined {
  const attachments = activity?.attachments as { contentType: string; content: Card }[] | undefined;
  const card = attachments?.find((a) => a.contentType === 'application/vnd.microsoft.card.adaptive')?.content;
  return card && checkedCard(card);
}

/** The card of an Adaptive Card invoke's answer (`{ statusCode: 200, type: …card.adaptive, value: card }`). */
export function answerCard(body: unknown): Card | undefined {
  const answer = body as { statusCode?: number; type?: string; value?: Card } | null;
  return answer?.type === 'application/vnd.microsoft.card.adaptive' && answer.value
    ? checkedCard(answer.value)
    : undefined;
}

function elements(items: unknown): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const item of (items as Record<string, unknown>[] | undefined) ?? []) {
    out.push(item);
    out.push(...elements(item.items));
  }
  return out;
}

/** The texts of the card's text blocks, in order (containers included). */
export function textsOf(card: Card | undefined): string[] {
  return elements(card?.body)
    .filter((e) => e.type === 'TextBlock')
    .map((e) => String(e.text));
}

/** Whether one of the card's text blocks contains `fragment`. */
export function saysOnCard(card: Card | undefined, fragment: string): boolean {
  return textsOf(card).some((t) => t.includes(fragment));
}

/** The facts of the card's fact sets, title → value. */
export function factsOf(card: Card | undefined): Record<string, string> {
  const facts: Record<string, string> = {};
  for (const set of elements(card?.body).filter((e) => e.type === 'FactSet')) {
    for (const f of set.facts as { title: string; value: string }[]) facts[f.title] = f.value;
  }
  return facts;
}

/** The card's buttons. */
export function buttonsOf(card: Card | undefined): CardButton[] {
  return ((card?.actions as Record<string, unknown>[] | undefined) ?? []).map((a) => ({
    type: String(a.type),
    title: String(a.title),
    verb: a.verb as string | undefined,
    data: a.data,
    style: a.style as string | undefined,
    fallback: (a.fallback as { type?: string } | undefined)?.type,
  }));
}

/** The verbs of the card's buttons. */
export function verbsOf(card: Card | undefined): (string | undefined)[] {
  return buttonsOf(card).map((b) => b.verb);
}
