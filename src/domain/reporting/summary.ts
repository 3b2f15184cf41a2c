/**
 * Summaries of resource facts per routing point, per knowledge worker or per agent: the counts and durations a
 * supervisor would otherwise build by hand from Info Mart's facts. Pure: facts in, rows out.
 *
 * An offer is a fact of a person in a receiving role (RoutedTo, ReceivedTransfer, InConference, ReceivedConsult);
 * it was accepted when the person connected (result Completed or Transferred). Abandons are the customer leaving:
 * while queued (Received/CustomerAbandoned [AbandonedWhileQueued]), while a routing point was routing
 * (Puller/CustomerAbandoned) or while a person was alerted (…/CustomerAbandoned [AbandonedWhileRinging]).
 * Mediation counts each request a routing point or queue mediated once, where its mediation ended: the accepted offer
 * it made (the fact's `mediationMs`, time waited before that offer) or the customer leaving it (the whole wait).
 */
import type { ResourceFact } from './resource-fact.js';

/** What summary rows are grouped by. */
export type SummaryGrouping = 'routing-point' | 'knowledge-worker' | 'agent';

/** Upper bounds (ms, exclusive) of the time-to-accept histogram's bins; the last bin is open. */
export const TIME_TO_ACCEPT_BINS_MS: readonly number[] = [5_000, 10_000, 15_000, 20_000, 30_000, 60_000];

/** One bin of the time-to-accept histogram: `[fromMs, toMs)`, `toMs` null for the open last bin. */
export interface HistogramBin {
  readonly fromMs: number;
  readonly toMs: number | null;
  readonly count: number;
}

/** The counts and durations of one group (or of all of them). */
export interface SummaryFigures {
  /** Previews (invitations) that ended in the range. */
  readonly offered: number;
  readonly accepted: number;
  readonly declined: number;
  readonly timedOut: number;
  /** Previews that could not be delivered: the person could not be reached (outcome `unreachable`). */
  readonly unreachable: number;
  /** Withdrawn by the requester (cancelled, or the interaction ended while it rang). */
  readonly withdrawn: number;
  /** Revoked because someone else accepted the same broadcast. */
  readonly takenByOther: number;
  readonly abandoned: { readonly queued: number; readonly routing: number; readonly ringing: number };
  /** Time from preview to accept, accepted offers only (nearest-rank percentiles); null with none. */
  readonly timeToAcceptMs: { readonly p50: number | null; readonly p90: number | null };
  readonly timeToAcceptHistogram: readonly HistogramBin[];
  /** Time connected, accepted offers only. */
  readonly handleTimeMs: { readonly total: number; readonly average: number | null };
  /** Accepted transfers received (ReceivedTransfer) and interactions transferred away (result Transferred). */
  readonly transfers: { readonly received: number; readonly made: number };
  /** Accepted conference invitations (InConference). */
  readonly conferences: number;
  /** Accepted consultations (ReceivedConsult). */
  readonly consults: number;
  /**
   * Mediation: requests offered through a routing point or queue and accepted, or abandoned there by the customer;
   * their total time waiting there and its mean (null with none). Not part of the handle time.
   */
  readonly mediationMs: { readonly requests: number; readonly total: number; readonly average: number | null };
}

/** One row of a summary. */
export interface SummaryRow extends SummaryFigures {
  readonly id: string;
  readonly name: string;
}

const RECEIVING: ReadonlySet<string> = new Set(['RoutedTo', 'ReceivedTransfer', 'InConference', 'ReceivedConsult']);

/** Whether a fact is an offer to a person. */
export function isOffer(fact: ResourceFact): boolean {
  return (fact.resource.kind === 'agent' || fact.resource.kind === 'knowledge-worker') && RECEIVING.has(fact.role);
}

/** Whether an offer was accepted (the person connected). */
export function isAccepted(fact: ResourceFact): boolean {
  return isOffer(fact) && (fact.result === 'Completed' || fact.result === 'Transferred');
}

/** The nearest-rank percentile of ascending values; null when empty. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] ?? null;
}

class Accumulator {
  offered = 0;
  accepted = 0;
  declined = 0;
  timedOut = 0;
  unreachable = 0;
  withdrawn = 0;
  takenByOther = 0;
  queued = 0;
  routing = 0;
  ringing = 0;
  readonly alerts: number[] = [];
  handle = 0;
  transfersReceived = 0;
  transfersMade = 0;
  conferences = 0;
  consults = 0;
  mediated = 0;
  mediation = 0;

  add(f: ResourceFact): void {
    const mediationEnded = isAccepted(f)
      ? f.routingPointId !== null
      : f.result === 'CustomerAbandoned' && f.partyId === null;
    if (mediationEnded) {
      this.mediated++;
      this.mediation += f.mediationMs;
    }
    if (f.result === 'CustomerAbandoned') {
      if (f.reason === 'AbandonedWhileQueued') this.queued++;
      else if (f.reason === 'AbandonedWhileRinging') this.ringing++;
      else if (f.role === 'Puller') this.routing++;
    }
    if (!isOffer(f)) return;
    this.offered++;
    if (isAccepted(f)) {
      this.accepted++;
      this.alerts.push(f.alertMs);
      this.handle += f.engageMs;
      if (f.role === 'ReceivedTransfer') this.transfersReceived++;
      if (f.role === 'InConference') this.conferences++;
      if (f.role === 'ReceivedConsult') this.consults++;
      if (f.result === 'Transferred') this.transfersMade++;
      return;
    }
    if (f.outcome === 'declined') this.declined++;
    else if (f.outcome === 'timed_out') this.timedOut++;
    else if (f.outcome === 'unreachable') this.unreachable++;
    else if (f.outcome === 'withdrawn') this.withdrawn++;
    else if (f.outcome === 'taken_by_other') this.takenByOther++;
  }

  figures(): SummaryFigures {
    const sorted = [...this.alerts].sort((a, b) => a - b);
    const bins = TIME_TO_ACCEPT_BINS_MS.map((to, i) => ({ fromMs: TIME_TO_ACCEPT_BINS_MS[i - 1] ?? 0, toMs: to }));
    const last = TIME_TO_ACCEPT_BINS_MS.at(-1) ?? 0;
    return {
      offered: this.offered,
      accepted: this.accepted,
      declined: this.declined,
      timedOut: this.timedOut,
      unreachable: this.unreachable,
      withdrawn: this.withdrawn,
      takenByOther: this.takenByOther,
      abandoned: { queued: this.queued, routing: this.routing, ringing: this.ringing },
      timeToAcceptMs: { p50: percentile(sorted, 50), p90: percentile(sorted, 90) },
      timeToAcceptHistogram: [
        ...bins.map((b) => ({ ...b, count: sorted.filter((v) => v >= b.fromMs && v < b.toMs).length })),
        { fromMs: last, toMs: null, count: sorted.filter((v) => v >= last).length },
      ],
      handleTimeMs: {
        total: this.handle,
        average: this.accepted === 0 ? null : Math.round(this.handle / this.accepted),
      },
      transfers: { received: this.transfersReceived, made: this.transfersMade },
      conferences: this.conferences,
      consults: this.consults,
      mediationMs: {
        requests: this.mediated,
        total: this.mediation,
        average: this.mediated === 0 ? null : Math.round(this.mediation / this.mediated),
      },
    };
  }
}

/** The group a fact counts for, or null when it counts for none. */
function groupOf(fact: ResourceFact, by: SummaryGrouping): string | null {
  if (by === 'routing-point') return fact.routingPointId;
  return fact.resource.kind === by ? fact.resource.id : null;
}

/** Builds a summary from facts fed one at a time (so facts can be streamed from the database). */
export class SummaryBuilder {
  readonly #groups = new Map<string, { name: string; acc: Accumulator }>();
  readonly #total = new Accumulator();

  /**
   * @param by what rows are grouped by.
   * @param nameOf a display name for a group id (a routing point's or a person's); the fact's name otherwise.
   */
  constructor(
    readonly by: SummaryGrouping,
    private readonly nameOf: (id: string) => string | undefined = () => undefined,
  ) {}

  /** Adds a row with no facts yet (a member with nothing offered still shows). */
  include(id: string, name?: string): void {
    if (!this.#groups.has(id)) this.#groups.set(id, { name: name ?? this.nameOf(id) ?? id, acc: new Accumulator() });
  }

  /** Counts one fact. */
  add(fact: ResourceFact): void {
    const id = groupOf(fact, this.by);
    if (id === null) return;
    this.#total.add(fact);
    let group = this.#groups.get(id);
    if (!group) {
      const ownName = this.by === 'routing-point' && !isOffer(fact) ? fact.resource.name : undefined;
      const name = this.nameOf(id) ?? ownName ?? (this.by === 'routing-point' ? id : fact.resource.name);
      group = { name, acc: new Accumulator() };
      this.#groups.set(id, group);
    }
    group.acc.add(fact);
  }

  /** The rows, ordered by name then id, and the totals over every row. */
  result(): { rows: SummaryRow[]; totals: SummaryFigures } {
    const rows = [...this.#groups.entries()]
      .map(([id, g]) => ({ id, name: g.name, ...g.acc.figures() }))
      .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
    return { rows, totals: this.#total.figures() };
  }
}

/** Summarizes facts in one call. */
export function summarize(
  facts: Iterable<ResourceFact>,
  by: SummaryGrouping,
  nameOf?: (id: string) => string | undefined,
): { rows: SummaryRow[]; totals: SummaryFigures } {
  const builder = new SummaryBuilder(by, nameOf);
  for (const f of facts) builder.add(f);
  return builder.result();
}
