/**
 * The Interaction Preview: the Adaptive Card a knowledge worker gets for an invitation ("Consultation instant
 * messaging from Kate Lewis", the case information, the first message, when it expires, Accept / Decline).
 */
import type { SendPreview } from '../../../domain/interaction/effects.js';
import { originLine } from '../../../domain/interaction/transcript-lines.js';
import type { InvitationKind } from '../../../domain/interaction/types.js';
import { type AdaptiveCard, card, executeAction, localTime, refreshing, text, VERBS } from './card-kit.js';

/** One case-information field shown on the preview: the attached-data key and its label. */
export interface CaseInfoField {
  readonly key: string;
  readonly label: string;
}

/** The default case information: call type, priority, reason, segment (Workspace's Case Information). */
export const DEFAULT_CASE_INFO_FIELDS: readonly CaseInfoField[] = [
  { key: 'CallType', label: 'Call type' },
  { key: 'Priority', label: 'Priority' },
  { key: 'Reason', label: 'Reason' },
  { key: 'Segment', label: 'Segment' },
];

/** The headline of a preview: the origin, and the kind of request when it is not a plain route. */
export function previewHeadline(p: Pick<SendPreview, 'origin' | 'kind' | 'from'>): string {
  // A consultation or internal IM is instant messaging; a customer chat's invitations are chat.
  const media = p.origin.kind === 'inbound-chat' ? 'chat' : 'im';
  const origin = originLine(p.origin, media);
  const by = p.from ? ` from ${p.from.name}` : '';
  const kinds: Record<InvitationKind, string | null> = {
    route: null,
    transfer: `Chat transfer${by}`,
    conference: `Chat conference${by}`,
    consult: `Chat consultation${by}`,
  };
  const kind = kinds[p.kind];
  return kind && p.origin.kind === 'inbound-chat' ? kind : origin;
}

/**
 * A call preview's countdown: the seconds the preview lasts and the time it ends, in the reader's time zone (an
 * Adaptive Card has no running timer; when Teams shows the card again, its refresh shows how it ended).
 */
function callCountdown(p: Pick<SendPreview, 'expiresAt' | 'timeoutMs'>): Record<string, unknown>[] {
  const seconds = p.timeoutMs === undefined ? null : Math.round(p.timeoutMs / 1000);
  const within = seconds === null ? '' : ` within ${seconds} seconds`;
  return [
    text(`⏱ Answer${within}: by ${localTime(p.expiresAt)}, or the call takes its default route.`, { bold: true }),
  ];
}

/** The case-information facts present in the attached data, in the configured order. */
export function caseFacts(
  attachedData: Readonly<Record<string, string>>,
  fields: readonly CaseInfoField[],
): { title: string; value: string }[] {
  return fields
    .filter((f) => typeof attachedData[f.key] === 'string' && attachedData[f.key] !== '')
    .map((f) => ({ title: f.label, value: attachedData[f.key] as string }));
}

/**
 * Builds the preview card for a SendPreview effect, refreshing for `reader` (the knowledge worker's Teams id; by
 * default their Entra object id).
 */
export function previewCard(
  p: SendPreview,
  fields: readonly CaseInfoField[] = DEFAULT_CASE_INFO_FIELDS,
  reader: string = p.to.id,
): AdaptiveCard {
  const data = { interactionId: p.interactionId, invitationId: p.invitationId };
  const facts = caseFacts(p.attachedData, fields);
  const body: Record<string, unknown>[] = [text(previewHeadline(p), { bold: true, size: 'Medium' })];
  if (p.via) body.push(text(`Via ${p.via.name}`, { subtle: true }));
  if (facts.length > 0) body.push({ type: 'FactSet', facts });
  if (p.previewText) {
    body.push({
      type: 'Container',
      style: 'emphasis',
      items: [text(p.from ? `${p.from.name}: ${p.previewText}` : p.previewText)],
    });
  }
  if (p.origin.kind === 'voice-call') body.push(...callCountdown(p));
  else body.push(text(`Expires at ${localTime(p.expiresAt)}`, { subtle: true }));
  const buttons = [
    executeAction('Accept', VERBS.accept, data, 'positive'),
    executeAction('Decline', VERBS.decline, data, 'destructive'),
  ];
  return refreshing(card(body, buttons), reader, data);
}
