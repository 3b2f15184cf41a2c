/**
 * Reading Adaptive Cards the way a Teams client would: the card of an activity or of an invoke's answer, its texts
 * (text blocks, containers included), its facts, and its buttons. For assertions on a card's structure.
 */

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

/** The Adaptive Card attached to an activity, if it has one. */
export function cardOf(activity: Record<string, unknown> | undefined): Card | undefined {
  const attachments = activity?.attachments as { contentType: string; content: Card }[] | undefined;
  return attachments?.find((a) => a.contentType === 'application/vnd.microsoft.card.adaptive')?.content;
}

/** The card of an Adaptive Card invoke's answer (`{ statusCode: 200, type: …card.adaptive, value: card }`). */
export function answerCard(body: unknown): Card | undefined {
  const answer = body as { statusCode?: number; type?: string; value?: Card } | null;
  return answer?.type === 'application/vnd.microsoft.card.adaptive' ? answer.value : undefined;
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
