/** The short summary a knowledge worker sees when a session ends: with whom, how long, how many messages. */
import type { Interaction } from '../../../domain/interaction/types.js';
import { type AdaptiveCard, card, text } from './card-kit.js';

/** The figures of a session summary, as seen by one participant. */
export interface SessionSummary {
  readonly headline: string;
  readonly with: readonly string[];
  readonly durationMs: number | null;
  readonly messages: number;
  readonly endedBy: string | null;
}

/** Summarises an interaction for the person `personId` (who they talked with, how long, how many messages). */
export function summarise(ix: Interaction, personId: string, headline: string, endedBy: string | null): SessionSummary {
  const mine = ix.parties.filter((p) => p.person.id === personId && p.connectedAt !== null);
  const from = mine.length > 0 ? Math.min(...mine.map((p) => p.connectedAt as number)) : null;
  const until = ix.endedAt ?? Math.max(0, ...mine.map((p) => p.endedAt ?? 0));
  const others = ix.parties.filter((p) => p.person.id !== personId && p.connectedAt !== null).map((p) => p.person.name);
  return {
    headline,
    with: [...new Set(others)],
    durationMs: from === null || !until ? null : Math.max(0, until - from),
    messages: ix.transcript.filter((e) => e.kind === 'message').length,
    endedBy,
  };
}

/** "4 min 05 s", "35 s". */
export function formatDuration(ms: number): string {
  const total = Math.round(ms / 1000);
  const min = Math.floor(total / 60);
  const s = total % 60;
  return min > 0 ? `${min} min ${String(s).padStart(2, '0')} s` : `${s} s`;
}

/** The summary card. */
export function summaryCard(s: SessionSummary): AdaptiveCard {
  const facts = [
    ...(s.with.length > 0 ? [{ title: 'With', value: s.with.join(', ') }] : []),
    ...(s.durationMs === null ? [] : [{ title: 'Duration', value: formatDuration(s.durationMs) }]),
    { title: 'Messages', value: String(s.messages) },
    ...(s.endedBy ? [{ title: 'Ended by', value: s.endedBy }] : []),
  ];
  return card([
    text('Session summary', { bold: true, size: 'Medium' }),
    text(s.headline, { subtle: true }),
    { type: 'FactSet', facts },
  ]);
}
