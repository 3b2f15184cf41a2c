/**
 * How a resource fact leaves the connector: as a JSON object (the API's fact view) and as a CSV row, with the
 * CSV columns in one table so the header, the rows and the documentation agree.
 */
import { describeFact } from '../../domain/reporting/resource-fact.js';
import type { StoredFact } from './fact-reader.js';

/** A fact as the API shows it: the engine's fields, its id, its descriptor, and times in ISO 8601 (UTC). */
export function factView({ id, fact }: StoredFact) {
  return {
    id,
    interactionId: fact.interactionId,
    partyId: fact.partyId,
    media: fact.media,
    resource: { kind: fact.resource.kind, id: fact.resource.id, name: fact.resource.name },
    role: fact.role,
    result: fact.result,
    reason: fact.reason,
    descriptor: describeFact(fact),
    outcome: fact.outcome,
    routingPointId: fact.routingPointId,
    startedAt: new Date(fact.startedAt).toISOString(),
    endedAt: new Date(fact.endedAt).toISOString(),
    alertMs: fact.alertMs,
    engageMs: fact.engageMs,
    mediationMs: fact.mediationMs,
  };
}

/** The API's fact view. */
export type FactView = ReturnType<typeof factView>;

/** The CSV columns, in order: header name and value. */
export const csvColumns: readonly (readonly [string, (f: FactView) => string | number | null])[] = [
  ['id', (f) => f.id],
  ['interaction_id', (f) => f.interactionId],
  ['party_id', (f) => f.partyId],
  ['media', (f) => f.media],
  ['resource_kind', (f) => f.resource.kind],
  ['resource_id', (f) => f.resource.id],
  ['resource_name', (f) => f.resource.name],
  ['role', (f) => f.role],
  ['result', (f) => f.result],
  ['reason', (f) => f.reason],
  ['descriptor', (f) => f.descriptor],
  ['outcome', (f) => f.outcome],
  ['routing_point_id', (f) => f.routingPointId],
  ['started_at', (f) => f.startedAt],
  ['ended_at', (f) => f.endedAt],
  ['alert_ms', (f) => f.alertMs],
  ['engage_ms', (f) => f.engageMs],
  ['mediation_ms', (f) => f.mediationMs],
];

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, quote or line break; a leading `=`, `+`, `-` or `@` is
 * prefixed with `'` so a spreadsheet never runs a name as a formula.
 */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** The CSV header line (CRLF-terminated). */
export const csvHeader = `${csvColumns.map(([name]) => name).join(',')}\r\n`;

/** One CSV line (CRLF-terminated). */
export function csvLine(view: FactView): string {
  return `${csvColumns.map(([, value]) => csvField(value(view))).join(',')}\r\n`;
}
