/**
 * "No expert available": what each routing point visited found, and the sentences the agent reads
 * (the `reasons` of the engine's `RoutingFailed`).
 */
import { describeCounts, type UnavailableCounts, type UnreachableMember } from './availability.js';

/** Why a routing point gave up on a request. */
export type ExhaustedCause = 'no-members' | 'no-one-ready' | 'max-offers';

/** What one routing point found when it gave up. */
export interface RoutingPointReport {
  readonly routingPointId: string;
  readonly name: string;
  readonly cause: ExhaustedCause;
  /** People it had offered this request to. */
  readonly offered: number;
  readonly maxOffers: number;
  /** Members left out, by cause (null when not looked at: no members, or the maximum of offers reached). */
  readonly counts: UnavailableCounts | null;
  /** Members without the required skills (priority and skill-ranked strategies). */
  readonly unqualified: number;
  /** Member ids missing from the directory. */
  readonly unknown: number;
  /** Members who cannot be reached in Teams, with the reasons (empty when not looked at). */
  readonly unreachable: readonly UnreachableMember[];
  /** How long the request waited here for a member before giving up (ms); 0 or absent when it did not wait. */
  readonly waitedMs?: number | undefined;
}

/** How many unreachable members a reason names before "and N more". */
const NAMED_UNREACHABLE = 3;

/** " — Ann Billing: they blocked the bot …; Leo Legal: …", or "" when none. */
function unreachableTail(members: readonly UnreachableMember[]): string {
  if (members.length === 0) return '';
  const named = members.slice(0, NAMED_UNREACHABLE).map((m) => `${m.name}: ${m.reason}`);
  const more = members.length - named.length;
  return ` — ${named.join('; ')}${more > 0 ? `; and ${more} more` : ''}`;
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** One sentence for one routing point. */
export function reasonOf(report: RoutingPointReport): string {
  const waited = report.waitedMs ? ` after waiting ${durationText(report.waitedMs)}` : '';
  const at = `No expert available at ${report.name}${waited}`;
  if (report.cause === 'max-offers') {
    return `${at}: offered to ${plural(report.offered, 'person', 'people')}, its maximum, and none accepted.`;
  }
  const notes: string[] = [];
  if (report.unqualified > 0) notes.push(`${plural(report.unqualified, 'member lacks', 'members lack')} the skills`);
  if (report.unknown > 0) notes.push(`${plural(report.unknown, 'member is', 'members are')} not in the directory`);
  const tail = notes.length > 0 ? ` (${notes.join('; ')})` : '';
  if (report.cause === 'no-members' || !report.counts) return `${at}: it has no one to offer${tail}.`;
  return `${at}: ${describeCounts(report.counts)}${tail}${unreachableTail(report.unreachable)}.`;
}

/** "45 s", "2 min", "1 min 30 s", "2 h": a wait as agents read it. */
export function durationText(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  const parts = [h > 0 ? `${h} h` : '', m > 0 ? `${m} min` : '', rest > 0 ? `${rest} s` : ''];
  return parts.filter((p) => p !== '').join(' ');
}

/** The sentences for every routing point visited, in order. */
export function reasonsOf(reports: readonly RoutingPointReport[]): string[] {
  return reports.map(reasonOf);
}
